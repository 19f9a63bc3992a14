package respfilter

import (
	"slices"
	"strconv"
	"strings"
)

// takeStats records what one ladder step took from the records.
type takeStats struct {
	names     []string
	ranks     []rank
	collapses []string
	texts     int
	days      bool
	hashes    bool
}

// took records that a field of a record was taken; nested fields are only
// counted in their parent.
func (s *takeStats) took(k string, rk rank, top bool) {
	if !top {
		return
	}
	if i := slices.Index(s.names, k); i >= 0 {
		if rk.before(s.ranks[i], k, s.names[i]) {
			s.ranks[i] = rk
		}
		return
	}
	s.names, s.ranks = append(s.names, k), append(s.ranks, rk)
}

// collapsed records that a record's field was shown as its label.
func (s *takeStats) collapsed(k string) {
	if !slices.Contains(s.collapses, k) {
		s.collapses = append(s.collapses, k)
	}
}

// noteNames is how many left-out fields a note names before counting the
// rest.
const noteNames = 3

// note says in one line what the step took.
func (s *takeStats) note(same []sameField, sq squeeze) string {
	var parts []string
	if sq.bulk && len(same) > 0 {
		var b strings.Builder
		b.WriteString("every item: ")
		for i, f := range same {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(f.key)
			if f.show != "" {
				b.WriteString("=" + f.show)
			}
		}
		parts = append(parts, b.String())
	}
	if len(s.names) > 0 {
		idx := make([]int, len(s.names))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			if s.ranks[a].before(s.ranks[b], s.names[a], s.names[b]) {
				return -1
			}
			return 1
		})
		var named []string
		for _, i := range idx {
			if len(named) == noteNames || s.ranks[i].class == classBulk {
				break
			}
			named = append(named, s.names[i])
		}
		line := "left out: " + strings.Join(named, ", ")
		if rest := len(s.names) - len(named); rest > 0 {
			if len(named) > 0 {
				line += " and "
			}
			line += strconv.Itoa(rest) + " more"
			if len(named) == 0 {
				line = "left out: " + strconv.Itoa(rest) + " fields (links, ids, …)"
			}
		}
		parts = append(parts, line)
	}
	if len(s.collapses) > 0 {
		parts = append(parts, "by name: "+strings.Join(s.collapses, ", "))
	}
	if s.texts > 0 {
		parts = append(parts, "long text cut")
	}
	if s.days {
		parts = append(parts, "dates to the day")
	}
	if s.hashes {
		parts = append(parts, "hashes to "+strconv.Itoa(shortHash)+" digits")
	}
	return strings.Join(parts, "; ")
}
