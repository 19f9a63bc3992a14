package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/runlog"
)

// pages holds one template set per page, each made of the shared layout
// and partials plus the page's own file.
type pages struct {
	sets map[string]*template.Template
}

// baseFiles are the templates every page set includes.
var baseFiles = []string{"templates/layout.html", "templates/partials.html", "templates/testpanel.html"}

// loadPages parses the embedded templates. They are part of the binary and
// covered by tests, so a parse error is a programming error and panics.
func loadPages() *pages {
	base := template.Must(template.New("layout.html").Funcs(funcs()).ParseFS(templateFS, baseFiles...))
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, f := range files {
		if slices.Contains(baseFiles, f) {
			continue
		}
		name := strings.TrimSuffix(path.Base(f), ".html")
		p.sets[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, f))
	}
	return p
}

// navSection maps a page to the navigation entry it belongs to.
var navSection = map[string]string{
	"actions": "actions", "action": "actions", "demo": "actions",
	"agents": "agents", "agent": "agents", "connect": "agents",
	"credentials": "credentials", "credential": "credentials",
	"secrets": "secrets",
	"import":  "import", "importops": "import", "imported": "import",
	"runs": "runs", "run": "runs",
	"confirmations": "confirmations",
	"chat":          "agents",
	"contacts":      "contacts", "contact": "contacts",
	"conversations": "conversations", "conversation": "conversations",
	"providers": "providers", "provider": "providers",
	"workflows": "workflows", "workflow": "workflows", "workflowrun": "workflows",
}

// flashes are the confirmations a redirect may ask a page to show (by
// code, so no text from the URL reaches the page).
var flashes = map[string]string{
	"saved":       "Saved.",
	"created":     "Created.",
	"deleted":     "Deleted.",
	"activated":   "Activated.",
	"deactivated": "Deactivated.",
	"revoked":     "Token revoked.",
	"secret-set":  "Secret stored. Its value cannot be shown again.",

	"confirmation-approve": "Approved: the request was sent once; what came back is below.",
	"confirmation-reject":  "Rejected: nothing was sent.",
	"confirmation-retry":   "Sent again; what came back is below.",
	"confirmation-close":   "Closed without sending again.",

	"run-retried":   "Retrying from the failed step.",
	"run-cancelled": "Cancelled: no further step will run.",
}

// warnings are the flashes that say a request changed nothing.
var warnings = map[string]string{
	"retry-refused":  "Only a failed run can be retried; this one did not fail, so nothing changed.",
	"cancel-refused": "This run has already finished; there was nothing to cancel.",
}

// view is what the layout renders around a page.
type view struct {
	Page  string
	Nav   string
	Flash string
	// Warn marks a flash saying that nothing changed.
	Warn bool
	CSRF string
	User string
	// Pending counts the confirmations waiting for a decision, for the
	// navigation.
	Pending int
	Data    any
}

// render writes a full page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, s *session, data any) {
	code := r.URL.Query().Get("done")
	v := &view{Page: name, Nav: navSection[name], Flash: flashes[code], Data: data}
	if msg, ok := warnings[code]; ok {
		v.Flash, v.Warn = msg, true
	}
	if s != nil {
		v.CSRF = s.CSRF
		v.User = s.Principal.TokenName
		n, err := c.g.PendingConfirmations(r.Context())
		if err != nil {
			c.g.Logger().Error("counting pending confirmations for the navigation", "err", err)
		}
		v.Pending = n
	}
	c.execute(w, status, name, "layout", v)
}

// renderFragment writes one named template of a page set on its own, for
// the script to put into the page.
func (c *Console) renderFragment(w http.ResponseWriter, page, fragment string, data any) {
	c.execute(w, http.StatusOK, page, fragment, data)
}

