package mcpserver

import (
	"net/http"
	"strings"

	"github.com/actiongate/actiongate/internal/httpkit"
)

// CORS for browser-based MCP clients on the allowed origins
// (ACTIONGATE_ALLOWED_ORIGINS). The server's own origin needs none.
const (
	// corsAllowMethods are the methods of the streamable HTTP transport.
	corsAllowMethods = "GET, POST, DELETE, OPTIONS"
	// corsAllowHeaders are the request headers MCP clients send; the
	// per-parameter Mcp-Param-* headers are allowed as requested.
	corsAllowHeaders = "Authorization, Content-Type, Accept, Mcp-Protocol-Version, Mcp-Session-Id, Last-Event-ID, Mcp-Method, Mcp-Name"
	// corsExposeHeaders are the response headers a client script reads.
	corsExposeHeaders = "Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate"
	// corsMaxAge is how long (seconds) a browser may reuse a preflight.
	corsMaxAge = "600"
)

// checkOrigin applies the origin policy to a request carrying Origin: a
// request from an allowed origin gets the CORS headers (on every answer,
// errors included) and its preflight is answered here, without a token;
// one from a foreign origin, or a preflight from any origin not allowed,
// is refused with 403 and no CORS headers. It reports whether the request
// goes on.
func (h *Handler) checkOrigin(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	w.Header().Add("Vary", "Origin")
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	cross := h.origins.configured(origin)
	switch {
	case !cross && preflight:
		httpkit.WriteError(w, httpkit.Errorf(http.StatusForbidden, httpkit.CodeForbidden,
			"cross-origin requests from %q are not allowed; add it to ACTIONGATE_ALLOWED_ORIGINS to allow it", origin))
		return false
	case !cross && !h.origins.allows(origin, r):
		httpkit.WriteError(w, httpkit.Errorf(http.StatusForbidden, httpkit.CodeForbidden,
			"requests from origin %q are not allowed; add it to ACTIONGATE_ALLOWED_ORIGINS to allow it", origin))
		return false
	case !cross:
		return true
	}
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", origin)
	hd.Set("Access-Control-Expose-Headers", corsExposeHeaders)
	if !preflight {
		return true
	}
	hd.Add("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers")
	hd.Set("Access-Control-Allow-Methods", corsAllowMethods)
	hd.Set("Access-Control-Allow-Headers", allowHeaders(r.Header.Values("Access-Control-Request-Headers")))
	hd.Set("Access-Control-Max-Age", corsMaxAge)
	w.WriteHeader(http.StatusNoContent)
	return false
}

// allowHeaders is corsAllowHeaders plus the requested Mcp-Param-* headers.
func allowHeaders(requested []string) string {
	var b strings.Builder
	b.WriteString(corsAllowHeaders)
	for _, v := range requested {
		for name := range strings.SplitSeq(v, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if strings.HasPrefix(name, "mcp-param-") && isToken(name) {
				b.WriteString(", ")
				b.WriteString(name)
			}
		}
	}
	return b.String()
}

// isToken reports whether s is a plain header name: letters, digits and
// hyphens.
func isToken(s string) bool {
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return s != ""
}
