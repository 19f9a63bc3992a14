package mcpserver

import (
	"net/http/httptest"
	"testing"
)

func TestOriginPolicy(t *testing.T) {
	p := newOriginPolicy([]string{"https://App.Example.com/", "http://localhost:3000", "not a url"})
	cases := []struct {
		origin, host string
		want         bool
	}{
		{"http://gate.internal:8080", "gate.internal:8080", true},
		{"https://gate.internal", "gate.internal", true},     // TLS ended at a proxy
		{"https://gate.internal:443", "gate.internal", true}, // default port
		{"http://GATE.internal", "gate.internal:80", true},   // case, default port
		{"http://gate.internal:8081", "gate.internal:8080", false},
		{"https://app.example.com", "gate.internal", true},
		{"https://app.example.com:443", "gate.internal", true},
		{"http://app.example.com", "gate.internal", false}, // another scheme is another origin
		{"http://localhost:3000", "gate.internal", true},
		{"http://localhost:3001", "gate.internal", false},
		{"https://evil.example", "gate.internal", false},
		{"null", "gate.internal", false},
		{"file://", "gate.internal", false},
		{"https://gate.internal/path", "gate.internal", false},
		{"chrome-extension://abc", "abc", false},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "http://"+c.host+"/mcp/a", nil)
		r.Host = c.host
		if got := p.allows(c.origin, r); got != c.want {
			t.Errorf("origin %q to host %q: allowed %v, want %v", c.origin, c.host, got, c.want)
		}
	}
}
