package respfilter

import (
	"strings"
)

// Classes of a record's fields, best first: the rank a field gets when a
// record must lose fields to fit the budget. A field's class comes from its
// name and value alone (rankOf), so the ranking is the same on every call.
const (
	classAsked   = iota // named by the action's select: never dropped
	classID             // the record's own identifier: number, id, key, …
	className           // title, name, login, subject, email, …
	classState          // state, status, stage, priority (top level only)
	classMoney          // amount, price, total, currency, quantity
	classCreated        // the creation date
	classPerson         // user, author, assignee, customer, …
	classText           // body, description, message, …
	classUpdated        // the last-change date
	classTags           // labels, tags, topics, categories
	classDate           // other dates
	classNumber         // counts and other numbers
	classString         // other strings
	classBool           // booleans
	classRef            // ids of other things: *_id, secondary ids
	classBulk           // links, node ids, avatars, hashes, empty values
)

// idKeys name a record's identifier, best first; the first one a record
// has is its identifier, the others rank as references, but for a number
// beside an id, which people use to name the record.
var idKeys = []string{"id", "number", "key", "uuid", "guid", "sha", "slug", "ticket_id", "order_id", "order_number"}

// nameKeys, stateKeys, … are the field names of each class, best first
// within the class.
var (
	nameKeys = []string{"title", "name", "subject", "login", "full_name", "display_name", "username",
		"summary", "headline", "display_title", "label", "email", "first_name", "last_name", "firstname", "lastname",
		"company", "phone", "sku"}
	stateKeys  = []string{"state", "status", "stage", "conclusion", "priority", "phase", "financial_status", "fulfillment_status", "lifecyclestage", "resolution"}
	moneyKeys  = []string{"amount", "total", "total_price", "price", "currency", "quantity", "subtotal_price", "balance"}
	personKeys = []string{"user", "author", "assignee", "requester", "customer", "owner", "creator", "submitter",
		"reporter", "sender", "actor", "committer", "created_by", "assigned_to", "assignees", "contact", "merged_by",
		"triggering_actor", "closed_by"}
	textKeys = []string{"body", "description", "message", "text", "content", "comment", "notes", "note",
		"snippet", "excerpt", "details", "bio", "raw_subject"}
	tagKeys   = []string{"labels", "tags", "topics", "categories", "keywords"}
	labelKeys = []string{"login", "full_name", "display_name", "name", "title", "username", "email", "label", "slug", "key"}
)

// rank is a field's place in the ranking: its class, then the field
// name's place in its class's list, then the name itself.
type rank struct {
	class int
	order int
	// prose says the field is text standing in for a missing name (a
	// commit's message): it is cut like text.
	prose bool
}

// before reports whether a ranks ahead of b; equal ranks fall back to the
// field names, so the order is total.
func (a rank) before(b rank, ak, bk string) bool {
	if a.class != b.class {
		return a.class < b.class
	}
	if a.order != b.order {
		return a.order < b.order
	}
	return ak < bk
}

// indexOf returns k's place in list, or -1.
func indexOf(list []string, k string) int {
	for i, s := range list {
		if s == k {
			return i
		}
	}
	return -1
}

