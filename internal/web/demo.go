package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/demo"
	demoshop "github.com/actiongate/actiongate/internal/demo/shop"
)

// demoData is the demo page's model.
type demoData struct {
	Items []demo.Item
	// Loaded means every part of the demo is stored.
	Loaded bool
	// JustLoaded means the page follows a load; Kept names the parts it
	// kept because something of that name was stored before.
	JustLoaded bool
	Kept       []demo.Item
	// Problems say why a load stored nothing.
	Problems []string
	Host     string
	Agent    string
	First    string
	Refund   string
	Customer string
}

// demoPage shows what the demo stores and whether it is stored, with a
// button to store it.
func (c *Console) demoPage(w http.ResponseWriter, r *http.Request, s *session) {
	c.renderDemo(w, r, s, http.StatusOK, nil)
}

// renderDemo renders the demo page with its parts' state read now.
func (c *Console) renderDemo(w http.ResponseWriter, r *http.Request, s *session, status int, problems []string) {
	items, err := demo.Status(r.Context(), c.g)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	q := r.URL.Query()
	d := &demoData{Items: items, Loaded: demo.Loaded(items), JustLoaded: q.Get("loaded") == "1", Problems: problems,
		Host: demoshop.BaseURL, Agent: demo.Agent, First: demo.FirstAction, Refund: "demo_refund_order", Customer: "demo_find_customer"}
	kept := strings.Split(q.Get("kept"), ",")
	for _, it := range items {
		for _, k := range kept {
			// Only names of the demo's own parts are shown, never text
			// from the URL.
			if k == demoKey(it) {
				d.Kept = append(d.Kept, it)
			}
		}
	}
	c.render(w, r, status, "demo", s, d)
}

// demoKey names a part of the demo in the page's URL.
func demoKey(it demo.Item) string { return string(it.Kind) + "/" + it.Name }

// demoLoad stores the missing parts of the demo through the gateway and
// shows the demo page; a load refused by what is stored stores nothing
// and says why.
func (c *Console) demoLoad(w http.ResponseWriter, r *http.Request, s *session) {
	rep, err := demo.Load(r.Context(), c.g)
	var verrs action.Errors
	if errors.As(err, &verrs) {
		problems := make([]string, len(verrs))
		for i, e := range verrs {
			problems[i] = e.Message
		}
		c.renderDemo(w, r, s, http.StatusConflict, problems)
		return
	}
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	q := url.Values{"loaded": {"1"}}
	if len(rep.Kept) > 0 {
		keys := make([]string, len(rep.Kept))
		for i, it := range rep.Kept {
			keys[i] = demoKey(it)
		}
		q.Set("kept", strings.Join(keys, ","))
	}
	http.Redirect(w, r, "/demo?"+q.Encode(), http.StatusSeeOther)
}
