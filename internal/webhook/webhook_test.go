package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	now     = time.Unix(1_760_000_000, 0)
	secret  = []byte("0123456789abcdef0123456789abcdef")
	body    = []byte(`{"order_id":"A-1"}`)
	msgID   = "msg_2p8ZBmPaQj7mHqXg"
	tolered = 5 * time.Minute
)

func headers(id string, ts time.Time, sig string) http.Header {
	h := http.Header{}
	if id != "" {
		h.Set(HeaderID, id)
	}
	if !ts.IsZero() {
		h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	}
	if sig != "" {
		h.Set(HeaderSignature, sig)
	}
	return h
}

func TestSignVerify(t *testing.T) {
	sig := Sign(secret, msgID, now, body)
	if !strings.HasPrefix(sig, "v1,") || len(sig) != 3+44 {
		t.Fatalf("signature %q", sig)
	}
	id, err := Verify(secret, headers(msgID, now, sig), body, now, tolered)
	if err != nil || id != msgID {
		t.Fatalf("Verify = %q, %v", id, err)
	}
	// Several signatures (key rotation, other versions): one match is enough.
	other := Sign([]byte("old secret"), msgID, now, body)
	multi := "v2,abc " + other + "  " + sig
	if _, err := Verify(secret, headers(msgID, now.Add(-4*time.Minute), Sign(secret, msgID, now.Add(-4*time.Minute), body)), body, now, tolered); err != nil {
		t.Errorf("4 minutes old: %v", err)
	}
	if _, err := Verify(secret, headers(msgID, now, multi), body, now, tolered); err != nil {
		t.Errorf("several signatures: %v", err)
	}
}

// TestKnownVector checks the signing against the example of the
// Standard Webhooks specification.
func TestKnownVector(t *testing.T) {
	key, err := DecodeSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestVerifyErrors(t *testing.T) {
	sig := Sign(secret, msgID, now, body)
	for _, tt := range []struct {
		name string
		h    http.Header
		body []byte
		is   error
		want string
	}{
		{"no id", headers("", now, sig), body, ErrMissingHeader, "webhook: verifying: missing header webhook-id"},
		{"no timestamp", headers(msgID, time.Time{}, sig), body, ErrMissingHeader, "webhook: verifying: missing header webhook-timestamp"},
		{"no signature", headers(msgID, now, ""), body, ErrMissingHeader, "webhook: verifying: missing header webhook-signature"},
		{"long id", headers(strings.Repeat("x", MaxIDLength+1), now, sig), body, ErrBadHeader, "webhook: verifying: malformed header webhook-id: longer than 256 bytes"},
		{"too old", headers(msgID, now.Add(-6*time.Minute), Sign(secret, msgID, now.Add(-6*time.Minute), body)), body, ErrTimestamp,
			"webhook: verifying: timestamp outside the tolerance: webhook-timestamp is 6m0s old, more than the 5m0s allowed"},
		{"too new", headers(msgID, now.Add(10*time.Minute), Sign(secret, msgID, now.Add(10*time.Minute), body)), body, ErrTimestamp,
			"webhook: verifying: timestamp outside the tolerance: webhook-timestamp is 10m0s in the future, more than the 5m0s allowed"},
		{"wrong body", headers(msgID, now, sig), []byte(`{"order_id":"A-2"}`), ErrSignature, "webhook: verifying: no matching signature in webhook-signature"},
		{"wrong id", headers("msg_other", now, sig), body, ErrSignature, "webhook: verifying: no matching signature in webhook-signature"},
		{"wrong version", headers(msgID, now, "v2"+sig[2:]), body, ErrSignature, "webhook: verifying: no matching signature in webhook-signature"},
		{"not base64", headers(msgID, now, "v1,!!!"), body, ErrSignature, "webhook: verifying: no matching signature in webhook-signature"},
		{"truncated", headers(msgID, now, sig[:20]), body, ErrSignature, "webhook: verifying: no matching signature in webhook-signature"},
		{"too many", headers(msgID, now, strings.Repeat("v1,x ", MaxSignatures+1)), body, ErrBadHeader, "webhook: verifying: malformed header webhook-signature: more than 32 signatures"},
		{"huge", headers(msgID, now, strings.Repeat("v1,"+strings.Repeat("A", 44)+" ", 200)), body, ErrBadHeader, "webhook: verifying: malformed header webhook-signature: longer than 4096 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(secret, tt.h, tt.body, now, tolered)
			if !errors.Is(err, tt.is) || err.Error() != tt.want {
				t.Errorf("err = %v, want %s", err, tt.want)
			}
		})
	}
	h := headers(msgID, now, sig)
	for _, ts := range []string{"soon", "1.5", "-", "99999999999999999999"} {
		h.Set(HeaderTimestamp, ts)
		if _, err := Verify(secret, h, body, now, tolered); !errors.Is(err, ErrBadHeader) || !strings.Contains(err.Error(), "webhook-timestamp: must be whole seconds") {
			t.Errorf("timestamp %q: %v", ts, err)
		}
	}
	if _, err := Verify(nil, headers(msgID, now, sig), body, now, tolered); err == nil {
		t.Error("an empty secret verified")
	}
}

// TestVerifyHugeHeaderIsCheap: a signature header far past the bound is
// refused before it is split or decoded.
func TestVerifyHugeHeaderIsCheap(t *testing.T) {
	huge := strings.Repeat("v1,"+strings.Repeat("A", 44)+" ", 100_000) // 4.8 MB
	h := headers(msgID, now, huge)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	const n = 100
	for range n {
		if _, err := Verify(secret, h, body, now, tolered); !errors.Is(err, ErrBadHeader) {
			t.Fatal(err)
		}
	}
	took := time.Since(start) / n
	runtime.ReadMemStats(&after)
	alloc := (after.TotalAlloc - before.TotalAlloc) / n
	t.Logf("refused in %v, %d bytes each", took, alloc)
	if took > time.Millisecond || alloc > 4096 {
		t.Errorf("refusing took %v and %d bytes", took, alloc)
	}
}

func TestDecodeSecret(t *testing.T) {
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeSecret("whsec_" + base64.StdEncoding.EncodeToString(raw))
	if err != nil || string(got) != string(raw) {
		t.Errorf("whsec_: %x, %v", got, err)
	}
	if got, err := DecodeSecret("plain-secret"); err != nil || string(got) != "plain-secret" {
		t.Errorf("plain: %q, %v", got, err)
	}
	for _, bad := range []string{"", "whsec_", "whsec_***"} {
		if _, err := DecodeSecret(bad); err == nil {
			t.Errorf("%q accepted", bad)
		} else if bad == "whsec_***" && strings.Contains(err.Error(), "***") {
			t.Errorf("the error shows the secret: %v", err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	h := headers(msgID, now, "v1,"+strings.Repeat("A", 44)+" "+Sign(secret, msgID, now, body))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(secret, h, body, now, tolered); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Sign(secret, msgID, now, body)
	}
}
