package respfilter

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/action"
)

func TestOptionsFrom(t *testing.T) {
	off := false
	o := OptionsFrom(action.ResponseFilter{Select: ".a", Exclude: []string{"x"}})
	if !o.Compact || o.MaxItems != 20 || o.MaxString != 1000 || o.MaxTokens != 1000 || o.SelectTimeout != time.Second || o.Select != ".a" || o.Exclude[0] != "x" {
		t.Errorf("defaults: %+v", o)
	}
	o = OptionsFrom(action.ResponseFilter{Compact: &off, MaxItems: 5, MaxString: 50, MaxTokens: 200})
	if o.Compact || o.MaxItems != 5 || o.MaxString != 50 || o.MaxTokens != 200 {
		t.Errorf("explicit: %+v", o)
	}
}

func TestApplyCanceledContext(t *testing.T) {
	f := newFilter(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Apply(ctx, "application/json", []byte(`{}`), Options{}); err == nil {
		t.Error("no error on a canceled context")
	}
}

func TestErrorResult(t *testing.T) {
	f := newFilter(t)
	type errShape struct {
		Error struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
		} `json:"error"`
	}
	decode := func(r *Result) errShape {
		t.Helper()
		var e errShape
		if err := json.Unmarshal([]byte(r.Output), &e); err != nil {
			t.Fatalf("not JSON: %v: %s", err, r.Output)
		}
		return e
	}
	r := f.ErrorResult(context.Background(), 404, "application/json", []byte(`{"message": "Not Found", "documentation_url": "https://docs.example/x", "extra": null}`), Options{Exclude: []string{"*_url"}, Compact: true})
	if e := decode(r); e.Error.Status != 404 || e.Error.Message != `{"message":"Not Found"}` {
		t.Errorf("404: %s", r.Output)
	}
	if !strings.HasPrefix(r.Output, `{"error":{"status":404,"message":`) {
		t.Errorf("shape: %s", r.Output)
	}
	r = f.ErrorResult(context.Background(), 503, "", nil, Options{})
	if e := decode(r); e.Error.Message != "Service Unavailable" {
		t.Errorf("empty body: %s", r.Output)
	}
	huge := strings.Repeat("<p>Internal error, please retry later. Reference code ABC-123.</p>\n", 5000)
	r = f.ErrorResult(context.Background(), 500, "text/html", []byte(huge), Options{MaxTokens: 5000})
	e := decode(r)
	if r.OutputTokens > errorMaxTokens+60 || !strings.HasPrefix(e.Error.Message, "Internal error, please retry later.") || !r.Truncated {
		t.Errorf("huge HTML error: %d tokens, truncated %v: %.200s", r.OutputTokens, r.Truncated, r.Output)
	}
	if r.RawTokens < 50000 {
		t.Errorf("RawTokens = %d", r.RawTokens)
	}
	r = f.ErrorResult(context.Background(), 400, "application/json", []byte(`{"error":"bad"}`), Options{Select: "error(\"x\")", Exclude: []string{"[bad"}})
	if e := decode(r); e.Error.Message != `{"error":"bad"}` {
		t.Errorf("select and bad patterns must not break error results: %s", r.Output)
	}
}

func TestConcurrentUse(t *testing.T) {
	f := newFilter(t)
	body := []byte(`{"items":[{"id":1,"tags":["a","b"]},{"id":2}],"next":null}`)
	want := `{"items":[{"id":1,"tags":["a","b"]},{"id":2}]}`
	errs := make(chan string, 8)
	for i := range 8 {
		go func() {
			o := Options{Compact: true, Select: []string{"", "."}[i%2]}
			res, err := f.Apply(context.Background(), "application/json", body, o)
			switch {
			case err != nil:
				errs <- err.Error()
			case res.Output != want:
				errs <- res.Output
			default:
				errs <- ""
			}
		}()
	}
	for range 8 {
		if msg := <-errs; msg != "" {
			t.Error(msg)
		}
	}
}
