package respfilter

import (
	"context"
	"testing"
)

func TestExclude(t *testing.T) {
	f := newFilter(t)
	body := []byte(`{"id":1,"node_id":"X","html_url":"u","user":{"login":"a","avatar_url":"v","node_id":"Y"},"list":[{"events_url":"e","name":"n"}]}`)
	res, err := f.Apply(context.Background(), "application/json", body, Options{Exclude: []string{"*_url", "node_id"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":1,"list":[{"name":"n"}],"user":{"login":"a"}}`
	if res.Output != want {
		t.Errorf("got %s, want %s", res.Output, want)
	}
}

func TestExcludeBadPattern(t *testing.T) {
	f := newFilter(t)
	if _, err := f.Apply(context.Background(), "application/json", []byte(`{}`), Options{Exclude: []string{"[a-"}}); err == nil {
		t.Error("no error for a malformed pattern")
	}
}

func TestCompact(t *testing.T) {
	f := newFilter(t)
	body := []byte(`{"a":null,"b":"","c":[],"d":{},"e":{"f":null,"g":{"h":[]}},"i":[null,"",1],"j":0,"k":false,"l":"x"}`)
	res, err := f.Apply(context.Background(), "application/json", body, Options{Compact: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"i":[null,"",1],"j":0,"k":false,"l":"x"}`; res.Output != want {
		t.Errorf("compact: got %s, want %s", res.Output, want)
	}
	res, err = f.Apply(context.Background(), "application/json", body, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":null,"b":"","c":[],"d":{},"e":{"f":null,"g":{"h":[]}},"i":[null,"",1],"j":0,"k":false,"l":"x"}`; res.Output != want {
		t.Errorf("no compact: got %s, want %s", res.Output, want)
	}
}

func TestNumbersStayExact(t *testing.T) {
	f := newFilter(t)
	body := []byte(`{"big":123456789012345678901234567890,"dec":1.10,"exp":1E+400,"neg":-0.000001}`)
	res, err := f.Apply(context.Background(), "application/json", body, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"big":123456789012345678901234567890,"dec":1.10,"exp":1E+400,"neg":-0.000001}`; res.Output != want {
		t.Errorf("got %s, want %s", res.Output, want)
	}
	res, err = f.Apply(context.Background(), "application/json", body, Options{Select: `{big, sum: (.dec + 1), half: 0.5, huge: (.big * 10)}`})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"big":123456789012345678901234567890,"half":0.5,"huge":1234567890123456789012345678900,"sum":2.1}`; res.Output != want {
		t.Errorf("after select: got %s, want %s", res.Output, want)
	}
}

func TestNDJSONBecomesArray(t *testing.T) {
	f := newFilter(t)
	res, err := f.Apply(context.Background(), "application/x-ndjson", []byte("{\"a\":1}\n{\"a\":2}\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"a":1},{"a":2}]`; res.Output != want {
		t.Errorf("got %s, want %s", res.Output, want)
	}
}
