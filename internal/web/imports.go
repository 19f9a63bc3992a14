package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/importer"
)

// maxImportForm bounds the import page's source form: the largest source
// plus room for the other fields and the multipart framing.
const maxImportForm = importer.MaxSourceBytes + 1<<20

// importTooLarge is what refusing a source over the bound says.
func importTooLarge() string {
	return "The source is larger than " + itoa(importer.MaxSourceBytes>>20) +
		" MiB, the most an import reads. Import a smaller document, for example one part of the API."
}

// errSourceTooLarge means the uploaded or pasted source is over the bound.
var errSourceTooLarge = errors.New("web: the import source is over the bound")

// importFormat is one format the import page offers.
type importFormat struct {
	Value importer.Format
	Label string
}

// importFormats are the formats in the order the page offers them.
var importFormats = []importFormat{
	{importer.FormatOpenAPI, "OpenAPI or Swagger"},
	{importer.FormatPostman, "Postman collection"},
	{importer.FormatCurl, "cURL command"},
}

// formatLabel names a format for people; ok is false for a format the
// page does not offer.
func formatLabel(f importer.Format) (label string, ok bool) {
	for _, o := range importFormats {
		if o.Value == f {
			return o.Label, true
		}
	}
	return string(f), false
}

// importSourceData is the model of the import page's first step.
type importSourceData struct {
	Formats []importFormat
	Format  importer.Format
	// Paste is the pasted source shown again; PasteDropped says a pasted
	// source was not shown again because its format carries credentials.
	Paste        string
	PasteDropped bool
	Server       string
	Prefix       string
	Name         string
	Errors       fieldErrors
}

// importPage shows the first step: the source and how to name what it
// becomes.
func (c *Console) importPage(w http.ResponseWriter, r *http.Request, s *session) {
	c.render(w, r, http.StatusOK, "import", s, &importSourceData{Formats: importFormats, Format: importer.FormatOpenAPI, Errors: fieldErrors{}})
}

// importRead reads the source once for its operations, keeps it on the
// server under a random id and sends the browser to the operations.
func (c *Console) importRead(w http.ResponseWriter, r *http.Request, s *session) {
	d := &importSourceData{Formats: importFormats, Format: importer.Format(strings.TrimSpace(r.PostForm.Get("format"))),
		Server: strings.TrimSpace(r.PostForm.Get("server")), Prefix: strings.TrimSpace(r.PostForm.Get("prefix")),
		Name: strings.TrimSpace(r.PostForm.Get("name")), Errors: fieldErrors{}}
	paste := r.PostForm.Get("source")
	if _, ok := formatLabel(d.Format); !ok {
		d.Errors.add("format", "choose OpenAPI or Swagger, Postman collection or cURL command")
	}
	src, problem, err := readSource(r, paste)
	switch {
	case errors.Is(err, errSourceTooLarge):
		c.tooLarge(w, r, importTooLarge())
		return
	case err != nil:
		c.serverError(w, r, err)
		return
	case problem != "":
		d.Errors.add("source", problem)
	}
	if len(d.Errors) == 0 {
		opts := importer.Options{Server: d.Server, Prefix: d.Prefix, Name: d.Name}
		out, err := c.g.Import(r.Context(), gateway.ImportRequest{Format: d.Format, Source: src, Options: opts})
		problem, unreadable := gateway.SourceProblem(err)
		switch {
		case unreadable:
			d.Errors.add("source", problem)
		case err != nil:
			c.serverError(w, r, err)
			return
		default:
			id := c.imports.put(c.now(), &importDraft{owner: s.CSRF, format: d.Format, source: src, options: opts, operations: out.Operations})
			http.Redirect(w, r, "/import/"+id, http.StatusSeeOther)
			return
		}
	}
	// A cURL line or a Postman collection may carry a credential, which
	// must not reach a page; an OpenAPI document declares schemes only.
	if d.Format == importer.FormatOpenAPI {
		d.Paste = paste
	} else {
		d.PasteDropped = strings.TrimSpace(paste) != ""
	}
	c.render(w, r, http.StatusUnprocessableEntity, "import", s, d)
}

