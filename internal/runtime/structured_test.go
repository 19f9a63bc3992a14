package runtime_test

import (
	"context"
	"errors"
	"net/http"
	goruntime "runtime"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/provider"
	"github.com/actiongate/actiongate/internal/provider/providertest"
	"github.com/actiongate/actiongate/internal/runtime"
)

// classify is the agent step of the example, with a count and a
// score beside it.
func classify() runtime.StructuredRequest {
	return runtime.StructuredRequest{
		Agent:   "concierge",
		Contact: map[string]any{"name": "Ada", "plan": "gold"},
		Vars:    map[string]any{"region": "eu"},
		Input:   "Order A1 is not shipped: {\"status\":\"held\"}",
		Fields: map[string]*action.Param{
			"category": {Type: "string", Enum: []any{"billing", "shipping", "other"}, Description: "What the problem is about."},
			"urgent":   {Type: "boolean"},
			"items":    {Type: "integer", Description: "How many items are held."},
			"score":    {Type: "number"},
		},
	}
}

const rightAnswer = `{"category": "shipping", "urgent": true, "items": 3, "score": 0.75}`

// wantValues checks the values of rightAnswer, each of its declared type.
func wantValues(t *testing.T, res *runtime.StructuredResult) {
	t.Helper()
	want := map[string]any{"category": "shipping", "urgent": true, "items": int64(3), "score": 0.75}
	if len(res.Values) != len(want) {
		t.Fatalf("values = %#v, want %#v", res.Values, want)
	}
	for k, v := range want {
		if res.Values[k] != v {
			t.Errorf("values[%s] = %#v (%T), want %#v (%T)", k, res.Values[k], res.Values[k], v, v)
		}
	}
}

func TestStructuredRightFirstAnswer(t *testing.T) {
	providers(t, func(t *testing.T, llm *providertest.Server) {
		e := newEnv(t, llm, false, nil)
		llm.Push(providertest.Reply{Text: rightAnswer, Usage: providertest.Usage{InputTokens: 120, OutputTokens: 30}})
		res, err := e.rt.Structured(context.Background(), classify())
		if err != nil {
			t.Fatalf("structured: %v", err)
		}
		wantValues(t, res)
		if res.Attempts != 1 || res.Usage != (gateway.Usage{InputTokens: 120, OutputTokens: 30}) || res.Text != rightAnswer {
			t.Errorf("result = %+v", res)
		}
		reqs := llm.Requests()
		if len(reqs) != 1 {
			t.Fatalf("provider saw %d requests, want 1", len(reqs))
		}
		r := reqs[0]
		// Instructions first, rendered, then the fields, each with its
		// type, enum and description; the input is the message; no tools.
		if !strings.HasPrefix(r.System, "You help Ada (plan gold) in eu.\n\n") {
			t.Errorf("system does not start with the rendered instructions: %q", r.System)
		}
		for _, want := range []string{
			`"category": a string, one of "billing", "shipping", "other". What the problem is about.`,
			`"urgent": a boolean (true or false)`,
			`"items": an integer (a whole number). How many items are held.`,
			`"score": a number`,
			"only a JSON object",
		} {
			if !strings.Contains(r.System, want) {
				t.Errorf("system lacks %q:\n%s", want, r.System)
			}
		}
		if len(r.Messages) != 1 || r.Messages[0].Role != "user" || r.Messages[0].Content != classify().Input {
			t.Errorf("messages = %+v, want the input alone", r.Messages)
		}
		if len(r.Tools) != 0 || r.JSON["tools"] != nil {
			t.Errorf("tools were offered: %+v", r.Tools)
		}
		if !r.Stream {
			t.Error("the request was not streamed")
		}
		// The log says how it went, never what was asked or answered.
		if logs := e.logs.String(); !strings.Contains(logs, `"msg":"structured answer"`) || strings.Contains(logs, "not shipped") || strings.Contains(logs, "shipping") {
			t.Errorf("logs = %s", logs)
		}
	})
}

func TestStructuredFencedAnswer(t *testing.T) {
	providers(t, func(t *testing.T, llm *providertest.Server) {
		e := newEnv(t, llm, false, nil)
		llm.Push(providertest.Reply{Text: "```json\n" + rightAnswer + "\n```\n"})
		res, err := e.rt.Structured(context.Background(), classify())
		if err != nil {
			t.Fatalf("structured: %v", err)
		}
		wantValues(t, res)
		if res.Attempts != 1 || !strings.HasPrefix(res.Text, "```json") {
			t.Errorf("result = %+v", res)
		}
		// A bare fence too.
		llm.Push(providertest.Reply{Text: "```\n" + rightAnswer + "```"})
		if res, err := e.rt.Structured(context.Background(), classify()); err != nil || res.Attempts != 1 {
			t.Fatalf("bare fence: %+v, %v", res, err)
		}
	})
}

