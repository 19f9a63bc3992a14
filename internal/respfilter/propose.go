package respfilter

import (
	"encoding/json"
	"path"
	"slices"
	"strings"
	"unicode/utf8"
)

// Bounds of a proposal.
const (
	// proposeDepth is how deep a proposal looks into nested objects and
	// lists.
	proposeDepth = 4
	// proposeFields is how many fields a proposal keeps of one object, the
	// most telling first.
	proposeFields = 12
	// shortText is the longest string a proposal keeps for its own sake.
	shortText = 200
)

// Proposal is a response filter proposed from a sample response: a
// projection keeping what a model needs (identifiers, names, statuses,
// amounts, dates, short text) and leaving out links, node ids, avatars
// and other bulk.
type Proposal struct {
	// Select is Projection(Kept).
	Select string
	// Kept and Dropped are the fields kept and left out, in sample order.
	Kept, Dropped []Path
}

// Field-name classes, most telling first. A name is matched lower-cased,
// against path.Match patterns.
var (
	// secretNames are dropped whatever else they look like: a field that
	// may carry a credential never goes to a model by proposal.
	secretNames = []string{"*token*", "*secret*", "*password*", "passwd", "*passphrase*", "api_key", "*_api_key",
		"apikey", "*_apikey", "private_key", "*_private_key", "*credential*", "authorization", "cookie", "*_cookie",
		"session", "session_id", "*_session_id", "signature", "*_signature", "otp", "pin", "cvv", "cvc"}
	// bulkNames are dropped: links, node ids, avatars, hashes, markup.
	bulkNames = []string{"url", "*_url", "*url", "uri", "*_uri", "href", "*_href", "links", "_links", "link", "*_link",
		"node_id", "*avatar*", "gravatar*", "etag", "*_etag", "*_html", "html", "*_sha", "sha", "*_hash", "_embedded",
		"*_md5", "*_template", "*_image", "image", "*thumbnail*", "icon", "*_icon", "*_svg", "*_css", "*_style", "style"}
	// idNames are identifiers.
	idNames = []string{"id", "*_id", "*id", "uuid", "*_uuid", "key", "*_key", "slug", "number", "*_number", "code", "*_code",
		"sku", "ref", "reference", "handle", "login", "username", "user_name"}
	// nameNames are names and titles.
	nameNames = []string{"name", "*_name", "*name", "title", "*_title", "label", "email", "*_email", "phone", "*_phone",
		"full_name", "display_name", "subject", "summary"}
	// statusNames are statuses and kinds.
	statusNames = []string{"status", "*_status", "state", "*_state", "type", "*_type", "kind", "stage", "phase", "result",
		"outcome", "level", "priority", "severity", "role", "plan", "tier", "active", "enabled", "closed", "open", "paid",
		"draft", "merged", "archived", "locked", "deleted", "private", "visibility", "is_*"}
	// amountNames are amounts, counts and money.
	amountNames = []string{"amount", "*_amount", "total", "*_total", "price", "*_price", "cost", "*_cost", "balance",
		"*_balance", "currency", "*_currency", "quantity", "qty", "count", "*_count", "size", "score", "rating", "rate",
		"*_rate", "percent*", "discount", "tax", "fee", "*_fee", "unit", "units", "weight", "duration"}
	// dateNames are dates and times.
	dateNames = []string{"*_at", "*_on", "date", "*_date", "date_*", "time", "*_time", "timestamp", "created", "updated",
		"modified", "expires", "due", "deadline", "start", "end", "starts", "ends", "since", "until"}
	// textNames are short texts kept however long the sample is.
	textNames = []string{"description", "message", "note", "notes", "comment", "reason", "text", "details", "address",
		"*_address", "city", "country", "location", "company", "title"}
)

// rank classes: lower is kept first; rankBulk and rankNone are dropped.
const (
	rankID = iota
	rankName
	rankStatus
	rankAmount
	rankDate
	rankText
	rankOther
	rankNone
	rankBulk
)

