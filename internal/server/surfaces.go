package server

import (
	"net/http"

	"github.com/actiongate/actiongate/internal/api"
	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/mcpserver"
	"github.com/actiongate/actiongate/internal/runtime"
	"github.com/actiongate/actiongate/internal/web"
)

// Surfaces returns the mounts of everything `actiongate serve` answers
// besides the operational endpoints: the admin, tools and conversations
// APIs, the webhooks that start workflow runs, the OpenAI-compatible door,
// MCP over streamable HTTP and the console, each a peer reaching state
// only through g. The surfaces that run conversation turns share rt, the
// agent runtime over g.
func Surfaces(g *gateway.Gateway, cfg *config.Config, rt *runtime.Runtime) []func(*http.ServeMux) {
	return []func(*http.ServeMux){
		func(m *http.ServeMux) { api.RegisterAdmin(m, g) },
		func(m *http.ServeMux) { api.RegisterHooks(m, g) },
		func(m *http.ServeMux) { api.RegisterTools(m, g, rt) },
		func(m *http.ServeMux) { api.RegisterContacts(m, g) },
		func(m *http.ServeMux) { api.RegisterConversations(m, g, rt) },
		func(m *http.ServeMux) { api.RegisterOpenAI(m, g, rt) },
		func(m *http.ServeMux) { mcpserver.Register(m, g, cfg.AllowedOrigins) },
		func(m *http.ServeMux) {
			web.Register(m, g, web.Options{AllowedOrigins: cfg.AllowedOrigins, Runtime: rt})
		},
	}
}
