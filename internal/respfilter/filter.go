// Package respfilter cuts an API response down to what a model should read:
// it parses the body, applies a jq selection, drops excluded and empty
// fields, caps arrays and strings, and fits the result into a token budget
// counted with the o200k_base tokenizer, saying inside the output what it
// cut. Over the budget, it reduces every record before it cuts records
// (see Reduction below). HTML becomes readable text, text is capped by
// lines, and binary bodies are described instead of shown. When anything
// was held back, a continuation keeps the whole filtered body: the caller
// pages through the rest of the main list (Next) or reads one item or
// named fields in full (Drill).
//
// Cut markers in JSON output:
//   - an array cut inside an object is named in that object's "_truncated"
//     field, e.g. "_truncated":"labels: showing 3 of 10 items"; an object
//     that lost fields says "showing 8 of 40 fields" there too;
//   - a cut array that is the root, or an element of an array, becomes
//     {"items":[...],"_truncated":"showing 12 of 340 items"};
//   - a cut string ends with "…[N more chars]";
//   - a container dropped for depth becomes "[N items omitted]" or
//     "{N fields omitted}";
//   - with format table, the main list of objects is
//     {"fields":[...],"rows":[[...]]} (null where an item lacks a field);
//     cut, it carries "_truncated" after its rows at the root, or in its
//     parent's "_truncated" when nested, and a cut array inside a cell is
//     wrapped as {"items":[...],"_truncated":...}.
//
// Keys come out sorted, with "_truncated" last; the encoding is compact and
// numbers keep their exact text.
//
// Reduction: when a body is over the budget, fields go before records.
// The records are the items of the main list (up to max_items, or 50 when
// the action sets none), or the root object when the body has no list.
// Each step of a fixed ladder takes more from every record. The budget
// settles on the richest step at which every record fits; when none does,
// on the richest step at which 20 fit, with as many records as fit there.
// Only then are records cut. The steps, in order:
//
//  1. bulk goes: links and URL-valued strings (url, *_url, _links, href),
//     node ids, avatars, hashes and ETags, nulls and empty values, and
//     fields that hold the same value in every record (three or more),
//     which the note names once ("every item: state=open");
//  2. nested references collapse to their label: an object with an
//     identifying field and a label becomes that label (user → its login,
//     milestone → its title, labels → their names); an object with a
//     quantity or a price (a line item) keeps its fields;
//  3. long text is cut to its first sentences, 400, 240 then 160
//     characters, its Markdown and HTML comments dropped, a paragraph
//     break read as a sentence's end;
//  4. whole classes of fields go, the lowest first (ids of other things,
//     booleans, strings, numbers, dates, tags, the last-change date), down
//     to the essentials: identifier, names, state, amounts, creation date,
//     people and text; a record keeps its best three fields whatever their
//     class, and an object nested in it keeps only fields of the classes
//     left;
//  5. text is cut to 120 then 90 characters; dates to the day, and a hash
//     that identifies a record (a commit's sha) to its first 10 digits;
//     each record keeps its 10 best fields, then 9, down to 6, an object
//     nested in it two fewer (at least three); text to 70, 50, 40 and 32
//     characters; last, the text goes.
//
// The rank of a field comes from its name (camelCase read as snake_case)
// and value alone, so it is the same on every call. Classes, best first:
// fields the action's select names (never dropped, though their long text
// is cut); the record's own identifier (the first of id, number, key,
// uuid, guid, sha, slug it has); names (a number beside an id, title,
// name, subject, login, full_name, …, email); state and status (not an
// address's region); amounts (amount, total, price, currency, quantity);
// the creation date; people (user, author, assignee, customer, …, but a
// prefixed opaque id such as "cus_…" is a reference); text (body,
// description, message, …); the last-change date; tags (labels, tags,
// topics); other dates; numbers; other strings; booleans; ids of other
// things (*_id); bulk. Within a class the order of those lists holds,
// then the field name's. Then, record by record:
//
//   - a record's identifier, its two best names and the best field of
//     each other essential class come first, then the rest in rank order
//     (an object nested in a record keeps three names);
//   - a second person (an assignee beside the author) ranks with the tags;
//   - a name that takes a third of the records' count of values or fewer
//     (a workflow's "CI") sorts them rather than names them, and ranks
//     with the tags;
//   - a nested object without a label ranks just behind its best field,
//     but behind the record's own essentials when the record has a name or
//     text of its own (an address), and a list of such objects (line
//     items) never above the tags;
//   - in a nested object without a name, the best text is its name (a
//     commit's message); beside a name, an email is a plain string.
//
// A reduced record lists its fields in that order.
//
// The note on a reduced page says in one line what was taken, e.g.
// "showing 22 of 30 items; every item: state=open; left out: body,
// updated_at, labels and 14 more; by name: user; dates to the day". When
// the note itself does not fit a tiny budget, the plain cut is used
// instead.
//
// A drill-down (Drill) shows what was asked for by name: it is cut to the
// budget, never reduced.
//
// Token counts: the output is always counted exactly, since it is what the
// model reads. The raw body is counted exactly up to 16 KiB; a larger one
// is estimated, and Result.RawEstimated says so. The estimate tokenizes
// 256 windows of 128 bytes (32 KiB in all), one at a fixed pseudo-random
// offset within each of 256 equal strides of the body, so the windows
// cover the whole body without falling in step with one that repeats
// itself. A window counts each piece of the pre-tokenization that starts
// inside it, whole: it skips the piece it starts in the middle of and
// finishes the one that crosses its end, so a piece of any length has the
// same chance to be counted and none is cut in two. The body's tokens are
// its bytes times the tokens counted per byte counted. On every test
// payload and benchmark body over 16 KiB (API JSON, logs, prose, CJK text,
// up to 5 MB) it is within 1.3% of the exact count.
package respfilter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/itchyny/gojq"
)

