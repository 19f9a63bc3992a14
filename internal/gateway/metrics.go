package gateway

import (
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
	}
	m.Registry.MustRegister(m.calls, m.duration, m.rawTokens, m.outputTokens,
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