// Each wrong answer is retried with the problem named by field; a right
// second answer is the result.
func TestStructuredWrongThenRight(t *testing.T) {
	cases := []struct {
		name, answer string
		// problems must each appear in the second request.
		problems []string
	}{
		{"missing and mistyped", `{"category": "shipping", "urgent": "yes", "score": 1}`,
			[]string{"items is required", "urgent must be a boolean"}},
		{"enum", `{"category": "refund", "urgent": false, "items": 1, "score": 1}`,
			[]string{"category must be one of billing, shipping, other (got \"refund\")"}},
		{"integer given as 2.5", `{"category": "other", "urgent": false, "items": 2.5, "score": 1}`,
			[]string{"items must be an integer (got 2.5)"}},
		{"extra field", `{"category": "other", "urgent": false, "items": 2, "score": 1, "reason": "late"}`,
			[]string{"reason", "expected one of category, items, score, urgent"}},
		{"number as a string", `{"category": "other", "urgent": false, "items": "2", "score": 1}`,
			[]string{"items must be an integer, not a string"}},
		{"null", `{"category": null, "urgent": false, "items": 2, "score": 1}`,
			[]string{"category must be a string (got null)"}},
		{"prose", `Sure! The category is shipping.`, []string{"the answer is not one JSON object"}},
		{"two objects", rightAnswer + " " + rightAnswer, []string{"more after the object"}},
		{"an array", `[` + rightAnswer + `]`, []string{"not an object"}},
		{"empty", "", []string{"it is empty"}},
		{"too large an integer", `{"category": "other", "urgent": false, "items": 1e30, "score": 1}`,
			[]string{"items is out of the range of a 64-bit integer"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			providers(t, func(t *testing.T, llm *providertest.Server) {
				e := newEnv(t, llm, false, nil)
				llm.Push(providertest.Reply{Text: c.answer, Usage: providertest.Usage{InputTokens: 100, OutputTokens: 20}},
					providertest.Reply{Text: rightAnswer, Usage: providertest.Usage{InputTokens: 150, OutputTokens: 25}})
				res, err := e.rt.Structured(context.Background(), classify())
				if err != nil {
					t.Fatalf("structured: %v", err)
				}
				wantValues(t, res)
				if res.Attempts != 2 || res.Usage != (gateway.Usage{InputTokens: 250, OutputTokens: 45}) || res.Text != rightAnswer {
					t.Errorf("result = %+v", res)
				}
				reqs := llm.Requests()
				if len(reqs) != 2 {
					t.Fatalf("provider saw %d requests, want 2", len(reqs))
				}
				second := reqs[1]
				if second.System != reqs[0].System {
					t.Error("the second request has other instructions")
				}
				msgs := second.Messages
				if c.answer == "" && len(msgs) == 1 {
					// Anthropic takes no empty text: the empty answer is left
					// out and the input and the problems make one message.
					msgs = []providertest.Message{{Role: "user", Content: classify().Input}, {Role: "assistant"}, msgs[0]}
				}
				if len(msgs) != 3 || !strings.HasPrefix(msgs[0].Content, classify().Input) || msgs[1].Role != "assistant" || msgs[1].Content != c.answer || msgs[2].Role != "user" {
					t.Fatalf("second request's messages = %+v, want the input, the first answer and the problems", msgs)
				}
				for _, p := range c.problems {
					if !strings.Contains(msgs[2].Content, p) {
						t.Errorf("the problems sent lack %q:\n%s", p, msgs[2].Content)
					}
				}
			})
		})
	}
}