// readSource returns the uploaded file or, without one, the pasted text.
// problem says what the person must fix (nothing sent, both sent); err is
// errSourceTooLarge for a source over the bound, or a failure to read.
func readSource(r *http.Request, paste string) (src []byte, problem string, err error) {
	pasted := strings.TrimSpace(paste) != ""
	var files int
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["file"] {
			if fh.Size > 0 {
				files++
			}
		}
	}
	switch {
	case files > 1:
		return nil, "upload one file", nil
	case files == 1 && pasted:
		return nil, "upload a file or paste the source, not both", nil
	case files == 0 && !pasted:
		return nil, "upload a file or paste the source", nil
	case files == 0:
		if len(paste) > importer.MaxSourceBytes {
			return nil, "", errSourceTooLarge
		}
		return []byte(paste), "", nil
	}
	fh := r.MultipartForm.File["file"][0]
	if fh.Size > importer.MaxSourceBytes {
		return nil, "", errSourceTooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", fmt.Errorf("web: opening the uploaded source: %w", err)
	}
	defer f.Close()
	src, err = io.ReadAll(f)
	if err != nil {
		return nil, "", fmt.Errorf("web: reading the uploaded source: %w", err)
	}
	return src, "", nil
}

// importOpsData is the model of the operations step, with the preview of
// the ticked operations once asked for.
type importOpsData struct {
	ID     string
	Format string
	Query  string
	Rows   []importRow
	Total  int
	Tags   []importTag
	Errors fieldErrors
	// Preview is the outcome of Preview, or of a Create that found
	// problems.
	Preview *importPreview
}

// importRow is one operation of the source.
type importRow struct {
	// Key is "METHOD /path", what a ticked row posts.
	Key        string
	Method     string
	Path       string
	Tags       []string
	Summary    string
	Name       string
	Deprecated bool
	Skipped    string
	Checked    bool
	// Search is the lowercased text the search box matches; TagList is
	// the tags one per line, for the script.
	Search  string
	TagList string
}

// importTag is one tag of the source's operations.
type importTag struct {
	Name    string
	Count   int
	Checked bool
}

// importPreview is what an import would store.
type importPreview struct {
	// Create says a Create was refused for the problems.
	Create      bool
	Actions     []importedAction
	Problems    []importProblem
	Summary     importer.Summary
	Credentials []importCredential
	YAML        string
}

// importedAction is one generated action.
type importedAction struct {
	Name        string
	Method      string
	URL         string
	Description string
}

// importProblem is one field error of the generated resources.
type importProblem struct {
	Field   string
	Message string
}

// importCredential is one generated credential and its secrets.
type importCredential struct {
	Name    string
	Type    string
	Hosts   []string
	Secrets []importSecret
}

// importSecret is one secret a credential reads, and whether it is stored.
type importSecret struct {
	Name string
	Set  bool
}

// importedData is the model of the page after a Create.
type importedData struct {
	Applied     []appliedRow
	Credentials []importCredential
	Unset       int
}

// appliedRow is one stored change, linked to its page.
type appliedRow struct {
	Kind   string
	Name   string
	Change string
	Link   string
}

// draft returns the request's import of this session, or writes the 404.
func (c *Console) draft(w http.ResponseWriter, r *http.Request, s *session) *importDraft {
	d, ok := c.imports.get(c.now(), s.CSRF, r.PathValue("id"))
	if !ok {
		c.message(w, r, http.StatusNotFound, "Not found",
			"This import does not exist: it expired after "+itoa(int(importDraftTTL.Minutes()))+" minutes unused, or was started in another session. Start it again from Import.")
		return nil
	}
	return d
}

// importOperations shows the operations of a source read in the first
// step, each ticked unless deprecated or skipped; ?q= narrows the list.
func (c *Console) importOperations(w http.ResponseWriter, r *http.Request, s *session) {
	q, ok := c.search(w, r, r.URL.Query().Get("q"))
	if !ok {
		return
	}
	d := c.draft(w, r, s)
	if d == nil {
		return
	}
	c.render(w, r, http.StatusOK, "importops", s, opsData(d, q, nil, nil))
}

