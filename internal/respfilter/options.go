package respfilter

import (
	"time"

	"github.com/actiongate/actiongate/internal/action"
)

// DefaultSelectTimeout bounds how long a select expression may run.
const DefaultSelectTimeout = time.Second

// DefaultMaxListItems caps the main list when the action sets no
// max_items: the budget, not a fixed count, decides how many records a
// page shows.
const DefaultMaxListItems = 50

// Options says how one response is cut down. Zero values take the defaults
// noted on each field, except Compact, whose zero value is off; OptionsFrom
// turns it on unless the action says otherwise.
type Options struct {
	// Select is a jq expression applied to a JSON body; "" keeps the body
	// whole. When it yields several values they become one array; when it
	// yields none the result is an empty array.
	Select string
	// Exclude lists field-name glob patterns (path.Match syntax, e.g.
	// "*_url", "node_id") whose fields are dropped at any depth.
	Exclude []string
	// Compact drops object fields whose value is null, "", [] or {},
	// recursively. Array elements keep their positions.
	Compact bool
	// MaxItems caps every array; 0 means 20 for arrays nested in the
	// records and MaxListItems for the main list.
	MaxItems int
	// MaxListItems caps the main list, the one more_results pages through;
	// 0 means MaxItems when that is set, else DefaultMaxListItems.
	MaxListItems int
	// MaxString caps every string (and every line of a text body) in
	// characters; 0 means 1000.
	MaxString int
	// MaxTokens is the o200k_base token budget of the whole output; 0 means
	// 1000.
	MaxTokens int
	// SelectTimeout bounds the select expression; 0 means 1s.
	SelectTimeout time.Duration
	// Format is how the main list is written: action.FormatJSON (or "")
	// as a JSON array of objects, action.FormatTable as a header of field
	// names followed by one row of values per item.
	Format string
	// MoreHint is appended to the note on the paged list (or text) when a
	// Result has a Rest, e.g. `call more_results with handle "h7"`. It is
	// counted within MaxTokens.
	MoreHint string
}

// OptionsFrom converts an action's response filter to Options: unset
// fields take the action defaults and compaction is on unless the action
// turns it off.
func OptionsFrom(f action.ResponseFilter) Options {
	return Options{
		Select:    f.Select,
		Exclude:   f.Exclude,
		Compact:   f.Compact == nil || *f.Compact,
		MaxItems:  f.MaxItems,
		MaxString: f.MaxString,
		MaxTokens: f.MaxTokens,
		Format:    f.Format,
	}.withDefaults()
}

// withDefaults fills zero limits with their defaults.
func (o Options) withDefaults() Options {
	if o.MaxListItems <= 0 {
		o.MaxListItems = o.MaxItems
		if o.MaxListItems <= 0 {
			o.MaxListItems = DefaultMaxListItems
		}
	}
	if o.MaxItems <= 0 {
		o.MaxItems = action.DefaultMaxItems
	}
	if o.MaxString <= 0 {
		o.MaxString = action.DefaultMaxString
	}
	if o.MaxTokens <= 0 {
		o.MaxTokens = action.DefaultMaxTokens
	}
	if o.SelectTimeout <= 0 {
		o.SelectTimeout = DefaultSelectTimeout
	}
	return o
}
