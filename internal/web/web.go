// Package web serves the browser console at "/": sign-in with an admin
// token, the actions list and editor with a test panel, importing actions
// from an OpenAPI document, a Postman collection or a cURL line, agents
// with their activated actions, tool definitions, model settings and a chat
// playground, LLM providers, credentials and secrets, contacts and their
// conversations, workflows (their steps drawn as a diagram, a run with
// sample input, each run's step timeline), and the run log. Pages are
// rendered on the server with html/template from embedded files; a small
// hand-written script improves them where it helps (adding table rows,
// live re-filtering, confirming writes, streaming a chat turn as it
// happens) but every form works without it.
//
// Sessions are stateless: the cookie holds the admin token sealed with the
// master key (AES-256-GCM), so any replica sharing the key accepts it, and
// every request authenticates the token again, so revoking it ends the
// session at once. Every state-changing request must carry the session's
// CSRF token and pass net/http's cross-origin protection.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/runtime"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// DefaultSessionTTL is how long a console session lasts after sign-in.
const DefaultSessionTTL = 12 * time.Hour

// Options tune the console.
type Options struct {
	// AllowedOrigins are origins besides the server's own from which
	// state-changing requests are accepted ("https://admin.example.com").
	AllowedOrigins []string
	// TrustForwardedProto treats a request carrying
	// "X-Forwarded-Proto: https" as served over TLS, for deployments behind
	// a TLS-terminating proxy; cookies are then marked Secure.
	TrustForwardedProto bool
	// SessionTTL is how long a session lasts; zero means DefaultSessionTTL.
	SessionTTL time.Duration
	// Runtime runs the conversation turns of the chat playground and
	// resumes a turn whose confirmation is decided here; nil means one of
	// the console's own over g.
	Runtime *runtime.Runtime
}

// Console serves the console pages.
type Console struct {
	g     *gateway.Gateway
	rt    *runtime.Runtime
	opts  Options
	pages *pages
	cop   *http.CrossOriginProtection
	now   func() time.Time
	// imports keeps the import page's sources between its steps.
	imports importDrafts
}

// Register mounts the console on mux: the pages at "/", "/actions",
// "/import",
// "/agents" (with each agent's chat playground), "/credentials",
// "/secrets", "/runs", "/confirmations", "/contacts", "/conversations",
// "/providers", "/workflows", "/workflow-runs" and below, the sign-in
// pages, and the static assets under "/assets/". It panics when an
// allowed origin is malformed, as a configuration mistake found at
// start-up.
func Register(mux *http.ServeMux, g *gateway.Gateway, opts Options) {
	newConsole(g, opts).routes(mux)
}

// newConsole makes the console of Register, its options defaulted.
func newConsole(g *gateway.Gateway, opts Options) *Console {
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = DefaultSessionTTL
	}
	cop := http.NewCrossOriginProtection()
	for _, o := range opts.AllowedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			panic("web: allowed origin: " + err.Error())
		}
	}
	if opts.Runtime == nil {
		opts.Runtime = runtime.New(g, runtime.Options{})
	}
	return &Console{g: g, rt: opts.Runtime, opts: opts, pages: loadPages(), cop: cop, now: time.Now}
}

