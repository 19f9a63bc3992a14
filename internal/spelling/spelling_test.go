package spelling

import "testing"

func TestClosest(t *testing.T) {
	names := []string{"method", "url", "params", "query"}
	for _, tc := range []struct {
		word, want string
		ok         bool
	}{
		{"methd", "method", true},
		{"METHOD", "method", true},
		{"qeury", "query", true},
		{"paramz", "params", true},
		{"timeout", "", false},
		{"", "", false},
	} {
		got, ok := Closest(tc.word, names)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Closest(%q) = %q, %v; want %q, %v", tc.word, got, ok, tc.want, tc.ok)
		}
	}
}

func TestClosestPrefersFirstOnTie(t *testing.T) {
	if got, _ := Closest("ab", []string{"xb", "ax"}); got != "xb" {
		t.Errorf("tie went to %q", got)
	}
}
