package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/actiongate/actiongate/internal/action"
)

func agentRes(name, desc string) action.Resource {
	return action.Resource{Kind: action.KindAgent, Agent: &action.Agent{Name: name, Description: desc, Actions: []string{"lookup"}}}
}

func actionRes(name, url string) action.Resource {
	return action.Resource{Kind: action.KindAction, Action: &action.Action{
		Name: name, Method: action.MethodGet, URL: url,
		Query:  map[string]string{"q": "{{query}}", "a": "1"},
		Params: action.Params{{Name: "query", Param: &action.Param{Type: "string", Required: true}}},
		Body:   &action.Body{Type: "json", Content: map[string]any{"n": 2.5, "s": "x"}},
	}}
}

func credRes(name string, hosts ...string) action.Resource {
	return action.Resource{Kind: action.KindCredential, Credential: &action.Credential{
		Name: name, Type: action.CredBearer, Hosts: hosts, Token: &action.SecretRef{Secret: "TOKEN"},
	}}
}

// specOf is the canonical form used to compare resources.
func specOf(t *testing.T, r action.Resource) string {
	t.Helper()
	b, err := encodeSpec(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func version(t *testing.T, s *Store) int64 {
	t.Helper()
	v, err := s.Version(context.Background())
	must(t, err)
	return v
}

func testResources(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	if v := version(t, s); v != 0 {
		t.Fatalf("fresh Version = %d, want 0", v)
	}
	for _, step := range []struct {
		r    action.Resource
		want Change
	}{
		{actionRes("lookup", "https://api.example.com/a"), Created},
		{actionRes("lookup", "https://api.example.com/a"), Unchanged},
		{actionRes("lookup", "https://api.example.com/b"), Updated},
		{actionRes("alpha", "https://api.example.com/c"), Created},
		{credRes("api", "api.example.com"), Created},
		{agentRes("support", "helps"), Created},
	} {
		got, err := s.Put(ctx, step.r)
		must(t, err)
		if got != step.want {
			t.Fatalf("Put %s = %s, want %s", step.r.Key(), got, step.want)
		}
	}
	if v := version(t, s); v != 5 {
		t.Fatalf("Version after 5 changes = %d", v)
	}

	got, err := s.Get(ctx, action.KindAction, "lookup")
	must(t, err)
	if got.Kind != action.KindAction || got.Action.URL != "https://api.example.com/b" || got.Action.Params.Get("query").Type != "string" {
		t.Fatalf("Get returned %+v", got.Action)
	}
	if specOf(t, *got) != specOf(t, actionRes("lookup", "https://api.example.com/b")) {
		t.Fatalf("stored spec does not round-trip:\n%s", specOf(t, *got))
	}
	_, err = s.Get(ctx, action.KindAgent, "lookup")
	wantErr(t, err, ErrNotFound)

	list, err := s.List(ctx, action.KindAction)
	must(t, err)
	if len(list) != 2 || list[0].Action.Name != "alpha" || list[1].Action.Name != "lookup" {
		t.Fatalf("List(Action) = %v", names(list))
	}
	all, err := s.All(ctx)
	must(t, err)
	if fmt.Sprint(names(all)) != "[Action/alpha Action/lookup Agent/support Credential/api]" {
		t.Fatalf("All = %v", names(all))
	}

	must(t, s.Delete(ctx, action.KindAction, "alpha"))
	wantErr(t, s.Delete(ctx, action.KindAction, "alpha"), ErrNotFound)
	_, err = s.Get(ctx, action.KindAction, "alpha")
	wantErr(t, err, ErrNotFound)
	if v := version(t, s); v != 6 {
		t.Fatalf("Version after delete = %d, want 6", v)
	}

	if _, err := s.Put(ctx, action.Resource{Kind: action.KindAgent, Action: &action.Action{Name: "x"}}); err == nil {
		t.Fatal("Put of an Agent without an agent body succeeded")
	}
}

func names(rs []action.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Key()
	}
	return out
}

func testApply(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	_, err := s.Apply(ctx, []action.Resource{credRes("api", "a.example.com"), actionRes("lookup", "https://a.example.com/")})
	must(t, err)
	v0 := version(t, s)

	got, err := s.Apply(ctx, []action.Resource{
		agentRes("support", "new"),                       // created
		actionRes("lookup", "https://a.example.com/"),    // unchanged
		credRes("api", "a.example.com", "b.example.com"), // updated
	})
	must(t, err)
	want := []Applied{
		{action.KindAgent, "support", Created},
		{action.KindAction, "lookup", Unchanged},
		{action.KindCredential, "api", Updated},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Apply = %v, want %v", got, want)
	}
	if v := version(t, s); v != v0+2 {
		t.Fatalf("Version = %d, want %d", v, v0+2)
	}
	c, err := s.Get(ctx, action.KindCredential, "api")
	must(t, err)
	if len(c.Credential.Hosts) != 2 {
		t.Fatalf("credential hosts = %v", c.Credential.Hosts)
	}

	// Applying the same set again changes nothing.
	got, err = s.Apply(ctx, []action.Resource{agentRes("support", "new"), credRes("api", "a.example.com", "b.example.com")})
	must(t, err)
	for _, a := range got {
		if a.Change != Unchanged {
			t.Fatalf("re-apply reported %v", got)
		}
	}
	if v := version(t, s); v != v0+2 {
		t.Fatalf("Version moved on an unchanged apply: %d", v)
	}

	// The same resource twice is refused before anything is written.
	_, err = s.Apply(ctx, []action.Resource{agentRes("dup", "1"), agentRes("dup", "2")})
	wantErr(t, err, ErrConflict)
	_, err = s.Get(ctx, action.KindAgent, "dup")
	wantErr(t, err, ErrNotFound)
}

// failInsertsNamed makes the database itself reject any resource row named
// name, so a write fails in the middle of a transaction.
func failInsertsNamed(t *testing.T, s *Store, name string) {
	t.Helper()
	ctx := context.Background()
	var stmts []string
	if s.Dialect() == DialectPostgres {
		stmts = []string{
			`CREATE FUNCTION refuse_resource() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END; $$ LANGUAGE plpgsql`,
			fmt.Sprintf(`CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON resources FOR EACH ROW WHEN (NEW.name = '%s') EXECUTE FUNCTION refuse_resource()`, name),
		}
	} else {
		for _, op := range []string{"INSERT", "UPDATE"} {
			stmts = append(stmts, fmt.Sprintf(`CREATE TRIGGER refuse_%s BEFORE %s ON resources WHEN NEW.name = '%s' BEGIN SELECT RAISE(ABORT, 'refused'); END`, op, op, name))
		}
	}
	for _, q := range stmts {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func testApplyAllOrNothing(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	_, err := s.Apply(ctx, []action.Resource{agentRes("keep", "old"), actionRes("lookup", "https://a.example.com/")})
	must(t, err)
	before, err := s.All(ctx)
	must(t, err)
	v0 := version(t, s)
	failInsertsNamed(t, s, "zzz-refused")

	// Rows are written in kind/name order, so the refused one comes after
	// a create and an update have already gone through in the transaction.
	_, err = s.Apply(ctx, []action.Resource{
		agentRes("zzz-refused", "x"),
		agentRes("keep", "new"),
		agentRes("added", "x"),
		actionRes("lookup", "https://changed.example.com/"),
	})
	if err == nil {
		t.Fatal("Apply succeeded although the database refused a row")
	}
	after, err := s.All(ctx)
	must(t, err)
	if fmt.Sprint(specs(t, after)) != fmt.Sprint(specs(t, before)) {
		t.Fatalf("a failed Apply changed resources:\nbefore %v\nafter  %v", specs(t, before), specs(t, after))
	}
	if v := version(t, s); v != v0 {
		t.Fatalf("a failed Apply moved Version from %d to %d", v0, v)
	}
}

func specs(t *testing.T, rs []action.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = specOf(t, r)
	}
	return out
}

// testProviderResources stores a Provider and an Agent with a model and
// limits, and an action with contact inputs, and reads every field back;
// storing an equal spec again changes nothing.
func testProviderResources(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	temperature := 0.25
	rs := []action.Resource{
		{Kind: action.KindProvider, Provider: &action.Provider{
			Name: "llm", Type: action.ProviderAnthropic, BaseURL: "https://api.anthropic.com",
			APIKey: &action.SecretRef{Secret: "anthropic_key"}, Headers: map[string]string{"anthropic-beta": "x"}, Timeout: "45s",
		}},
		{Kind: action.KindAgent, Agent: &action.Agent{
			Name: "talker", Instructions: "Help {{contact.name}}.", Actions: []string{"lookup"},
			Model:  &action.AgentModel{Provider: "llm", Name: "claude-sonnet-4-5", Temperature: &temperature, MaxOutputTokens: 900},
			Limits: &action.TurnLimits{MaxToolCallsPerTurn: 5, MaxTurnTokens: 10000, TurnTimeout: "90s"},
		}},
		{Kind: action.KindAction, Action: &action.Action{
			Name: "lookup", Method: action.MethodGet, URL: "https://api.example.com/{{contact.zip}}",
			ContactInputs: map[string]*action.ContactInput{"zip": {Description: "Postal code", Pattern: "[0-9]{5}", Required: true}},
		}},
	}
	applied, err := s.Apply(ctx, rs)
	must(t, err)
	for _, a := range applied {
		if a.Change != Created {
			t.Errorf("%s/%s: %s, want created", a.Kind, a.Name, a.Change)
		}
	}
	for _, r := range rs {
		got, err := s.Get(ctx, r.Kind, r.Name())
		must(t, err)
		if specOf(t, *got) != specOf(t, r) {
			t.Errorf("%s read back as %s, want %s", r.Key(), specOf(t, *got), specOf(t, r))
		}
	}
	providers, err := s.List(ctx, action.KindProvider)
	must(t, err)
	if len(providers) != 1 || providers[0].Provider == nil || providers[0].Provider.APIKey.Secret != "anthropic_key" {
		t.Fatalf("List(Provider) = %+v", providers)
	}
	again, err := s.Apply(ctx, rs)
	must(t, err)
	for _, a := range again {
		if a.Change != Unchanged {
			t.Errorf("%s/%s applied again: %s, want unchanged", a.Kind, a.Name, a.Change)
		}
	}
	must(t, s.Delete(ctx, action.KindProvider, "llm"))
	if _, err := s.Get(ctx, action.KindProvider, "llm"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: %v", err)
	}
}
