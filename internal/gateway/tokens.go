package gateway

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/store"
)

// tokenPrefix starts every access token, so leaked tokens are easy to find
// with secret scanners.
const tokenPrefix = "agt_"

// ErrUnauthorized means a bearer token is missing, unknown or revoked.
var ErrUnauthorized = errors.New("missing, unknown or revoked token")

// Principal is who a request acts as.
type Principal struct {
	TokenID   string
	TokenName string
	// Admin principals reach everything.
	Admin bool
	// Agent is the only agent a non-admin principal reaches.
	Agent string
	// Elicited marks the person answering the confirmation prompt that the
	// agent's own MCP client showed them (an elicitation): they may approve
	// that agent's confirmations whatever ACTIONGATE_CONFIRM_APPROVERS says.
	Elicited bool
}

// ElicitedUser is the principal of the person answering agent's MCP
// client's confirmation prompt.
func ElicitedUser(agent string) *Principal { return &Principal{Agent: agent, Elicited: true} }

// Operator is the principal of a person at the server's own command line,
// who holds the database and the master key and so is an admin.
func Operator() *Principal { return &Principal{Admin: true, TokenName: "command line"} }

// CanUseAgent reports whether p may use the named agent's tools.
func (p *Principal) CanUseAgent(name string) bool { return p.Admin || p.Agent == name }

// HashToken returns the digest under which a token is stored.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// NewToken returns a fresh random token.
func NewToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// CreateToken issues a token: an admin token when admin is true, otherwise
// one that reaches only the named agent, which must exist (checked again
// in the transaction that stores the token, so a token is never made for
// an agent being deleted). The plaintext is returned once and never stored.
func (g *Gateway) CreateToken(ctx context.Context, name string, admin bool, agent string) (string, *store.Token, error) {
	if name == "" {
		return "", nil, fmt.Errorf("gateway: token name: must not be empty")
	}
	if admin == (agent != "") {
		return "", nil, fmt.Errorf("gateway: a token is either an admin token or an agent token")
	}
	if !admin {
		if _, err := g.Agent(ctx, agent); err != nil {
			return "", nil, err
		}
	}
	plain := NewToken()
	t := &store.Token{Name: name, Hash: HashToken(plain), Admin: admin, Agent: agent}
	create := g.store.CreateToken
	if !admin {
		create = g.store.CreateAgentToken
	}
	if err := create(ctx, t); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return "", nil, fmt.Errorf("gateway: token for agent %q: %w", agent, ErrUnknownAgent)
		}
		if errors.Is(err, store.ErrConflict) {
			return "", nil, fmt.Errorf("gateway: a token named %q already exists: %w", name, err)
		}
		return "", nil, fmt.Errorf("gateway: %w", err)
	}
	return plain, t, nil
}

// BootstrapAdminToken creates an admin token named "admin" when no admin
// token exists, returning its plaintext; "" when one exists already. Safe
// when several replicas start at once: only one creates it.
func (g *Gateway) BootstrapAdminToken(ctx context.Context) (string, error) {
	plain := NewToken()
	created, err := g.store.CreateTokenIfNoAdmin(ctx, &store.Token{Name: "admin", Hash: HashToken(plain), Admin: true})
	if err != nil {
		return "", fmt.Errorf("gateway: creating the first admin token: %w", err)
	}
	if !created {
		return "", nil
	}
	return plain, nil
}

// Authenticate resolves a bearer token to a principal. A token the store
// confirmed less than authTTL ago is answered from memory; revocations
// through this gateway take effect at once (forgetToken), revocations
// elsewhere within authTTL.
func (g *Gateway) Authenticate(ctx context.Context, token string) (*Principal, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return nil, ErrUnauthorized
	}
	digest := sha256.Sum256([]byte(token))
	now := g.now()
	if p, ok := g.auth.get(digest, now); ok {
		return &p, nil
	}
	gen := g.auth.generation()
	t, err := g.store.TokenByHash(ctx, digest[:])
	if errors.Is(err, store.ErrNotFound) {
		g.auth.drop(digest)
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	g.touch(t.ID, now)
	p := Principal{TokenID: t.ID, TokenName: t.Name, Admin: t.Admin, Agent: t.Agent}
	g.auth.put(digest, p, now, gen)
	return &p, nil
}

// touch records a token's last use at most once a minute per process, off
// the request path. Authenticate calls it only when it asks the store, so
// requests answered from the cache write nothing.
func (g *Gateway) touch(id string, now time.Time) {
	g.touchMu.Lock()
	last, ok := g.touched[id]
	if ok && now.Sub(last) < time.Minute {
		g.touchMu.Unlock()
		return
	}
	g.touched[id] = now
	g.touchMu.Unlock()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := g.store.TouchToken(ctx, id, now); err != nil {
			g.log.Warn("recording token use", "err", err)
		}
	}()
}