// Filter applies response filters. It is safe for concurrent use; build one
// per process and share it.
type Filter struct {
	tok   *Tokenizer
	mu    sync.Mutex
	codes map[string]*gojq.Code
}

// New returns a Filter counting tokens with t.
func New(t *Tokenizer) *Filter {
	return &Filter{tok: t, codes: map[string]*gojq.Code{}}
}

// Tokenizer returns the tokenizer the filter counts with.
func (f *Filter) Tokenizer() *Tokenizer { return f.tok }

// Result is a filtered response.
type Result struct {
	// Output is what the model reads: compact JSON for a JSON body, text
	// otherwise.
	Output string
	// RawTokens counts the tokens of the raw body: exactly up to 16 KiB,
	// estimated beyond (see Tokenizer.CountRaw).
	RawTokens int
	// RawEstimated is true when RawTokens is an estimate.
	RawEstimated bool
	// OutputTokens counts the tokens of Output exactly.
	OutputTokens int
	// Truncated is true when anything was cut from this page.
	Truncated bool
	// RecordsKept counts the items of the main list this page shows, and
	// RecordsTotal all the items of that list on every page; both are 0
	// when the body has no main list.
	RecordsKept  int
	RecordsTotal int
	// Note says in words what was cut, e.g. "showing 12 of 340 items; 3
	// strings shortened"; empty when nothing was.
	Note string
	// Rest is set when anything was left out of this page: for a JSON body
	// it holds the whole filtered tree and how far the main list was shown,
	// for Next (the following page) and Drill (an item or fields in full);
	// for text, the lines not shown yet. Nil when nothing was left out. It
	// is opaque JSON, safe to store.
	Rest json.RawMessage
}

// Apply filters a response body of the given Content-Type. Only a select
// expression that fails (bad syntax, a runtime error, a timeout) or a
// malformed exclude pattern returns an error; a body that cannot be parsed
// as its declared type is shown as text instead.
func (f *Filter) Apply(ctx context.Context, contentType string, body []byte, o Options) (*Result, error) {
	o = o.withDefaults()
	if err := validatePatterns(o.Exclude); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("respfilter: filtering: %w", err)
	}
	mt := mediaType(contentType)
	kind := classify(mt, body)
	// A text or JSON body is copied once, for the parser, the lines and the
	// raw count to share.
	var text string
	if kind == kindText || kind == kindJSON {
		text = string(body)
	}
	var res *Result
	selected := false
	switch kind {
	case kindEmpty:
		res = f.plain("empty response body")
	case kindBinary:
		res = f.plain(describeBinary(mt, len(body)))
	case kindHTML:
		res = f.textResult(splitLines(htmlText(body)), o, 0, 0)
	case kindText:
		res = f.textResult(splitLines(text), o, 0, 0)
	case kindJSON:
		t, err := f.parse(ctx, text, o)
		if errors.Is(err, errSyntax) {
			res = f.textResult(splitLines(text), o, 0, 0)
			res.Note = joinNotes("body is not valid JSON, shown as text", res.Note)
			break
		}
		if err != nil {
			return nil, err
		}
		selected = true
		path, on := findMain(t.root)
		pg := paging{on: on, path: path, hint: o.MoreHint, table: o.table()}
		if on {
			pg.total = len(mainArray(t.root, path))
		}
		if res, err = f.jsonResult(t, o, pg); err != nil {
			return nil, err
		}
	}
	if o.Select != "" && !selected {
		res.Note = joinNotes(res.Note, "select not applied: the body is not JSON")
	}
	if text != "" {
		res.RawTokens, res.RawEstimated = f.tok.CountRaw(text)
	} else {
		res.RawTokens, res.RawEstimated = f.tok.CountBody(body)
	}
	return res, nil
}

