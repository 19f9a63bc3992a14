package respfilter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Bounds of a drill-down's arguments.
const (
	// MaxDrillFields bounds how many field names one drill-down asks for.
	MaxDrillFields = 50
	// MaxDrillName bounds the characters of an item or of one field name.
	MaxDrillName = 200
)

// Limits of a drill-down before the budget, far above an action's: the
// model asked for this record, or these fields, in full. The item cap
// applies to a record shown whole, the string cap to every drill-down.
const (
	drillMaxItems  = 1000
	drillMaxString = 100000
)

// listedChoices bounds how many valid choices an error names.
const listedChoices = 10

// idFields are the fields that identify an item, in the order an item
// argument is matched against them.
var idFields = []string{"id", "number", "key", "uuid", "sha", "slug", "name"}

// Errors a drill-down returns inside a *DrillError, for the caller to tell
// the model what it can ask for instead.
var (
	// ErrNoItem: the item asked for is not in the list, or there is no list.
	ErrNoItem = errors.New("no such item")
	// ErrNoField: a field asked for is in no item.
	ErrNoField = errors.New("no such field")
)

// DrillError is a drill-down the stored result cannot answer. Detail says,
// in words a model can act on, what was asked and what exists.
type DrillError struct {
	// Err is ErrNoItem or ErrNoField.
	Err    error
	Detail string
}

// Error returns the kind and the detail.
func (e *DrillError) Error() string { return "respfilter: " + e.Err.Error() + ": " + e.Detail }

// Unwrap returns Err.
func (e *DrillError) Unwrap() error { return e.Err }

// Drill reads from a stored result (a Result's Rest) without calling the
// API again. With item, it returns that one item of the main list in full
// (or the named fields of it), as {"item":"3 of 30","record":{...}}, cut
// only if it is still over the budget: item is matched against the
// identifying fields of the items (id, number, key, uuid, sha, slug, name:
// the exact text of a scalar), then, when it is a positive integer no
// item has as an id, taken as a position counted from 1 across the whole
// list. With fields alone, it returns those fields of every item, in
// order, as a list paged like any result (its Rest pages the projection);
// each item also keeps its first identifying field, and an item lacking
// every field asked for is kept empty. Fields are dotted paths ("body",
// "user.login", "labels.name"; a path crosses arrays element by element).
// With neither, it is Next. Failures a model can correct are *DrillError.
func (f *Filter) Drill(ctx context.Context, rest json.RawMessage, item string, fields []string, o Options) (*Result, error) {
	if item == "" && len(fields) == 0 {
		return f.Next(ctx, rest, o)
	}
	o = o.withDefaults()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("respfilter: filtering: %w", err)
	}
	paths, err := drillPaths(item, fields)
	if err != nil {
		return nil, err
	}
	c, err := readContinuation(rest)
	if err != nil {
		return nil, err
	}
	if c.Kind == restText {
		kind := ErrNoField
		if item != "" {
			kind = ErrNoItem
		}
		return nil, &DrillError{Err: kind, Detail: "this result is text, with no items or fields; call more_results with only the handle for the next lines"}
	}
	t, items, err := c.tree()
	if err != nil {
		return nil, err
	}
	// Strings asked for are shown whole unless the budget needs them cut.
	o.MaxString = max(o.MaxString, drillMaxString)
	var res *Result
	switch {
	case c.NoList && item != "":
		return nil, &DrillError{Err: ErrNoItem, Detail: "this result is one record, not a list; ask for \"fields\" of it instead"}
	case c.NoList:
		proj, err := projectAll([]any{t.root}, paths, false)
		if err != nil {
			return nil, err
		}
		if res, err = f.jsonResult(tree{root: proj[0], depth: t.depth, fields: t.fields}, o, paging{exact: true}); err != nil {
			return nil, err
		}
	case item != "":
		if res, err = f.drillItem(t, items, c, item, paths, o); err != nil {
			return nil, err
		}
	default:
		proj, err := projectAll(items, paths, true)
		if err != nil {
			return nil, err
		}
		// The projection is far smaller than the body: its size is left
		// for the encoder to find.
		pt := tree{root: proj, depth: t.depth, fields: t.fields + 1}
		if res, err = f.jsonResult(pt, o, paging{on: true, total: len(proj), hint: o.MoreHint, exact: true}); err != nil {
			return nil, err
		}
	}
	res.RawTokens, res.RawEstimated = f.tok.CountRaw(string(c.Data))
	return res, nil
}

