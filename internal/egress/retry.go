package egress

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff bounds: the first retry waits up to defaultBackoffBase, each
// further one up to twice as long, never more than maxBackoff.
const (
	defaultBackoffBase = 200 * time.Millisecond
	maxBackoff         = 5 * time.Second
)

// retryStatus reports whether an upstream status is worth another attempt.
func retryStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// safeMethod reports whether a method may be repeated without an
// idempotency key.
func safeMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// backoffDelay returns the wait before retry number n (1-based): full
// jitter, uniformly random in [0, min(maxBackoff, base*2^(n-1))).
func backoffDelay(base time.Duration, n int) time.Duration {
	ceiling := base
	for i := 1; i < n && ceiling < maxBackoff; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, maxBackoff)
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling)
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// maxRetryAfter bounds parsed Retry-After values; anything this long never
// fits an action's deadline anyway.
const maxRetryAfter = 24 * time.Hour

// sleepWithin waits d if that leaves at least reserve (the time the next
// attempt is expected to take) before ctx's deadline. It reports false
// without waiting when it would not fit, and false when ctx ends first.
func sleepWithin(ctx context.Context, d, reserve time.Duration) bool {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= d+reserve {
		return false
	}
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
