package gateway

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/actiongate/actiongate/internal/runlog"
)

// Metrics are the gateway's Prometheus collectors on their own registry.
type Metrics struct {
	Registry     *prometheus.Registry
	calls        *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	rawTokens    *prometheus.CounterVec
	outputTokens *prometheus.CounterVec
	turns        *prometheus.CounterVec
	turnCalls    *prometheus.HistogramVec
	modelTokens  *prometheus.CounterVec
	runsStarted  *prometheus.CounterVec
	runsEnded    *prometheus.CounterVec
	stepDuration *prometheus.HistogramVec
}

// NewMetrics registers the call metrics and the Go runtime collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actiongate_calls_total",
			Help: "Action calls by action, agent, caller and outcome.",
		}, []string{"action", "agent", "caller", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "actiongate_call_duration_seconds",
			Help:    "Time to run an action call, including the upstream.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
		}, []string{"action", "agent"}),
		rawTokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actiongate_raw_tokens_total",
			Help: "Tokens of upstream responses before filtering.",
		}, []string{"action", "agent"}),
		outputTokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actiongate_output_tokens_total",
			Help: "Tokens of the filtered output given to models.",
		}, []string{"action", "agent"}),
		turns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actiongate_turns_total",
			Help: "Conversation turns by agent, provider and how they ended (completed, failed).",
		}, []string{"agent", "provider", "status"}),
		turnCalls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "actiongate_turn_tool_calls",
			Help:    "Tool calls per conversation turn.",
			Buckets: []float64{0, 1, 2, 3, 4, 6, 8, 12, 16, 32, 64},
		}, []string{"agent"}),
		modelTokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actiongate_model_tokens_total",
			Help: "Model tokens by agent, provider and direction (input, output).",
		}, []string{"agent", "provider", "direction"}),
		runsStarted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actiongate_workflow_runs_started_total",
			Help: "Workflow runs started, by workflow and trigger.",
		}, []string{"workflow", "trigger"}),
		runsEnded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actiongate_workflow_runs_total",
			Help: "Workflow runs finished, by workflow and outcome (completed, failed, cancelled).",
		}, []string{"workflow", "outcome"}),
		stepDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "actiongate_workflow_step_duration_seconds",
			Help:    "Time to execute a workflow step, by workflow, step type and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
		}, []string{"workflow", "type", "status"}),
	}
	m.Registry.MustRegister(m.calls, m.duration, m.rawTokens, m.outputTokens, m.turns, m.turnCalls, m.modelTokens,
		m.runsStarted, m.runsEnded, m.stepDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe records one run.
func (m *Metrics) observe(r *runlog.Run) {
	m.calls.WithLabelValues(r.Action, r.Agent, r.Caller, r.Outcome).Inc()
	m.duration.WithLabelValues(r.Action, r.Agent).Observe(r.DurationMS / 1000)
	m.rawTokens.WithLabelValues(r.Action, r.Agent).Add(float64(r.RawTokens))
	m.outputTokens.WithLabelValues(r.Action, r.Agent).Add(float64(r.OutputTokens))
}

// ObserveTurn records a part of a conversation turn of agent through
// provider: the model tokens it used and, when the turn ended (completed
// or failed, not waiting for a confirmation), the turn and its tool calls.
func (m *Metrics) ObserveTurn(agent, provider, status string, toolCalls int, u Usage) {
	if status != "waiting_confirmation" {
		m.turns.WithLabelValues(agent, provider, status).Inc()
		m.turnCalls.WithLabelValues(agent).Observe(float64(toolCalls))
	}
	m.ObserveModelTokens(agent, provider, u)
}

// ObserveModelTokens records the model tokens agent used through provider
// outside a conversation turn (a workflow's agent step), or within one.
func (m *Metrics) ObserveModelTokens(agent, provider string, u Usage) {
	m.modelTokens.WithLabelValues(agent, provider, "input").Add(float64(u.InputTokens))
	m.modelTokens.WithLabelValues(agent, provider, "output").Add(float64(u.OutputTokens))
}

// ObserveRunStarted counts a workflow run started by trigger.
func (m *Metrics) ObserveRunStarted(workflow, trigger string) {
	m.runsStarted.WithLabelValues(workflow, trigger).Inc()
}

// ObserveRunFinished counts a workflow run that ended with outcome.
func (m *Metrics) ObserveRunFinished(workflow, outcome string) {
	m.runsEnded.WithLabelValues(workflow, outcome).Inc()
}

// ObserveStep records one step's execution time.
func (m *Metrics) ObserveStep(workflow, stepType, status string, d time.Duration) {
	m.stepDuration.WithLabelValues(workflow, stepType, status).Observe(d.Seconds())
}

// watchQueue exports the depth of the workflow job queue, read by depth
// at each scrape.
func (m *Metrics) watchQueue(depth func() float64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "actiongate_workflow_queue_depth",
		Help: "Workflow step jobs waiting to run (available, scheduled or to be retried).",
	}, depth))
}
