package web

import (
	"net/http"

	"github.com/actiongate/actiongate/internal/api"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/runtime"
)

// registerTools mounts the tools API on m, over an agent runtime of g, for
// the tests that approve confirmations through it.
func registerTools(m *http.ServeMux, g *gateway.Gateway) {
	api.RegisterTools(m, g, runtime.New(g, runtime.Options{}))
}
