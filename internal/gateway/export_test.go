package gateway

import (
	"github.com/actiongate/actiongate/internal/secret"
	"github.com/actiongate/actiongate/internal/store"
)

// Store gives the gateway's own tests the store, to arrange and inspect
// state directly; it exists only in this package's test builds.
func (g *Gateway) Store() *store.Store { return g.store }

// Keyring gives the gateway's own tests the master keyring; it exists only
// in this package's test builds.
func (g *Gateway) Keyring() *secret.Keyring { return g.keyring }