// Next returns the page after the one whose Result carried rest, under the
// same limits and budget. The select, exclude and compact steps are not
// applied again: rest already holds their output. When every item was
// shown already (only parts of them were cut), the result says so and how
// to drill into them (Drill).
func (f *Filter) Next(ctx context.Context, rest json.RawMessage, o Options) (*Result, error) {
	o = o.withDefaults()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("respfilter: filtering: %w", err)
	}
	c, err := readContinuation(rest)
	if err != nil {
		return nil, err
	}
	if c.Kind == restText {
		res := f.textResult(splitLines(c.Text), o, c.Offset, c.Total)
		res.RawTokens, res.RawEstimated = f.tok.CountRaw(c.Text)
		return res, nil
	}
	t, items, err := c.tree()
	if err != nil {
		return nil, err
	}
	start := c.Offset - c.Base
	if c.NoList || start >= len(items) {
		return f.allShown(c), nil
	}
	if start < 0 {
		return nil, errors.New("respfilter: reading continuation: offset before its data")
	}
	if t.root, err = withMain(t.root, c.Path, items[start:]); err != nil {
		return nil, fmt.Errorf("respfilter: reading continuation: %w", err)
	}
	res, err := f.jsonResult(t, o, paging{on: true, path: c.Path, offset: c.Offset, total: c.Total, hint: o.MoreHint, from: c, exact: c.Exact, table: o.table()})
	if err != nil {
		return nil, err
	}
	res.RawTokens, res.RawEstimated = f.tok.CountRaw(string(c.Data))
	return res, nil
}

// parse reads a JSON body into a tree: straight from the bytes without a
// select expression, through gojq with one.
func (f *Filter) parse(ctx context.Context, body string, o Options) (tree, error) {
	if o.Select == "" {
		return parseTree(body, o.Exclude, o.Compact)
	}
	v, err := parseJSON(strings.NewReader(body))
	if err != nil {
		return tree{}, err
	}
	if v, err = f.selectValues(ctx, o.Select, v, o.SelectTimeout); err != nil {
		return tree{}, err
	}
	return normalize(v, o.Exclude, o.Compact), nil
}

// jsonResult fits a tree into the budget and builds its Result.
func (f *Filter) jsonResult(t tree, o Options, pg paging) (*Result, error) {
	var reduce func() *reducer
	if !pg.exact {
		reduce = func() *reducer { return newReducer(t, pg, o.MaxListItems, askedFields(o.Select)) }
	}
	start := shape{list: o.MaxListItems, items: o.MaxItems, str: o.MaxString, depth: unlimited, fields: unlimited}
	ft := f.fit(t, start, pg, o.MaxTokens, reduce)
	res := &Result{Output: ft.out, OutputTokens: ft.tokens, Truncated: ft.st.truncated() || ft.reduced != "",
		Note: joinNotes(jsonNote(ft.st, pg), ft.reduced)}
	if ft.over {
		res.Note = joinNotes(res.Note, "over max_tokens even when cut to the minimum")
	}
	if pg.on {
		res.RecordsKept, res.RecordsTotal = max(ft.st.mainShown, 0), pg.total
	}
	rest, err := jsonRest(t, pg, ft.st.mainShown, res.Truncated)
	if err != nil {
		return nil, err
	}
	res.Rest = rest
	return res, nil
}