// drillItem answers a drill-down into one item.
func (f *Filter) drillItem(t tree, items []any, c *continuation, item string, paths [][]string, o Options) (*Result, error) {
	i, err := findItem(items, item, c.Base, c.Total)
	if err != nil {
		return nil, err
	}
	rec := items[i]
	if len(paths) > 0 {
		proj, err := projectAll([]any{rec}, paths, false)
		if err != nil {
			return nil, err
		}
		rec = proj[0]
	}
	label := &leaf{text: strconv.Itoa(c.Base+i+1) + " of " + strconv.Itoa(max(c.Total, c.Base+len(items))), plain: true}
	o.MaxItems = max(o.MaxItems, drillMaxItems)
	drilled := func(rec any, pg paging) (*Result, error) {
		root := &object{keys: []string{"item", "record"}, vals: []any{label, rec}}
		return f.jsonResult(tree{root: root, depth: t.depth + 1, fields: max(t.fields, 2)}, o, pg)
	}
	res, err := drilled(rec, paging{exact: true})
	if err != nil {
		return nil, err
	}
	// A whole record over the budget loses its links, node ids, avatars and
	// empty values before any of its text is cut.
	if len(paths) == 0 && res.Truncated {
		if lean := dropBulk("record", rec, nil); lean != nil {
			if res, err = drilled(lean, paging{exact: true, reduced: drillLean}); err != nil {
				return nil, err
			}
		}
	}
	// The stored result itself answers a further drill-down into the item.
	res.Rest = nil
	res.RecordsKept, res.RecordsTotal = 1, c.Total
	return res, nil
}

// drillLean is the note on a record whose bulk was left out to fit.
const drillLean = "links, node ids, avatars and empty values left out; ask for them by \"fields\""

