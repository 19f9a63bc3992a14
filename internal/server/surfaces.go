package server

import (
	"net/http"

	"github.com/actiongate/actiongate/internal/api"
	"github.com/actiongate/actiongate/internal/config"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/mcpserver"
	"github.com/actiongate/actiongate/internal/web"
)

// Surfaces returns the mounts of everything `actiongate serve` answers
// besides the operational endpoints: the admin and tools APIs, MCP over
// streamable HTTP and the console, each a peer reaching state only
// through g.
func Surfaces(g *gateway.Gateway, cfg *config.Config) []func(*http.ServeMux) {
	return []func(*http.ServeMux){
		func(m *http.ServeMux) { api.RegisterAdmin(m, g) },
		func(m *http.ServeMux) { api.RegisterTools(m, g) },
		func(m *http.ServeMux) { api.RegisterContacts(m, g) },
		func(m *http.ServeMux) { mcpserver.Register(m, g, cfg.AllowedOrigins) },
		func(m *http.ServeMux) { web.Register(m, g, web.Options{AllowedOrigins: cfg.AllowedOrigins}) },
	}
}