// jsonNote says in words what an encoding cut.
func jsonNote(st stats, pg paging) string {
	var parts []string
	if st.mainShown >= 0 && (st.mainShown < st.mainLen || pg.offset > 0) {
		total := max(pg.total, pg.offset+st.mainLen)
		if pg.offset == 0 {
			parts = append(parts, "showing "+strconv.Itoa(st.mainShown)+" of "+strconv.Itoa(total)+" items")
		} else {
			parts = append(parts, "showing items "+strconv.Itoa(pg.offset+1)+"-"+strconv.Itoa(pg.offset+st.mainShown)+" of "+strconv.Itoa(total))
		}
	}
	parts = appendCount(parts, st.arraysCut, "other array", "other arrays", "shortened")
	parts = appendCount(parts, st.stringsCut, "string", "strings", "shortened")
	parts = appendCount(parts, st.branchesCut, "nested branch", "nested branches", "omitted")
	parts = appendCount(parts, st.objectsCut, "object", "objects", "cut to fewer fields")
	return strings.Join(parts, "; ")
}

// appendCount appends "N things verb" when n > 0.
func appendCount(parts []string, n int, one, many, verb string) []string {
	switch {
	case n == 1:
		return append(parts, "1 "+one+" "+verb)
	case n > 1:
		return append(parts, strconv.Itoa(n)+" "+many+" "+verb)
	}
	return parts
}

// joinNotes joins the non-empty notes with "; ".
func joinNotes(notes ...string) string {
	var parts []string
	for _, n := range notes {
		if n != "" {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, "; ")
}

// textResult fits lines into the budget and builds their Result.
func (f *Filter) textResult(lines []string, o Options, offset, total int) *Result {
	if total == 0 {
		total = len(lines)
	}
	p := f.fitText(lines, o, offset, total)
	res := &Result{Output: p.out, OutputTokens: p.tokens, Truncated: p.truncated}
	var cut string
	if p.linesCut > 0 {
		cut = strconv.Itoa(p.linesCut) + " long lines shortened"
	}
	res.Note = joinNotes(p.note, cut)
	if p.over {
		res.Note = joinNotes(res.Note, "over max_tokens even when cut to the minimum")
	}
	if p.shown < len(lines) {
		c := continuation{Kind: restText, Offset: offset + p.shown, Total: total, Text: strings.Join(lines[p.shown:], "\n")}
		// A continuation of strings and ints always encodes.
		res.Rest, _ = json.Marshal(c)
	}
	return res
}

// plain returns a Result holding a fixed description.
func (f *Filter) plain(s string) *Result {
	return &Result{Output: s, OutputTokens: f.tok.Count(s)}
}

// Limits of the body excerpt in an error result.
const (
	errorMaxTokens = 300
	errorMaxString = 500
	errorMaxItems  = 5
)

// ErrorResult turns an upstream error response into a result a model can
// read: {"error":{"status":404,"message":"..."}}, where the message is an
// excerpt of the body (filtered like a response, without select, capped at
// 300 tokens) or the status text when the body is empty. The whole output
// stays within o.MaxTokens. It never fails.
func (f *Filter) ErrorResult(ctx context.Context, status int, contentType string, body []byte, o Options) *Result {
	o = o.withDefaults()
	budget := o.MaxTokens
	o.Select, o.MoreHint = "", ""
	o.MaxTokens = min(o.MaxTokens, errorMaxTokens)
	o.MaxString = min(o.MaxString, errorMaxString)
	o.MaxItems = min(o.MaxItems, errorMaxItems)
	if validatePatterns(o.Exclude) != nil {
		o.Exclude = nil
	}
	excerpt := &Result{RawTokens: -1}
	if ctx.Err() == nil {
		// With no select and valid patterns Apply cannot fail.
		if r, err := f.Apply(ctx, contentType, body, o); err == nil {
			excerpt = r
		}
	}
	msg := excerpt.Output
	if classify(mediaType(contentType), body) == kindEmpty || msg == "" {
		msg = http.StatusText(status)
	}
	encode := func(m string) string {
		out := appendString([]byte(`{"error":{"status":`+strconv.Itoa(status)+`,"message":`), m)
		return string(append(out, "}}"...))
	}
	// The whole output stays within the action's budget: quoting the
	// excerpt adds tokens the excerpt's own budget did not count.
	out, tokens, cut := f.fitMessage(encode, msg, budget)
	raw, estimated := excerpt.RawTokens, excerpt.RawEstimated
	if raw < 0 {
		raw, estimated = f.tok.CountBody(body)
	}
	return &Result{
		Output:       out,
		RawTokens:    raw,
		RawEstimated: estimated,
		OutputTokens: tokens,
		Truncated:    excerpt.Truncated || cut,
		Note:         excerpt.Note,
	}
}