func TestStructuredWrongTwiceFails(t *testing.T) {
	providers(t, func(t *testing.T, llm *providertest.Server) {
		e := newEnv(t, llm, false, nil)
		llm.Push(providertest.Reply{Text: `{"category": "refund"}`, Usage: providertest.Usage{InputTokens: 10, OutputTokens: 5}},
			providertest.Reply{Text: `{"category": "refund", "urgent": 1, "items": 2.5, "score": 1, "extra": true}`, Usage: providertest.Usage{InputTokens: 20, OutputTokens: 6}})
		res, err := e.rt.Structured(context.Background(), classify())
		var ae *runtime.AnswerError
		if !errors.As(err, &ae) {
			t.Fatalf("error = %v, want an AnswerError", err)
		}
		for _, want := range []string{`agent "concierge"`, "answered 2 times", "category must be one of billing, shipping, other", "urgent must be a boolean", "items must be an integer (got 2.5)", "unknown argument extra"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
		named := map[string]bool{}
		for _, p := range ae.Problems {
			named[p.Argument] = true
		}
		for _, f := range []string{"category", "urgent", "items", "extra"} {
			if !named[f] {
				t.Errorf("problems %+v do not name %s", ae.Problems, f)
			}
		}
		if res == nil || res.Values != nil || res.Attempts != 2 || res.Usage != (gateway.Usage{InputTokens: 30, OutputTokens: 11}) || !strings.Contains(res.Text, `"extra"`) {
			t.Errorf("result = %+v", res)
		}
		if n := len(llm.Requests()); n != 2 {
			t.Errorf("provider saw %d requests, want 2", n)
		}
	})
}

func TestStructuredProviderFailureHidesTheKey(t *testing.T) {
	providers(t, func(t *testing.T, llm *providertest.Server) {
		e := newEnv(t, llm, false, nil)
		fail := providertest.Reply{Status: 500, ErrorMessage: "internal error for key " + canaryKey, Header: http.Header{"Retry-After-Ms": {"1"}}}
		for range provider.MaxRetries + 1 {
			llm.Push(fail)
		}
		res, err := e.rt.Structured(context.Background(), classify())
		if err == nil {
			t.Fatal("no error")
		}
		var pe *provider.Error
		if !errors.As(err, &pe) || pe.Status != 500 || !strings.Contains(err.Error(), "500") || !strings.Contains(err.Error(), `agent "concierge"`) {
			t.Errorf("error = %v", err)
		}
		if strings.Contains(err.Error(), canaryKey) || strings.Contains(e.logs.String(), canaryKey) {
			t.Errorf("the key leaked: %v", err)
		}
		if res == nil || res.Attempts != 0 || res.Values != nil {
			t.Errorf("result = %+v", res)
		}
		// A failure in the second attempt keeps the first's usage.
		llm.Push(providertest.Reply{Text: "no", Usage: providertest.Usage{InputTokens: 7, OutputTokens: 1}},
			providertest.Reply{Status: 400, ErrorMessage: "bad request " + canaryKey})
		res, err = e.rt.Structured(context.Background(), classify())
		if err == nil || strings.Contains(err.Error(), canaryKey) || !strings.Contains(err.Error(), "400") {
			t.Errorf("second-attempt failure = %v", err)
		}
		if res == nil || res.Attempts != 1 || res.Usage.InputTokens != 7 {
			t.Errorf("result = %+v", res)
		}
	})
}

func TestStructuredTimeout(t *testing.T) {
	providers(t, func(t *testing.T, llm *providertest.Server) {
		e := newEnv(t, llm, false, &action.TurnLimits{TurnTimeout: "1s"})
		// The request's own timeout.
		llm.Push(providertest.Reply{Hang: true})
		req := classify()
		req.Timeout = 300 * time.Millisecond
		start := time.Now()
		_, err := e.rt.Structured(context.Background(), req)
		took := time.Since(start)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "within 300ms (timeout)") {
			t.Errorf("error = %v", err)
		}
		if took < 300*time.Millisecond || took > 1500*time.Millisecond {
			t.Errorf("a hanging provider held the request %v, want about its 300ms timeout", took)
		}
		// The agent's turn timeout when the request names none; it bounds
		// both attempts together.
		llm.Push(providertest.Reply{Text: "not json", ChunkSize: 1, ChunkDelay: 50 * time.Millisecond},
			providertest.Reply{Hang: true})
		start = time.Now()
		res, err := e.rt.Structured(context.Background(), classify())
		took = time.Since(start)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "within 1s (limits.turn_timeout)") {
			t.Errorf("error = %v", err)
		}
		if took < time.Second || took > 2500*time.Millisecond {
			t.Errorf("the request took %v, want about the agent's 1s turn timeout", took)
		}
		if res == nil || res.Attempts != 1 {
			t.Errorf("result = %+v", res)
		}
	})
}

// An answer past MaxStructuredAnswerBytes is a wrong answer, cut in the
// result and in what the second request repeats; reading it costs time
// and memory in proportion to the provider's own bound.
func TestStructuredAnswerIsBounded(t *testing.T) {
	llm := providertest.NewOpenAI(t)
	e := newEnv(t, llm, false, nil)
	huge := `{"category": "` + strings.Repeat("x", 512<<10) + `"}`
	llm.Push(providertest.Reply{Text: huge, ChunkSize: 64 << 10}, providertest.Reply{Text: huge, ChunkSize: 64 << 10})
	var before, after goruntime.MemStats
	goruntime.GC()
	goruntime.ReadMemStats(&before)
	start := time.Now()
	res, err := e.rt.Structured(context.Background(), classify())
	took := time.Since(start)
	goruntime.ReadMemStats(&after)
	var ae *runtime.AnswerError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "longer than 65536 bytes") {
		t.Fatalf("error = %v", err)
	}
	if len(res.Text) > runtime.MaxStructuredAnswerBytes || !strings.HasPrefix(res.Text, `{"category": "xxx`) {
		t.Errorf("text is %d bytes, want at most %d", len(res.Text), runtime.MaxStructuredAnswerBytes)
	}
	repeated := llm.Requests()[1].Messages[1].Content
	if len(repeated) > runtime.MaxStructuredAnswerBytes {
		t.Errorf("the second request repeated %d bytes of the answer", len(repeated))
	}
	// Two 512 KiB answers, eight times the bound, the server writing them
	// in the same process.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("reading two 512 KiB answers allocated %d MiB", alloc>>20)
	}
	if took > 2*time.Second {
		t.Errorf("reading two 512 KiB answers took %v", took)
	}
	t.Logf("two 512 KiB answers: %v, %d MiB allocated", took, (after.TotalAlloc-before.TotalAlloc)>>20)
}