// opsData lists the draft's operations matching q. Without a posted
// selection (ops nil) a row is ticked unless deprecated or skipped; with
// one, exactly the posted rows and tags are.
func opsData(d *importDraft, q string, ops, tags []string) *importOpsData {
	label, _ := formatLabel(d.format)
	out := &importOpsData{ID: d.id, Format: label, Query: q, Total: len(d.operations), Errors: fieldErrors{}}
	ticked, tickedTags := setOf(ops), setOf(tags)
	tagIndex := map[string]int{}
	for _, op := range d.operations {
		for _, t := range op.Tags {
			i, ok := tagIndex[t]
			if !ok {
				i = len(out.Tags)
				tagIndex[t] = i
				out.Tags = append(out.Tags, importTag{Name: t, Checked: tickedTags[t]})
			}
			out.Tags[i].Count++
		}
		row := importRow{Key: op.Key(), Method: op.Method, Path: op.Path, Tags: op.Tags, Summary: op.Summary,
			Name: op.Name, Deprecated: op.Deprecated, Skipped: op.Skipped, TagList: strings.Join(op.Tags, "\n")}
		row.Search = strings.ToLower(strings.Join(append([]string{row.Key, op.ID, op.Name, op.Summary}, op.Tags...), " "))
		if q != "" && !strings.Contains(row.Search, strings.ToLower(q)) {
			continue
		}
		if ops == nil {
			row.Checked = !op.Deprecated && op.Skipped == ""
		} else {
			row.Checked = ticked[row.Key]
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// setOf returns the members of xs as a set.
func setOf(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// importRun previews (do=preview) or creates (do=create) the actions of
// the ticked operations.
func (c *Console) importRun(w http.ResponseWriter, r *http.Request, s *session) {
	do := r.PostForm.Get("do")
	if do != "preview" && do != "create" {
		c.badRequest(w, r, "Choose Preview or Create.")
		return
	}
	q, ok := c.search(w, r, r.PostForm.Get("q"))
	if !ok {
		return
	}
	d := c.draft(w, r, s)
	if d == nil {
		return
	}
	ops, tags := nonEmpty(r.PostForm["op"]), nonEmpty(r.PostForm["tag"])
	data := opsData(d, q, ops, tags)
	if len(ops) == 0 {
		data.Errors.add("op", "tick at least one operation")
		c.render(w, r, http.StatusUnprocessableEntity, "importops", s, data)
		return
	}
	opts := d.options
	opts.Select = importer.Selection{Operations: ops, Tags: tags, Deprecated: ticksDeprecated(d.operations, ops)}
	out, err := c.g.Import(r.Context(), gateway.ImportRequest{Format: d.format, Source: d.source, Options: opts, Apply: do == "create"})
	if err != nil {
		c.serverError(w, r, fmt.Errorf("web: importing the ticked operations: %w", err))
		return
	}
	if do == "create" && len(out.Problems) == 0 {
		c.imports.drop(s.CSRF, d.id)
		c.render(w, r, http.StatusOK, "imported", s, importedPage(out))
		return
	}
	data.Preview = preview(out)
	data.Preview.Create = do == "create"
	status := http.StatusOK
	if data.Preview.Create {
		status = http.StatusUnprocessableEntity
	}
	c.render(w, r, status, "importops", s, data)
}

// nonEmpty drops the empty values of a posted list.
func nonEmpty(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// ticksDeprecated reports whether a ticked operation is marked deprecated,
// which a person ticking it asks to import.
func ticksDeprecated(all []importer.Operation, ticked []string) bool {
	keys := setOf(ticked)
	for _, op := range all {
		if op.Deprecated && keys[op.Key()] {
			return true
		}
	}
	return false
}

// preview describes what an import generated.
func preview(out *gateway.Imported) *importPreview {
	p := &importPreview{Summary: out.Summary, Credentials: credentialsOf(out), YAML: string(out.YAML)}
	for _, res := range out.Resources {
		if a := res.Action; a != nil {
			desc, _, _ := strings.Cut(strings.TrimSpace(a.Description), "\n")
			p.Actions = append(p.Actions, importedAction{Name: a.Name, Method: a.Method, URL: a.URL, Description: desc})
		}
	}
	for _, e := range out.Problems {
		p.Problems = append(p.Problems, importProblem{Field: e.Path, Message: e.Message})
	}
	return p
}

// credentialsOf lists the generated credentials, each secret marked set
// or not.
func credentialsOf(out *gateway.Imported) []importCredential {
	unset := setOf(out.UnsetSecrets)
	var creds []importCredential
	for _, n := range out.Summary.Credentials {
		ic := importCredential{Name: n.Name, Type: n.Type, Hosts: n.Hosts}
		for _, sec := range n.Secrets {
			ic.Secrets = append(ic.Secrets, importSecret{Name: sec, Set: !unset[sec]})
		}
		creds = append(creds, ic)
	}
	return creds
}

// importedPage describes what a Create stored.
func importedPage(out *gateway.Imported) *importedData {
	d := &importedData{Credentials: credentialsOf(out), Unset: len(out.UnsetSecrets)}
	for _, a := range out.Applied {
		row := appliedRow{Kind: string(a.Kind), Name: a.Name, Change: string(a.Change)}
		switch a.Kind {
		case action.KindAction:
			row.Link = "/actions/" + a.Name
		case action.KindCredential:
			row.Link = "/credentials/" + a.Name
		}
		d.Applied = append(d.Applied, row)
	}
	return d
}
