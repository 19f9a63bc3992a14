package respfilter

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSelect(t *testing.T) {
	f := newFilter(t)
	body := []byte(`{"items":[{"id":1,"name":"a","price":12345678901234567890.10},{"id":2,"name":"b","price":3}],"total":2}`)
	tests := []struct {
		expr, want string
	}{
		{`.items | map({id, name})`, `[{"id":1,"name":"a"},{"id":2,"name":"b"}]`},
		{`.items[].id`, `[1,2]`},
		{`.items[] | select(.id > 5)`, `[]`},
		{`.total`, `2`},
		{`.items[0].price`, `12345678901234567890.10`},
	}
	for _, tt := range tests {
		res, err := f.Apply(context.Background(), "application/json", body, Options{Select: tt.expr})
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		if res.Output != tt.want {
			t.Errorf("select %s = %s, want %s", tt.expr, res.Output, tt.want)
		}
	}
}

func TestSelectErrorsNameTheExpression(t *testing.T) {
	f := newFilter(t)
	for _, expr := range []string{`.items[`, `.items | undefined_fn`, `.total | error("boom")`, `.items + 1`} {
		_, err := f.Apply(context.Background(), "application/json", []byte(`{"items":[1],"total":2}`), Options{Select: expr})
		if err == nil {
			t.Errorf("select %s: no error", expr)
			continue
		}
		if !strings.Contains(err.Error(), expr) {
			t.Errorf("select %s: error %q does not name the expression", expr, err)
		}
	}
}

// TestSelectEndlessLoops checks that expressions that never finish return
// within the timeout instead of hanging the call.
func TestSelectEndlessLoops(t *testing.T) {
	f := newFilter(t)
	const timeout = 200 * time.Millisecond
	for _, expr := range []string{`def f: f; f`, `repeat(.)`, `last(range(1e12))`, `[limit(1e12; repeat(1))] | length`} {
		start := time.Now()
		_, err := f.Apply(context.Background(), "application/json", []byte(`{"a":1}`), Options{Select: expr, SelectTimeout: timeout})
		elapsed := time.Since(start)
		if err == nil {
			t.Errorf("select %s: no error", expr)
		}
		if elapsed > timeout+2*time.Second {
			t.Errorf("select %s took %s, timeout %s", expr, elapsed, timeout)
		}
		if expr == `def f: f; f` && !errors.Is(err, ErrSelectTimeout) {
			t.Errorf("select %s: error %v is not ErrSelectTimeout", expr, err)
		}
	}
}

func TestSelectSeesNoEnvironment(t *testing.T) {
	t.Setenv("ACTIONGATE_SECRET_TEST_TOKEN", "s3cr3t-value")
	f := newFilter(t)
	for _, expr := range []string{`env`, `$ENV`, `env.ACTIONGATE_SECRET_TEST_TOKEN`} {
		res, err := f.Apply(context.Background(), "application/json", []byte(`{}`), Options{Select: expr})
		if err != nil {
			continue
		}
		if strings.Contains(res.Output, "s3cr3t-value") {
			t.Errorf("select %s leaked an environment variable: %s", expr, res.Output)
		}
	}
}

func TestSelectCacheReusesCompiledCode(t *testing.T) {
	f := newFilter(t)
	for range 3 {
		if _, err := f.Apply(context.Background(), "application/json", []byte(`[1,2]`), Options{Select: `.[0]`}); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.codes) != 1 {
		t.Errorf("cache holds %d entries, want 1", len(f.codes))
	}
}