func TestStructuredRequestErrors(t *testing.T) {
	llm := providertest.NewOpenAI(t)
	e := newEnv(t, llm, false, nil)
	ctx := context.Background()
	bad := func(f func(*runtime.StructuredRequest)) runtime.StructuredRequest {
		r := classify()
		f(&r)
		return r
	}
	for path, req := range map[string]runtime.StructuredRequest{
		"agent":            bad(func(r *runtime.StructuredRequest) { r.Agent = "" }),
		"input":            bad(func(r *runtime.StructuredRequest) { r.Input = strings.Repeat("x", runtime.MaxContentBytes+1) }),
		"timeout":          bad(func(r *runtime.StructuredRequest) { r.Timeout = -time.Second }),
		"fields":           bad(func(r *runtime.StructuredRequest) { r.Fields = nil }),
		"fields.tags.type": bad(func(r *runtime.StructuredRequest) { r.Fields["tags"] = &action.Param{Type: "array"} }),
		"fields.level.enum[1]": bad(func(r *runtime.StructuredRequest) {
			r.Fields["level"] = &action.Param{Type: "integer", Enum: []any{1, 2.5}}
		}),
		"fields.nothing": bad(func(r *runtime.StructuredRequest) { r.Fields["nothing"] = nil }),
		"fields.category.enum[0]": bad(func(r *runtime.StructuredRequest) {
			r.Fields["category"] = &action.Param{Type: "string", Enum: []any{true}}
		}),
	} {
		_, err := e.rt.Structured(ctx, req)
		var errs action.Errors
		if !errors.As(err, &errs) || errs[0].Path != path {
			t.Errorf("%s: error = %v", path, err)
		}
	}
	if _, err := e.rt.Structured(ctx, bad(func(r *runtime.StructuredRequest) { r.Agent = "nobody" })); !errors.Is(err, gateway.ErrUnknownAgent) {
		t.Errorf("unknown agent: %v", err)
	}
	if _, err := e.rt.Structured(ctx, bad(func(r *runtime.StructuredRequest) { r.Agent = "toolserver" })); !errors.Is(err, runtime.ErrNoModel) {
		t.Errorf("agent without a model: %v", err)
	}
	if n := len(llm.Requests()); n != 0 {
		t.Errorf("the model was asked %d times", n)
	}
}

// Unknown contact fields and vars read as unknown, as in turns.
func TestStructuredWithoutContact(t *testing.T) {
	llm := providertest.NewAnthropic(t)
	e := newEnv(t, llm, false, nil)
	llm.Push(providertest.Reply{Text: rightAnswer})
	req := classify()
	req.Contact, req.Vars = nil, nil
	if _, err := e.rt.Structured(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if sys := llm.Requests()[0].System; !strings.HasPrefix(sys, "You help (not known) (plan (not known)) in (not known).") {
		t.Errorf("system = %q", sys)
	}
}

// Model tokens count as the agent's, and a structured request is not a
// conversation turn.
func TestStructuredMetrics(t *testing.T) {
	llm := providertest.NewOpenAI(t)
	e := newEnv(t, llm, false, nil)
	llm.Push(providertest.Reply{Text: "no", Usage: providertest.Usage{InputTokens: 100, OutputTokens: 10}},
		providertest.Reply{Text: rightAnswer, Usage: providertest.Usage{InputTokens: 140, OutputTokens: 20}})
	if _, err := e.rt.Structured(context.Background(), classify()); err != nil {
		t.Fatal(err)
	}
	families, err := e.g.Metrics().Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			key := f.GetName()
			for _, l := range m.GetLabel() {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			if m.Counter != nil {
				got[key] = m.Counter.GetValue()
			}
		}
	}
	if got["actiongate_model_tokens_total,agent=concierge,direction=input,provider=llm"] != 240 ||
		got["actiongate_model_tokens_total,agent=concierge,direction=output,provider=llm"] != 30 {
		t.Errorf("model tokens = %v", got)
	}
	for k := range got {
		if strings.HasPrefix(k, "actiongate_turns_total") {
			t.Errorf("a structured request counted as a turn: %s", k)
		}
	}
}
