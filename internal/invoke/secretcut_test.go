package invoke

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"github.com/actiongate/actiongate/internal/redact"
	"github.com/actiongate/actiongate/internal/redact/redacttest"
	"github.com/actiongate/actiongate/internal/runlog"
)

// echoFixture is an engine calling an upstream that echoes a stored secret
// behind padding the model chooses, with strings cut at 40 characters.
type echoFixture struct {
	eng *Engine
	// call calls the action echo, whose strings are cut at 40 characters;
	// spelled calls echo_spelled, which cuts none.
	call, spelled func(args map[string]any) *Result
	secret, head  string
}

func newEchoFixture(t *testing.T) *echoFixture {
	t.Helper()
	up := httptest.NewServer(redacttest.Echo())
	t.Cleanup(up.Close)
	as, _ := decode(t, redacttest.EchoActions(up.URL, "CANARY"))
	f := &echoFixture{}
	f.secret, f.head = redacttest.Canary()
	f.eng = newTestEngine(t, map[string]string{"ACTIONGATE_SECRET_CANARY": f.secret})
	f.call = func(args map[string]any) *Result {
		return f.eng.Invoke(context.Background(), &Call{Action: as["echo_cut"], Args: args})
	}
	f.spelled = func(args map[string]any) *Result {
		return f.eng.Invoke(context.Background(), &Call{Action: as["echo_spelled"], Args: args})
	}
	return f
}

// check fails the test when any part of the secret, or a cut mask, is in
// what the call produced: the model's output, the error, the stored
// response excerpt, the rest kept for paging and the page after it.
func (f *echoFixture) check(t *testing.T, what string, res *Result) {
	t.Helper()
	r := res.Run
	surfaces := map[string]string{"output": r.Output, "error": r.Error, "response": r.Response, "rest": string(res.Rest)}
	if res.Rest != nil {
		next, err := f.eng.Filter().Next(context.Background(), res.Rest, res.Options)
		if err != nil {
			t.Fatalf("%s: next page: %v", what, err)
		}
		surfaces["next page"] = next.Output
	}
	for name, text := range surfaces {
		if found := redacttest.Find([]byte(text), f.secret, f.head); len(found) > 0 {
			t.Errorf("%s: the %s holds the secret (%s): %s", what, name, strings.Join(found, ", "), shorten(text))
		}
		if strings.Count(text, "•")%4 != 0 {
			t.Errorf("%s: the %s holds a mask cut in two: %s", what, name, shorten(text))
		}
	}
}

// shorten keeps the end of a long text for a failure message.
func shorten(s string) string {
	if len(s) > 300 {
		return "…" + s[len(s)-300:]
	}
	return s
}

// TestCutNeverRevealsPartOfASecret moves the point where a string is cut
// across the echoed secret, one character at a time, in every response
// shape: no prefix of the secret may reach the model, the run record or
// the next page.
func TestCutNeverRevealsPartOfASecret(t *testing.T) {
	f := newEchoFixture(t)
	for _, form := range []string{"json", "text", "html", "error", "list"} {
		for n := range 44 {
			res := f.call(map[string]any{"form": form, "pad": strings.Repeat("=", n%3), "n": json.Number(fmt.Sprint(n - n%3))})
			if form != "error" && res.Run.Outcome != runlog.OutcomeOK {
				t.Fatalf("%s: %s %s", form, res.Run.Outcome, res.Run.Output)
			}
			f.check(t, fmt.Sprintf("%s, padding %d", form, n), res)
			if n == 0 && !strings.Contains(res.Run.Output, redact.Mask) {
				t.Errorf("%s: the whole secret fits but is not shown masked: %s", form, res.Run.Output)
			}
		}
	}
}