func (c *Console) execute(w http.ResponseWriter, status int, page, tmpl string, data any) {
	set := c.pages.sets[page]
	var buf bytes.Buffer
	if set == nil {
		http.Error(w, "unknown page "+page, http.StatusInternalServerError)
		return
	}
	if err := set.ExecuteTemplate(&buf, tmpl, data); err != nil {
		c.g.Logger().Error("rendering console page", "page", page, "err", err)
		http.Error(w, "The page could not be rendered; see the server log.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// messageData is the model of the plain message page.
type messageData struct {
	Title   string
	Message string
}

func (c *Console) message(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	if isScript(r) {
		httpkit.WriteJSON(w, status, map[string]string{"error": msg})
		return
	}
	c.render(w, r, status, "message", nil, &messageData{Title: title, Message: msg})
}

func (c *Console) forbidden(w http.ResponseWriter, r *http.Request, msg string) {
	c.message(w, r, http.StatusForbidden, "Request refused", msg)
}

func (c *Console) badRequest(w http.ResponseWriter, r *http.Request, msg string) {
	c.message(w, r, http.StatusBadRequest, "Bad request", msg)
}

func (c *Console) tooLarge(w http.ResponseWriter, r *http.Request, msg string) {
	c.message(w, r, http.StatusRequestEntityTooLarge, "Too large", msg)
}

func (c *Console) notFound(w http.ResponseWriter, r *http.Request, what string) {
	c.message(w, r, http.StatusNotFound, "Not found", what+" does not exist. It may have been deleted.")
}

// serverError logs err and shows a page that does not repeat it.
func (c *Console) serverError(w http.ResponseWriter, r *http.Request, err error) {
	c.g.Logger().Error("console request failed", "path", r.URL.Path, "err", err)
	c.message(w, r, http.StatusInternalServerError, "Something went wrong", "The server could not complete this request; the details are in the server log.")
}

// redirectDone sends the browser to target with a flash code.
func redirectDone(w http.ResponseWriter, r *http.Request, target, code string) {
	target, frag, _ := strings.Cut(target, "#")
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	target += sep + "done=" + code
	if frag != "" {
		target += "#" + frag
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func itoa(n int) string { return strconv.Itoa(n) }

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// funcs are the template helpers.
func funcs() template.FuncMap {
	return template.FuncMap{
		"invalid":     invalidAttrs,
		"errorsFor":   errorsFor,
		"add":         func(a, b int) int { return a + b },
		"dict":        dict,
		"blankParam":  func() paramRow { return paramRow{Type: action.ParamTypeString} },
		"blankKV":     func() kv { return kv{} },
		"methodClass": func(m string) string { return "m-" + strings.ToLower(m) },
		"outcomeClass": func(o string) string {
			switch o {
			case runlog.OutcomeOK:
				return "ok"
			case runlog.OutcomeDryRun:
				return "info"
			case runlog.OutcomeConfirmationRequired, runlog.OutcomePending, runlog.OutcomeUnknown:
				return "warn"
			case "":
				return "none"
			}
			return "bad"
		},
		"outcomeLabel": outcomeLabel,
		"runClass":     runStatusClass,
		"runTook":      runTook,
		"highlight":    highlight,
		"pretty":       prettyJSON,
		"when":         func(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05") },
		"ago":          ago,
		"ms":           func(v float64) string { return formatMS(v) },
		"join":         strings.Join,
		"isWrite":      action.IsWrite,
		"hasString":    slices.Contains[[]string],
		"contactLabel": contactLabel,
		"num":          num,
		"sortedHeaders": func(h map[string][]string) []headerLine {
			return sortedHeaders(h)
		},
	}
}

// dict builds a map from key, value pairs, to pass several values to a
// shared template.
func dict(kvs ...any) (map[string]any, error) {
	if len(kvs)%2 != 0 {
		return nil, fmt.Errorf("web: dict needs key, value pairs")
	}
	m := make(map[string]any, len(kvs)/2)
	for i := 0; i < len(kvs); i += 2 {
		k, ok := kvs[i].(string)
		if !ok {
			return nil, fmt.Errorf("web: dict key %v is not a string", kvs[i])
		}
		m[k] = kvs[i+1]
	}
	return m, nil
}

// invalidAttrs marks an input whose field has problems and points it at
// their text.
func invalidAttrs(e fieldErrors, key string) template.HTMLAttr {
	if len(e[key]) == 0 {
		return ""
	}
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="err-` + template.HTMLEscapeString(key) + `"`)
}

// errorsFor renders the problems of one field, beside it.
func errorsFor(e fieldErrors, key string) template.HTML {
	msgs := e[key]
	if len(msgs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(`<p class="field-error" id="err-` + template.HTMLEscapeString(key) + `">`)
	for i, m := range msgs {
		if i > 0 {
			b.WriteString("<br>")
		}
		b.WriteString(template.HTMLEscapeString(m))
	}
	b.WriteString("</p>")
	return template.HTML(b.String())
}

// outcomeLabel names a run outcome for people.
func outcomeLabel(o string) string {
	switch o {
	case runlog.OutcomeOK:
		return "ok"
	case runlog.OutcomeError:
		return "error"
	case runlog.OutcomeConfirmationRequired:
		return "needs confirmation"
	case runlog.OutcomeDryRun:
		return "preview"
	case runlog.OutcomeRejected:
		return "rejected"
	case runlog.OutcomePending:
		return "sending"
	case runlog.OutcomeUnknown:
		return "outcome unknown"
	case "":
		return "never run"
	}
	return o
}

// prettyJSON indents a JSON text; anything else comes back unchanged.
func prettyJSON(s string) string {
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return s
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(t), "", "  "); err != nil {
		return s
	}
	return buf.String()
}

// formatMS writes a duration in milliseconds for people.
func formatMS(v float64) string {
	switch {
	case v >= 10000:
		return fmt.Sprintf("%.1f s", v/1000)
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	}
	return fmt.Sprintf("%.1f ms", v)
}

// num writes an int or int64 with grouped digits.
func num(v any) string {
	switch n := v.(type) {
	case int:
		return groupDigits(n)
	case int64:
		return groupDigits(int(n))
	}
	return fmt.Sprint(v)
}

// groupDigits writes 12345 as "12,345".
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// ago says how long ago t was, roughly.
func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}