// routes registers every console route.
func (c *Console) routes(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", cacheFor(time.Hour, http.FileServerFS(static))))

	mux.HandleFunc("GET /sign-in", c.signInPage)
	mux.HandleFunc("POST /sign-in", c.signIn)
	mux.Handle("POST /sign-out", c.post(c.signOut))

	mux.Handle("GET /{$}", c.page(func(w http.ResponseWriter, r *http.Request, _ *session) {
		http.Redirect(w, r, "/actions", http.StatusSeeOther)
	}))
	mux.Handle("GET /actions", c.page(c.actionsList))
	mux.Handle("GET /actions/new", c.page(c.actionNew))
	mux.Handle("POST /actions/new", c.post(c.actionSave))
	mux.Handle("GET /actions/{name}", c.page(c.actionEdit))
	mux.Handle("POST /actions/{name}", c.post(c.actionSave))
	mux.Handle("POST /actions/{name}/delete", c.post(c.actionDelete))
	mux.Handle("POST /actions/{name}/duplicate", c.post(c.actionDuplicate))
	mux.Handle("POST /actions/{name}/test", c.post(c.actionTest))
	mux.Handle("POST /actions/new/test", c.post(c.actionTest))
	mux.Handle("POST /console/refilter", c.post(c.refilter))
	mux.Handle("POST /console/pick", c.post(c.pick))

	mux.Handle("GET /demo", c.page(c.demoPage))
	mux.Handle("POST /demo", c.post(c.demoLoad))

	mux.Handle("GET /import", c.page(c.importPage))
	mux.Handle("POST /import", c.postUpTo(maxImportForm, importTooLarge(), c.importRead))
	mux.Handle("GET /import/{id}", c.page(c.importOperations))
	mux.Handle("POST /import/{id}", c.post(c.importRun))

	mux.Handle("GET /agents", c.page(c.agentsList))
	mux.Handle("POST /agents", c.post(c.agentCreate))
	mux.Handle("GET /agents/{name}", c.page(c.agentPage))
	mux.Handle("GET /agents/{name}/connect", c.page(c.connectPage))
	mux.Handle("POST /agents/{name}", c.post(c.agentUpdate))
	mux.Handle("POST /agents/{name}/delete", c.post(c.agentDelete))
	mux.Handle("POST /agents/{name}/actions/{action}", c.post(c.agentToggle))
	mux.Handle("POST /agents/{name}/tokens", c.post(c.agentTokenCreate))
	mux.Handle("POST /agents/{name}/tokens/{id}/revoke", c.post(c.agentTokenRevoke))

	mux.Handle("GET /credentials", c.page(c.credentialsList))
	mux.Handle("GET /credentials/new", c.page(c.credentialNew))
	mux.Handle("POST /credentials/new", c.post(c.credentialSave))
	mux.Handle("GET /credentials/{name}", c.page(c.credentialEdit))
	mux.Handle("POST /credentials/{name}", c.post(c.credentialSave))
	mux.Handle("POST /credentials/{name}/delete", c.post(c.credentialDelete))

	mux.Handle("GET /secrets", c.page(c.secretsList))
	mux.Handle("POST /secrets", c.post(c.secretSet))
	mux.Handle("POST /secrets/{name}/delete", c.post(c.secretDelete))

	mux.Handle("GET /runs", c.page(c.runsList))
	mux.Handle("GET /runs/{id}", c.page(c.runDetail))

	mux.Handle("GET /confirmations", c.page(c.confirmationsList))
	mux.Handle("GET /confirmations/{id}", c.page(c.confirmationPage))
	mux.Handle("POST /confirmations/{id}", c.post(c.confirmationDecide))

	mux.Handle("GET /agents/{name}/chat", c.page(c.chatPage))
	mux.Handle("POST /agents/{name}/chat", c.post(c.chatStart))
	mux.Handle("GET /agents/{name}/chat/{id}", c.page(c.chatConversation))
	mux.Handle("POST /agents/{name}/chat/{id}/messages", c.post(c.chatSend))
	mux.Handle("POST /agents/{name}/chat/{id}/decide", c.post(c.chatDecide))

	mux.Handle("GET /contacts", c.page(c.contactsList))
	mux.Handle("GET /contacts/new", c.page(c.contactNew))
	mux.Handle("POST /contacts/new", c.post(c.contactCreate))
	mux.Handle("GET /contacts/{id}", c.page(c.contactPage))
	mux.Handle("POST /contacts/{id}", c.post(c.contactUpdate))
	mux.Handle("POST /contacts/{id}/delete", c.post(c.contactDelete))

	mux.Handle("GET /conversations", c.page(c.conversationsList))
	mux.Handle("GET /conversations/{id}", c.page(c.conversationPage))

	mux.Handle("GET /workflows", c.page(c.workflowsList))
	mux.Handle("GET /workflows/{name}", c.page(c.workflowPage))
	mux.Handle("POST /workflows/{name}/runs", c.post(c.workflowStart))
	mux.Handle("GET /workflow-runs/{id}", c.page(c.workflowRunPage))
	mux.Handle("POST /workflow-runs/{id}/retry", c.post(c.workflowRunRetry))
	mux.Handle("POST /workflow-runs/{id}/cancel", c.post(c.workflowRunCancel))

	mux.Handle("GET /providers", c.page(c.providersList))
	mux.Handle("GET /providers/new", c.page(c.providerNew))
	mux.Handle("POST /providers/new", c.post(c.providerSave))
	mux.Handle("GET /providers/{name}", c.page(c.providerEdit))
	mux.Handle("POST /providers/{name}", c.post(c.providerSave))
	mux.Handle("POST /providers/{name}/delete", c.post(c.providerDelete))
}

// cacheFor sets a Cache-Control max-age on static responses.
func cacheFor(d time.Duration, h http.Handler) http.Handler {
	v := "public, max-age=" + itoa(int(d/time.Second))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", v)
		h.ServeHTTP(w, r)
	})
}
