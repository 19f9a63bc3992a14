package condition

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// runEnv is a run's data as a workflow step sees it.
func runEnv() map[string]any {
	items := make([]any, 10_000)
	for i := range items {
		items[i] = float64(i)
	}
	return map[string]any{
		Trigger: map[string]any{"order_id": "A-1", "total": 42.5, "count": 3, "zero": 0, "items": items,
			"s": strings.Repeat("x", 1<<16), "customer": map[string]any{"email": "a@example.com"}},
		Steps: map[string]any{"order": map[string]any{"status": "ok", "http_status": 200,
			"extract": map[string]any{"tracking": "TRK1", "none": nil}}},
		Vars:    map[string]any{"tries": 2},
		Contact: map[string]any{"tier": "gold"},
	}
}

func TestEval(t *testing.T) {
	env := runEnv()
	for _, tt := range []struct {
		src  string
		want bool
	}{
		{`steps.order.status == "ok" && steps.order.extract.tracking != nil`, true},
		{`steps.order.extract.none != nil`, false},
		{`trigger.total > 40 and vars.tries < 3`, true},
		{`contact.tier in ["gold", "silver"]`, true},
		{`trigger.customer.email endsWith "@example.com"`, true},
		{`steps.order.http_status >= 500`, false},
		{`len(trigger.items) == 10000 && any(trigger.items, # > 9998)`, true},
		{`upper(trigger.order_id) + "!" == "A-1!"`, true},
		{`trigger.total / 2 == 21.25`, true},
		{`trigger.missing == nil`, true},
		{`steps?.nope?.status == nil`, true},
		{"trigger.count == 3 &&\n  contact.tier == 'gold'", true},
	} {
		c, err := Compile(tt.src)
		if err != nil {
			t.Errorf("%s: %v", tt.src, err)
			continue
		}
		got, err := c.Eval(context.Background(), env)
		if err != nil || got != tt.want {
			t.Errorf("%s = %v, %v; want %v", tt.src, got, err, tt.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{``, `condition: compiling: empty expression`},
		{strings.Repeat("1 == 1 && ", 500) + "true", `condition: compiling: longer than 4096 bytes`},
		{`foo == 1`, `condition: compiling: column 1: unknown name foo; a condition reads trigger, steps, vars and contact`},
		{`trigger.x == 1 && stepz.a.status == "ok"`, `condition: compiling: column 19: unknown name stepz (did you mean "steps"?)`},
		{"trigger.x ==\n  ", `condition: compiling: line 2, column 2: unexpected token EOF`},
		{`1 + 2`, `condition: compiling: the condition must give true or false, not int`},
		{`"yes"`, `condition: compiling: the condition must give true or false, not string`},
		{`len(steps) > 0`, `condition: compiling: column 5: steps must be followed by a step id, as in steps.order.status`},
		{`steps[trigger.id].status == "ok"`, `condition: compiling: column 6: a step must be named by its id, as in steps.order.status`},
		{`$env.trigger != nil`, `condition: compiling: column 1: $env is not available in conditions: read trigger, steps, vars and contact by name`},
		{`now() > date("2020-01-01")`, `condition: compiling: column 1: now is not available in conditions`},
		{`repeat("x", 1000000) != ""`, `condition: compiling: column 1: repeat is not available in conditions`},
		{`join(["a"], trigger.sep) == "a"`, `condition: compiling: column 1: join is not available in conditions`},
		{`len(uniq(trigger.items)) > 1`, `condition: compiling: column 5: uniq is not available in conditions`},
		{`all(trigger.items, 1)`, `condition: compiling: column 20: predicate should return boolean (got int)`},
	} {
		_, err := Compile(tt.src)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%.40q:\n got: %v\nwant: %s", tt.src, err, tt.want)
		}
	}
	// Too many nodes, within the length bound.
	_, err := Compile(strings.Repeat("1+", 1500) + "1 > 0")
	var ce *Error
	if !errors.As(err, &ce) || !strings.Contains(ce.Message, "exceeds maximum allowed nodes") {
		t.Errorf("node bound: %v", err)
	}
}

func TestEvalErrors(t *testing.T) {
	env := runEnv()
	for _, tt := range []struct{ src, want string }{
		{`trigger.count / trigger.zero > 1`, `condition: evaluating: column 15: division by zero`},
		{`trigger.count % trigger.zero == 1`, `condition: evaluating: column 15: runtime error: integer divide by zero`},
		{`steps.nope.status == "ok"`, `condition: evaluating: column 12: cannot fetch status from <nil>`},
		{`trigger.order_id`, `condition: evaluating: the condition must give true or false, not a string`},
		{`trigger.missing`, `condition: evaluating: the condition must give true or false, not nil`},
		{`trigger.items`, `condition: evaluating: the condition must give true or false, not a list`},
	} {
		c, err := Compile(tt.src)
		if err != nil {
			t.Errorf("%s: %v", tt.src, err)
			continue
		}
		_, err = c.Eval(context.Background(), env)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s:\n got: %v\nwant: %s", tt.src, err, tt.want)
		}
	}
	c, _ := Compile(`true`)
	if _, err := c.Eval(context.Background(), map[string]any{"secrets": map[string]any{}}); err == nil || !strings.Contains(err.Error(), `unknown environment member "secrets"`) {
		t.Errorf("extra member: %v", err)
	}
	if _, err := c.Eval(context.Background(), map[string]any{Trigger: "x"}); err == nil || !strings.Contains(err.Error(), "trigger must be a mapping, not string") {
		t.Errorf("trigger not a mapping: %v", err)
	}
	if ok, err := c.Eval(context.Background(), nil); !ok || err != nil {
		t.Errorf("empty env: %v, %v", ok, err)
	}
}

