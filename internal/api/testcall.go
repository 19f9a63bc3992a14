package api

import (
	"errors"
	"net/http"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/runlog"
)

// testRequest is the body of POST /api/v1/actions/{name}/test.
type testRequest struct {
	Arguments map[string]any `json:"arguments"`
	Contact   map[string]any `json:"contact"`
	Vars      map[string]any `json:"vars"`
	DryRun    bool           `json:"dry_run"`
	// Confirm sends a write; without it a write stops at
	// confirmation_required and nothing is sent.
	Confirm bool `json:"confirm"`
}

func registerTestCall(mux *http.ServeMux, g *gateway.Gateway) {
	adminRoute(mux, g, "POST /api/v1/actions/{name}/test", func(w http.ResponseWriter, r *http.Request) error {
		return testCall(g, w, r)
	})
}

// testCall runs a stored action for an operator and answers the recorded
// run, the same record as `actiongate action test --json`. The answer is
// 200 whatever the upstream said: the run's outcome tells. An empty body
// calls the action without arguments.
func testCall(g *gateway.Gateway, w http.ResponseWriter, r *http.Request) error {
	var body testRequest
	if r.ContentLength != 0 {
		if err := httpkit.DecodeJSON(w, r, &body); err != nil {
			return err
		}
	}
	name := r.PathValue("name")
	res, err := g.Test(r.Context(), gateway.TestRequest{
		Action: name, Caller: runlog.CallerAPI,
		Arguments: body.Arguments, Contact: body.Contact, Vars: body.Vars,
		DryRun: body.DryRun, Confirm: body.Confirm,
	})
	if errors.Is(err, gateway.ErrUnknownAction) {
		return notFound("no action named %q", name)
	}
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, res.Run)
	return nil
}