// fieldRank ranks a field by its name and sample value.
func fieldRank(name string, v any) int {
	n := strings.ToLower(name)
	match := func(patterns []string) bool {
		return slices.ContainsFunc(patterns, func(p string) bool { ok, _ := path.Match(p, n); return ok })
	}
	switch {
	case match(secretNames), match(bulkNames):
		return rankBulk
	case isLink(v):
		return rankBulk
	case match(idNames):
		return rankID
	case match(nameNames):
		return rankName
	case match(statusNames):
		return rankStatus
	case match(amountNames):
		return rankAmount
	case match(dateNames):
		return rankDate
	case match(textNames):
		return rankText
	}
	switch t := v.(type) {
	case string:
		if utf8.RuneCountInString(t) <= shortText {
			return rankOther
		}
	case json.Number, float64, int, int64:
		return rankOther
	}
	return rankNone
}

// isLink reports whether v is a string holding a web address.
func isLink(v any) bool {
	s, ok := v.(string)
	return ok && (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://"))
}

// Propose proposes a filter for a parsed JSON sample (values as
// encoding/json decodes them; json.Number is fine): a response example, or
// a sample made from its schema, where a string that starts with http://
// or https:// counts as a link. Of every object it keeps at most 12
// fields, the most telling first: identifiers, names, statuses, amounts,
// dates, texts, then other short strings and numbers; nested objects and
// lists (whose first object item stands for every item) are followed 4
// levels deep and kept when they keep a field. It returns nil when the
// sample holds no object to pick fields from.
func Propose(sample any) *Proposal {
	p := &Proposal{}
	switch v := sample.(type) {
	case map[string]any:
		p.object(v, nil, 0)
	case []any:
		item, ok := firstObject(v)
		if !ok {
			return nil
		}
		p.object(item, Path{Every}, 0)
	default:
		return nil
	}
	if len(p.Kept) == 0 {
		return nil
	}
	p.Select = Projection(p.Kept)
	return p
}

// firstObject returns the first object item of a list.
func firstObject(l []any) (map[string]any, bool) {
	for _, it := range l {
		if m, ok := it.(map[string]any); ok {
			return m, true
		}
	}
	return nil, false
}

// object picks the fields of m, at prefix, and reports whether it kept
// any: its own values first, the most telling first, then its nested
// objects and lists in name order.
func (p *Proposal) object(m map[string]any, prefix Path, depth int) bool {
	type cand struct {
		key  string
		rank int
	}
	var cands []cand
	var nested []string
	for _, k := range sortedKeys(m) {
		switch v := m[k].(type) {
		case map[string]any:
			nested = append(nested, k)
		case []any:
			if _, ok := firstObject(v); ok {
				nested = append(nested, k)
				continue
			}
			r := rankNone
			if len(v) > 0 {
				r = fieldRank(k, v[0])
			}
			if r < rankNone {
				r = min(r, rankOther)
			}
			cands = append(cands, cand{k, r})
		default:
			cands = append(cands, cand{k, fieldRank(k, v)})
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return a.rank - b.rank })
	kept := false
	n := 0
	for _, c := range cands {
		at := append(slices.Clone(prefix), c.key)
		if c.rank >= rankNone || n >= proposeFields {
			p.Dropped = append(p.Dropped, at)
			continue
		}
		n++
		p.Kept = append(p.Kept, at)
		kept = true
	}
	for _, k := range nested {
		at := append(slices.Clone(prefix), k)
		if p.nested(k, m[k], at, depth) {
			kept = true
		} else {
			p.Dropped = append(p.Dropped, at)
		}
	}
	return kept
}

// nested follows the object or list of objects v at field k and reports
// whether it kept any of its fields.
func (p *Proposal) nested(k string, v any, at Path, depth int) bool {
	if fieldRank(k, nil) == rankBulk || depth+1 >= proposeDepth {
		return false
	}
	if m, ok := v.(map[string]any); ok {
		return p.object(m, at, depth+1)
	}
	item, _ := firstObject(v.([]any))
	return p.object(item, append(at, Every), depth+1)
}

// sortedKeys returns m's keys in a stable order: encoding/json gives maps
// no order, so the proposal sorts them.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