// normKey lower-cases k and turns camelCase into snake_case, so
// "createdAt" ranks as "created_at".
func normKey(k string) string {
	lower := true
	for i := 0; i < len(k); i++ {
		if c := k[i]; c >= 'A' && c <= 'Z' || c == '-' {
			lower = false
			break
		}
	}
	if lower {
		return k
	}
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'A' && c <= 'Z':
			if i > 0 && k[i-1] != '_' {
				b.WriteByte('_')
			}
			b.WriteByte(c + 'a' - 'A')
		case c == '-':
			b.WriteByte('_')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// recordID returns the field that identifies a record: the first of idKeys
// it holds as a scalar, "" when none.
func recordID(o *object) string {
	best, bestAt := "", len(idKeys)
	for i, k := range o.keys {
		if !isScalar(o.vals[i]) {
			continue
		}
		if at := indexOf(idKeys, normKey(k)); at >= 0 && at < bestAt {
			best, bestAt = k, at
		}
	}
	return best
}

// isScalar reports whether v is a string, number, bool or null.
func isScalar(v any) bool {
	switch v.(type) {
	case []any, *object:
		return false
	}
	return true
}

// keyRank ranks a field by its name and value; top says the field belongs
// to the record itself rather than to an object nested in it, and id names
// the record's identifier.
func keyRank(k string, v any, top bool, id string) rank {
	if k == id && top {
		return rank{class: classID, order: 0}
	}
	n := normKey(k)
	if isBulk(n, v) {
		return rank{class: classBulk, order: 0}
	}
	scalar := isScalar(v)
	if n == "number" && top && scalar {
		// The number people use beside the id an API uses (an issue's
		// #4280) names the record best.
		return rank{class: className, order: -1}
	}
	if at := indexOf(idKeys, n); at >= 0 && scalar {
		return rank{class: classRef, order: at}
	}
	if _, ok := v.(bool); ok {
		return rank{class: classBool, order: 0}
	}
	if at := indexOf(stateKeys, n); at >= 0 && scalar && (top || !isRegion(n, v)) {
		return rank{class: classState, order: at}
	}
	if top && scalar && strings.HasSuffix(n, "_status") {
		return rank{class: classState, order: len(stateKeys)}
	}
	if at := indexOf(personKeys, n); at >= 0 {
		if l, ok := v.(*leaf); ok && isOpaqueID(l.text) {
			// "customer":"cus_NffrFeUfNV2Hib" names nobody a reader knows.
			return rank{class: classRef, order: len(idKeys)}
		}
		return rank{class: classPerson, order: at}
	}
	if at := indexOf(tagKeys, n); at >= 0 {
		return rank{class: classTags, order: at}
	}
	if !scalar {
		if indexOf(moneyKeys, n) >= 0 || strings.Contains(n, "amount") || strings.Contains(n, "price") || strings.HasPrefix(n, "total") {
			return rank{class: classMoney, order: len(moneyKeys)}
		}
		return rank{class: classString, order: 0}
	}
	if at := indexOf(nameKeys, n); at >= 0 {
		return rank{class: className, order: at}
	}
	if at := indexOf(moneyKeys, n); at >= 0 {
		return rank{class: classMoney, order: at}
	}
	if strings.Contains(n, "amount") || strings.Contains(n, "price") || strings.HasPrefix(n, "total_") && !strings.HasSuffix(n, "_count") {
		return rank{class: classMoney, order: len(moneyKeys)}
	}
	if at := indexOf(textKeys, n); at >= 0 {
		return rank{class: classText, order: at}
	}
	if isDateKey(n) || isDateValue(v) {
		switch {
		case strings.HasPrefix(n, "creat") || n == "date" || n == "opened_at" || n == "submitted_at":
			return rank{class: classCreated, order: 0}
		case strings.HasPrefix(n, "updat") || strings.Contains(n, "modified"):
			return rank{class: classUpdated, order: 0}
		}
		return rank{class: classDate, order: 0}
	}
	if strings.HasSuffix(n, "_id") || strings.HasSuffix(n, "_ids") {
		return rank{class: classRef, order: len(idKeys)}
	}
	if l, ok := v.(*leaf); ok && l.number {
		return rank{class: classNumber, order: 0}
	}
	return rank{class: classString, order: 0}
}

// isRegion reports whether a nested "state" holds a region code, as in an
// address ("CA", "NSW"), rather than a state of things.
func isRegion(n string, v any) bool {
	l, ok := v.(*leaf)
	if n != "state" || !ok || len(l.text) < 2 || len(l.text) > 3 {
		return n == "state" && !ok
	}
	for i := 0; i < len(l.text); i++ {
		if c := l.text[i]; c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// isDateKey reports whether a (normalized) field name names a date.
func isDateKey(n string) bool {
	switch {
	case strings.HasSuffix(n, "_at"), strings.HasSuffix(n, "_on"), strings.HasSuffix(n, "date"),
		strings.HasSuffix(n, "_time"), n == "created", n == "updated", n == "timestamp":
		return true
	}
	return false
}

// isDateValue reports whether v is a string that starts with an ISO 8601
// date, e.g. "2026-11-30" or "2026-11-30T14:05:00Z".
func isDateValue(v any) bool {
	l, ok := v.(*leaf)
	if !ok || l.number || len(l.text) < 10 {
		return false
	}
	s := l.text
	for i := range 10 {
		c := s[i]
		if i == 4 || i == 7 {
			if c != '-' {
				return false
			}
		} else if c < '0' || c > '9' {
			return false
		}
	}
	return len(s) == 10 || s[10] == 'T' || s[10] == ' '
}

// isBulk reports whether a field is bulk a model rarely needs: a link, an
// API URL, a node id, an avatar, a hash or ETag, or an empty value.
func isBulk(n string, v any) bool {
	switch n {
	case "url", "uri", "href", "_links", "links", "etag", "_etag", "hash", "checksum", "digest", "fingerprint", "gravatar_id":
		return true
	}
	if strings.HasSuffix(n, "_url") || strings.HasSuffix(n, "_uri") || strings.HasSuffix(n, "_href") ||
		strings.Contains(n, "node_id") || strings.Contains(n, "avatar") || strings.HasSuffix(n, "_sha") ||
		strings.HasSuffix(n, "_etag") || strings.HasSuffix(n, "_hash") {
		return true
	}
	switch x := v.(type) {
	case nil:
		return true
	case *leaf:
		if x.number {
			return false
		}
		s := x.text
		return s == "" || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") || isHash(s)
	case []any:
		return len(x) == 0
	case *object:
		return len(x.keys) == 0
	}
	return false
}

// isOpaqueID reports whether s is a prefixed opaque id such as
// "cus_NffrFeUfNV2Hib" or "usr-8f2k1x9q": a short lower-case prefix, a
// separator, then eight or more letters and digits.
func isOpaqueID(s string) bool {
	sep := strings.IndexAny(s, "_-")
	if sep < 2 || sep > 6 || len(s)-sep-1 < 8 {
		return false
	}
	for i := 0; i < sep; i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	digits := false
	for i := sep + 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		default:
			return false
		}
	}
	return digits
}

// isHash reports whether s is a hex digest of 32 characters or more.
func isHash(s string) bool {
	if len(s) < 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// label returns what an object nested in a record is shown as when it is
// collapsed: a reference to another thing (a user, a milestone, a label)
// becomes its login, name or title. An object collapses only when it has
// both an identifying field and a string label, and no quantity or price
// of its own (a line item keeps its fields).
func label(o *object) (string, bool) {
	hasID := false
	best, bestAt := "", len(labelKeys)
	first, last := "", ""
	for i, k := range o.keys {
		n := normKey(k)
		if n == "quantity" || strings.Contains(n, "price") {
			return "", false
		}
		if indexOf(idKeys, n) >= 0 || n == "login" || n == "username" {
			hasID = true
		}
		l, ok := o.vals[i].(*leaf)
		if !ok || l.number || l.text == "" {
			continue
		}
		switch n {
		case "first_name", "firstname", "given_name":
			first = l.text
		case "last_name", "lastname", "family_name":
			last = l.text
		}
		if at := indexOf(labelKeys, n); at >= 0 && at < bestAt {
			best, bestAt = l.text, at
		}
	}
	if !hasID {
		return "", false
	}
	// A person's name beats their email; nothing else beats a label.
	if (first != "" || last != "") && bestAt >= indexOf(labelKeys, "email") {
		return strings.TrimSpace(first + " " + last), true
	}
	return best, best != ""
}
