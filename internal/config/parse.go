package config

import (
	"fmt"
	"math"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/egress"
)

// splitList splits a comma-separated value, dropping blank entries.
func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// parsePrefixes reads allowed networks the way the egress guard does.
func parsePrefixes(items []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(items))
	for _, item := range items {
		p, err := egress.ParsePrefix(item)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// maxDays is the largest day count a time.Duration holds.
const maxDays = math.MaxInt64 / int64(24*time.Hour)

// parseDuration reads a Go duration ("720h", "1h30m") or whole days ("30d").
func parseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseInt(days, 10, 64)
		if err == nil {
			if n < 0 || n > maxDays {
				return 0, fmt.Errorf("%q is out of range", s)
			}
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (like 30d, 720h or 90s)", s)
	}
	return d, nil
}

// sizeUnits maps a size suffix (lower-cased) to its multiplier.
var sizeUnits = map[string]int64{
	"":    1,
	"b":   1,
	"kb":  1000,
	"kib": 1 << 10,
	"mb":  1000 * 1000,
	"mib": 1 << 20,
	"gb":  1000 * 1000 * 1000,
	"gib": 1 << 30,
}

// parseSize reads a byte count: plain digits, or digits followed by B, KB,
// KiB, MB, MiB, GB or GiB (case-insensitive, optional space).
func parseSize(s string) (int64, error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	unit := strings.ToLower(strings.TrimSpace(s[i:]))
	mult, ok := sizeUnits[unit]
	if i == 0 || !ok {
		return 0, fmt.Errorf("%q is not a size (like 5MiB, 512KiB or 1048576)", s)
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return n * mult, nil
}

// normalizeOrigin checks that s is a browser origin, scheme://host[:port]
// with http or https and nothing after, and returns it lower-cased without
// a trailing slash.
func normalizeOrigin(s string) (string, error) {
	u, err := url.Parse(s)
	bad := err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != ""
	if bad {
		return "", fmt.Errorf("%q is not an origin (like https://console.example.com or http://localhost:3000)", s)
	}
	if u.Port() != "" {
		if p, err := strconv.ParseUint(u.Port(), 10, 16); err != nil || p == 0 {
			return "", fmt.Errorf("%q has an invalid port", s)
		}
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}