func TestStepRefs(t *testing.T) {
	c, err := Compile(`steps.b.status == "ok" || steps["a"].extract.x > 1 || steps.b.http_status == 200 || all(trigger.items, steps?.c.status == "ok")`)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.StepRefs(); !slices.Equal(got, []string{"b", "a", "c"}) {
		t.Errorf("StepRefs = %v", got)
	}
	c, _ = Compile(`trigger.x == 1`)
	if got := c.StepRefs(); len(got) != 0 {
		t.Errorf("StepRefs = %v", got)
	}
}

// TestEvalBounds runs expressions that loop or grow without end: each must
// stop with its bound's error, within the deadline (plus slack for a
// loaded machine) and allocating a bounded number of bytes.
func TestEvalBounds(t *testing.T) {
	env := runEnv()
	const maxAlloc = 4 * MaxMemory
	for _, tt := range []struct {
		name, src string
		want      error
	}{
		// A nil want accepts either bound: which one is hit first
		// depends on the machine's speed.
		{"nested ranges", `all(1..1000, all(1..1000, all(1..1000, true)))`, nil},
		{"nested loops over the input", `all(trigger.items, all(trigger.items, # >= 0))`, ErrDeadline},
		{"nested map", `len(map(trigger.items, map(trigger.items, map(trigger.items, #)))) > 0`, nil},
		{"huge range", `all(1..100000000, true)`, ErrMemory},
		{"string doubling", `reduce(1..100, #acc + #acc, "xxxxxxxx") != ""`, ErrMemory},
		{"input doubling", `let a = trigger.s + trigger.s; let b = a + a; let c = b + b; let d = c + c; let e = d + d; let f = e + e; let g = f + f; let h = g + g; len(h + h) > 0`, ErrMemory},
		{"list doubling", `len(reduce(1..64, concat(#acc, #acc), [1, 2])) > 0`, nil},
		{"split in a loop", `all(1..100000, len(split(trigger.s, "")) > 0)`, ErrMemory},
		{"sorting in a loop", `all(trigger.items, len(sort(trigger.items)) > 0)`, ErrMemory},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Compile(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err = c.Eval(context.Background(), env)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("stopped after %v, %d bytes allocated: %v", took, alloc, err)
			if tt.want == nil && !errors.Is(err, ErrDeadline) && !errors.Is(err, ErrMemory) || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if took > Timeout+200*time.Millisecond {
				t.Errorf("took %v, more than the %v deadline allows", took, Timeout)
			}
			if alloc > maxAlloc {
				t.Errorf("allocated %d bytes, more than %d", alloc, maxAlloc)
			}
		})
	}
}

func TestEvalContext(t *testing.T) {
	c, err := Compile(`all(trigger.items, all(trigger.items, # >= 0))`)
	if err != nil {
		t.Fatal(err)
	}
	env := runEnv()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.Eval(ctx, env)
	if !errors.Is(err, ErrDeadline) || time.Since(start) > 50*time.Millisecond {
		t.Errorf("err %v after %v", err, time.Since(start))
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := c.Eval(ctx, env); !errors.Is(err, ErrDeadline) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestEvalConcurrent(t *testing.T) {
	c, err := Compile(`steps.order.status == "ok" && any(trigger.items, # == 5)`)
	if err != nil {
		t.Fatal(err)
	}
	env := runEnv()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if ok, err := c.Eval(context.Background(), env); !ok || err != nil {
					t.Errorf("%v, %v", ok, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkEval(b *testing.B) {
	env := runEnv()
	for _, bc := range []struct{ name, src string }{
		{"field compare", `steps.order.status == "ok" && steps.order.extract.tracking != nil`},
		{"string concat", `upper(trigger.order_id) + "!" == "A-1!"`},
		{"loop over 10k items", `any(trigger.items, # == 9999)`},
	} {
		c, err := Compile(bc.src)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if ok, err := c.Eval(context.Background(), env); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
		})
	}
}

// FuzzCompileEval: no source makes Compile or Eval panic, and every
// evaluation ends within the bounds.
func FuzzCompileEval(f *testing.F) {
	for _, s := range []string{`steps.a.status == "ok"`, `all(trigger.items, # > 1)`, `1 / 0 > 1`, `trigger.s + trigger.s != ""`,
		`reduce(1..9, #acc + #acc, "x") != ""`, `steps["a"].x`, `let x = 1; x > 0`, `$env != nil`, `(`, `"\u0000"`} {
		f.Add(s)
	}
	env := runEnv()
	f.Fuzz(func(t *testing.T, src string) {
		c, err := Compile(src)
		if err != nil {
			return
		}
		start := time.Now()
		_, _ = c.Eval(context.Background(), env)
		if took := time.Since(start); took > Timeout+500*time.Millisecond {
			t.Fatalf("%q took %v", src, took)
		}
	})
}