// TestResponseExcerptNeverCutsInsideASecret moves the end of the stored
// 64 KiB excerpt across the echoed secret.
func TestResponseExcerptNeverCutsInsideASecret(t *testing.T) {
	f := newEchoFixture(t)
	masked := 0
	for n := MaxResponseExcerpt - len(f.secret); n <= MaxResponseExcerpt+1; n++ {
		res := f.call(map[string]any{"form": "text", "n": json.Number(fmt.Sprint(n))})
		if res.Run.RawBytes <= MaxResponseExcerpt || len(res.Run.Response) > MaxResponseExcerpt {
			t.Fatalf("padding %d: %d raw bytes, excerpt of %d", n, res.Run.RawBytes, len(res.Run.Response))
		}
		f.check(t, fmt.Sprintf("padding %d", n), res)
		if strings.Contains(res.Run.Response, redact.Mask) {
			masked++
		}
	}
	if masked == 0 {
		t.Error("no excerpt ended with the masked secret, so the test cut nothing")
	}
}

// TestStoredResponseMasksEverySpelling has the upstream spell the secret
// in each encoding a body may carry.
func TestStoredResponseMasksEverySpelling(t *testing.T) {
	f := newEchoFixture(t)
	for name := range redacttest.Spellings(f.secret) {
		res := f.spelled(map[string]any{"spelling": name})
		if res.Run.Outcome != runlog.OutcomeOK {
			t.Fatalf("%s: %s %s", name, res.Run.Outcome, res.Run.Output)
		}
		f.check(t, name, res)
		want := `"echo":"` + redact.Mask + `"`
		if !strings.Contains(res.Run.Response, want) || !strings.Contains(res.Run.Output, want) {
			t.Errorf("%s: the mask is not where the secret was:\n  response %s\n  output %s", name, res.Run.Response, res.Run.Output)
		}
	}
}

// TestMaskingKeepsTheFilterWorking checks that masking before filtering
// keeps the body parseable JSON and the token counts consistent.
func TestMaskingKeepsTheFilterWorking(t *testing.T) {
	f := newEchoFixture(t)
	res := f.call(map[string]any{"form": "list"})
	if res.Run.Outcome != runlog.OutcomeOK || !strings.HasPrefix(res.Run.Output, "{") || res.Rest == nil {
		t.Fatalf("the list is no longer filtered as JSON: %s", res.Run.Output)
	}
	if want := f.eng.Tokenizer().Count(res.Run.Output); res.Run.OutputTokens != want {
		t.Errorf("output tokens %d, counted %d", res.Run.OutputTokens, want)
	}
}

// TestOAuthAccessTokenEchoedIsMasked has an upstream echo the request's
// headers, which carry the access token fetched from the token endpoint.
func TestOAuthAccessTokenEchoedIsMasked(t *testing.T) {
	const accessToken = "at-5d41402abc4b2a76b9719d911017c592"
	auth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"bearer","expires_in":3600}`, accessToken)
	}))
	defer auth.Close()
	up := httptest.NewServer(httpbin.New())
	defer up.Close()
	as, cs := decode(t, `
kind: Credential
name: oauth
type: oauth2_client_credentials
hosts: [127.0.0.1]
token_url: `+auth.URL+`/token
client_id: app
client_secret: {env: CLIENT_SECRET}
---
kind: Action
name: echo_headers
method: GET
url: `+up.URL+`/headers
auth: oauth
`)
	eng := newTestEngine(t, map[string]string{"CLIENT_SECRET": "cs-0123456789abcdef"})
	for range 2 { // fetched, then from the cache
		r := eng.Invoke(context.Background(), &Call{Action: as["echo_headers"], Credential: cs["oauth"]}).Run
		if r.Outcome != runlog.OutcomeOK || !strings.Contains(r.Response, "Bearer "+redact.Mask) {
			t.Fatalf("%s: %s %s", r.Outcome, r.Output, r.Response)
		}
		all, _ := json.Marshal(r)
		if strings.Contains(string(all), accessToken[3:15]) {
			t.Fatalf("the access token reached the run: %s", all)
		}
	}
}