// drillPaths checks the bounds of a drill-down's arguments and splits the
// field names into paths.
func drillPaths(item string, fields []string) ([][]string, error) {
	if len(item) > MaxDrillName {
		return nil, fmt.Errorf("respfilter: item is longer than %d characters", MaxDrillName)
	}
	if len(fields) > MaxDrillFields {
		return nil, fmt.Errorf("respfilter: %d fields asked for, at most %d", len(fields), MaxDrillFields)
	}
	paths := make([][]string, 0, len(fields))
	for _, name := range fields {
		if len(name) > MaxDrillName {
			return nil, fmt.Errorf("respfilter: field name is longer than %d characters", MaxDrillName)
		}
		p := strings.Split(name, ".")
		if slices.Contains(p, "") {
			return nil, &DrillError{Err: ErrNoField, Detail: fmt.Sprintf("%q is not a field name: use names such as \"title\" or dotted paths such as \"user.login\"", name)}
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// findItem returns the index in items of the item asked for; base is the
// position in the whole list of items[0] and total the list's length.
func findItem(items []any, item string, base, total int) (int, error) {
	for _, k := range idFields {
		for i, it := range items {
			if o, ok := it.(*object); ok && scalarText(o.get(k)) == item {
				return i, nil
			}
		}
	}
	for i, it := range items {
		if _, ok := it.(*object); !ok && scalarText(it) == item {
			return i, nil
		}
	}
	// A hash cut short on the page (a commit's sha) names the one item
	// whose hash it starts.
	if len(item) >= minHashPrefix && isHash(item+strings.Repeat("0", max(0, 32-len(item)))) {
		found := -1
		for i, it := range items {
			o, ok := it.(*object)
			if !ok {
				continue
			}
			if id := scalarText(o.get(recordID(o))); isHash(id) && strings.HasPrefix(id, item) {
				if found >= 0 {
					found = -2
					break
				}
				found = i
			}
		}
		if found >= 0 {
			return found, nil
		}
	}
	if n, err := strconv.Atoi(item); err == nil && n > base && n <= base+len(items) {
		return n - 1 - base, nil
	}
	total = max(total, base+len(items))
	if len(items) == 0 {
		return 0, &DrillError{Err: ErrNoItem, Detail: "the list is empty"}
	}
	d := fmt.Sprintf("no item %q: give a position from %d to %d", item, base+1, total)
	if k, ids := sampleIDs(items); k != "" {
		d += fmt.Sprintf(", or a %s such as %s", k, strings.Join(ids, ", "))
	}
	return 0, &DrillError{Err: ErrNoItem, Detail: d}
}

// minHashPrefix is the fewest digits of a hash that name an item, as git
// abbreviates a commit.
const minHashPrefix = 7

// sampleIDs returns the first identifying field of the items and a few of
// its values.
func sampleIDs(items []any) (string, []string) {
	for _, k := range idFields {
		var ids []string
		for _, it := range items {
			if o, ok := it.(*object); ok {
				if s := scalarText(o.get(k)); s != "" {
					ids = append(ids, s)
				}
			}
			if len(ids) == 3 {
				break
			}
		}
		if len(ids) > 0 {
			return k, ids
		}
	}
	return "", nil
}

// scalarText returns the text of a string, number or boolean, and "" for
// anything else.
func scalarText(v any) string {
	switch x := v.(type) {
	case *leaf:
		return x.text
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// get returns the value of field k, nil when o has none.
func (o *object) get(k string) any {
	v, _ := o.lookup(k)
	return v
}

// projectAll returns each item cut to the fields at paths, keeping its
// first identifying field too when withID is set. A path found in no item
// is an ErrNoField naming the fields that do exist there.
func projectAll(items []any, paths [][]string, withID bool) ([]any, error) {
	found := make([]bool, len(paths))
	out := make([]any, len(items))
	for i, it := range items {
		var acc any
		if o, ok := it.(*object); ok && withID {
			for _, k := range idFields {
				if v := o.get(k); scalarText(v) != "" {
					acc = &object{keys: []string{k}, vals: []any{v}}
					break
				}
			}
		}
		for j, p := range paths {
			if v, ok := project(it, p); ok {
				found[j] = true
				acc = merge(acc, v)
			}
		}
		if acc == nil {
			acc = &object{}
		}
		out[i] = acc
	}
	for j, p := range paths {
		if !found[j] {
			return nil, &DrillError{Err: ErrNoField, Detail: missingField(items, p)}
		}
	}
	return out, nil
}

// project returns v cut to the field at path, keeping the objects on the
// way; an array is projected element by element, keeping the elements
// that have the field.
func project(v any, path []string) (any, bool) {
	if len(path) == 0 {
		return v, true
	}
	switch x := v.(type) {
	case *object:
		i, ok := slices.BinarySearch(x.keys, path[0])
		if !ok {
			return nil, false
		}
		sub, ok := project(x.vals[i], path[1:])
		if !ok {
			return nil, false
		}
		return &object{keys: []string{path[0]}, vals: []any{sub}}, true
	case []any:
		var out []any
		for _, e := range x {
			if p, ok := project(e, path); ok {
				out = append(out, p)
			}
		}
		return out, out != nil
	}
	return nil, false
}

// merge joins two projections of one value: objects field by field,
// arrays of the same length element by element; otherwise b wins.
func merge(a, b any) any {
	switch x := a.(type) {
	case nil:
		return b
	case *object:
		y, ok := b.(*object)
		if !ok {
			return b
		}
		m := &object{keys: slices.Clone(x.keys), vals: slices.Clone(x.vals)}
		for i, k := range y.keys {
			j, found := slices.BinarySearch(m.keys, k)
			if found {
				m.vals[j] = merge(m.vals[j], y.vals[i])
				continue
			}
			m.keys = slices.Insert(m.keys, j, k)
			m.vals = slices.Insert(m.vals, j, y.vals[i])
		}
		return m
	case []any:
		y, ok := b.([]any)
		if !ok || len(y) != len(x) {
			return b
		}
		m := make([]any, len(x))
		for i := range x {
			m[i] = merge(x[i], y[i])
		}
		return m
	}
	return b
}

// missingField words a path found in no item: the fields that exist at
// the deepest part of the path that does.
func missingField(items []any, path []string) string {
	for depth := len(path) - 1; depth >= 0; depth-- {
		names := map[string]bool{}
		for _, it := range items {
			collectKeys(it, path[:depth], names)
		}
		if len(names) == 0 {
			continue
		}
		keys := make([]string, 0, len(names))
		for k := range names {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		prefix := strings.Join(path[:depth], ".")
		if prefix != "" {
			prefix += "."
		}
		more := ""
		if len(keys) > listedChoices {
			more = fmt.Sprintf(" and %d more", len(keys)-listedChoices)
			keys = keys[:listedChoices]
		}
		for i, k := range keys {
			keys[i] = prefix + k
		}
		return fmt.Sprintf("no field %q; the fields there are %s%s", strings.Join(path, "."), strings.Join(keys, ", "), more)
	}
	return fmt.Sprintf("no field %q: the items have no fields", strings.Join(path, "."))
}

// collectKeys adds to names the fields of the objects found at path under
// v, crossing arrays element by element.
func collectKeys(v any, path []string, names map[string]bool) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			collectKeys(e, path, names)
		}
	case *object:
		if len(path) == 0 {
			for _, k := range x.keys {
				names[k] = true
			}
			return
		}
		collectKeys(x.get(path[0]), path[1:], names)
	}
}
