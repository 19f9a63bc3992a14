package httpkit_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/respfilter"
)

// answer is a decoded response: status, WWW-Authenticate and the error.
type answer struct {
	status int
	auth   string
	body   map[string]map[string]any
}

func serve(t *testing.T, h http.Handler, method, token, body string) answer {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest(method, srv.URL+"/x/sales", strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, auth: resp.Header.Get("WWW-Authenticate")}
	_ = json.NewDecoder(resp.Body).Decode(&a.body)
	return a
}

// TestBearerAuthentication checks the guards every surface shares: who is
// refused with which status and error code, and that the handler finds the
// principal in the request's context.
func TestBearerAuthentication(t *testing.T) {
	tok, err := respfilter.NewTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	f := gatewaytest.New(t, tok)
	sales, revoked := f.Token("sales"), f.RevokedToken("sales")
	seen := func(w http.ResponseWriter, r *http.Request) {
		p := httpkit.PrincipalFrom(r.Context())
		httpkit.WriteJSON(w, http.StatusOK, map[string]any{"error": map[string]any{"code": p.TokenName}})
	}
	mux := http.NewServeMux()
	mux.Handle("/x/{agent}", httpkit.RequireAgent(f.G, http.HandlerFunc(seen)))
	admin := httpkit.RequireAdmin(f.G, http.HandlerFunc(seen))
	anyToken := httpkit.RequireToken(f.G, http.HandlerFunc(seen))

	for _, c := range []struct {
		name   string
		h      http.Handler
		header string
		status int
		code   string
	}{
		{"no header", anyToken, "", 401, httpkit.CodeUnauthorized},
		{"not bearer", anyToken, "Basic " + sales, 401, httpkit.CodeUnauthorized},
		{"unknown token", anyToken, "Bearer agt_nope", 401, httpkit.CodeUnauthorized},
		{"revoked token", anyToken, "Bearer " + revoked, 401, httpkit.CodeUnauthorized},
		{"agent token, admin route", admin, "Bearer " + sales, 403, httpkit.CodeForbidden},
		{"agent token, its agent", mux, "bearer  " + sales, 200, "t1-sales"},
		{"admin token, admin route", admin, "Bearer " + f.Admin, 200, "admin"},
	} {
		a := serve(t, c.h, "GET", c.header, "")
		if a.status != c.status || a.body["error"]["code"] != c.code {
			t.Errorf("%s: %d %v, want %d %s", c.name, a.status, a.body, c.status, c.code)
		}
		if (a.status == 401) != (a.auth != "") {
			t.Errorf("%s: WWW-Authenticate %q with status %d", c.name, a.auth, a.status)
		}
	}
	other := f.Token("support")
	if a := serve(t, mux, "GET", "Bearer "+other, ""); a.status != 403 || !strings.Contains(a.body["error"]["message"].(string), `"sales"`) {
		t.Errorf("another agent's token: %d %v", a.status, a.body)
	}
}

// TestDecodeJSONNamesTheField checks the error shape of a body that does
// not fit: the field's path is in the message and in fields.
func TestDecodeJSONNamesTheField(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var v struct {
			Limit int `json:"limit"`
		}
		if err := httpkit.DecodeJSON(w, r, &v); err != nil {
			httpkit.WriteError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	for _, c := range []struct {
		body, field string
		status      int
	}{
		{`{"limit":"ten"}`, "limit", 400},
		{`{"limt":1}`, "limt", 400},
		{`{"limit":1}{}`, "", 400},
		{`{"limit":1}`, "", 204},
	} {
		a := serve(t, h, "POST", "", c.body)
		if a.status != c.status {
			t.Errorf("%s: status %d, want %d", c.body, a.status, c.status)
		}
		if c.field == "" {
			continue
		}
		fields, _ := a.body["error"]["fields"].(map[string]any)
		if a.body["error"]["code"] != httpkit.CodeInvalidJSON || fields[c.field] == nil {
			t.Errorf("%s: %v, want an invalid_json error naming %s", c.body, a.body, c.field)
		}
	}
}
