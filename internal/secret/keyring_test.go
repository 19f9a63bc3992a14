package secret

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func mustKey(t *testing.T) []byte {
	t.Helper()
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustKeyring(t *testing.T, primary []byte, old ...[]byte) *Keyring {
	t.Helper()
	k, err := NewKeyring(primary, old...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRoundTrip(t *testing.T) {
	k := mustKeyring(t, mustKey(t))
	for _, plain := range [][]byte{{}, []byte("s3cr3t"), bytes.Repeat([]byte{0xff}, 10000)} {
		ct, err := k.Encrypt("shop_token", plain)
		if err != nil {
			t.Fatal(err)
		}
		if len(plain) > 3 && bytes.Contains(ct, plain) {
			t.Fatal("ciphertext contains the plaintext")
		}
		got, err := k.Decrypt("shop_token", ct)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, plain) {
			t.Fatalf("round trip: got %d bytes, want %d", len(got), len(plain))
		}
	}
}

func TestCiphertextFormat(t *testing.T) {
	key := mustKey(t)
	k := mustKeyring(t, key)
	a, _ := k.Encrypt("n", []byte("same"))
	b, _ := k.Encrypt("n", []byte("same"))
	if bytes.Equal(a, b) {
		t.Fatal("two encryptions of the same value are equal: nonce not random")
	}
	if a[0] != 1 {
		t.Fatalf("version byte = %d, want 1", a[0])
	}
	if len(a) != 1+8+12+len("same")+16 {
		t.Fatalf("ciphertext length %d", len(a))
	}
	if len(k.KeyID()) != 16 {
		t.Fatalf("KeyID %q: want 16 hex characters", k.KeyID())
	}
	id, err := KeyIDOf(a)
	if err != nil || id != k.KeyID() {
		t.Fatalf("KeyIDOf = %q, %v; want %q", id, err, k.KeyID())
	}
	if strings.Contains(k.KeyID(), EncodeKey(key)[:8]) {
		t.Fatal("key id reveals the key")
	}
}

func TestTamperDetection(t *testing.T) {
	k := mustKeyring(t, mustKey(t))
	ct, err := k.Encrypt("db_password", []byte("hunter2-canary"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range ct {
		for _, bit := range []byte{0x01, 0x80} {
			bad := bytes.Clone(ct)
			bad[i] ^= bit
			if _, err := k.Decrypt("db_password", bad); err == nil {
				t.Fatalf("flipping bit %#x of byte %d was not detected", bit, i)
			}
		}
	}
	if _, err := k.Decrypt("other_name", ct); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("decrypting under another name: err = %v, want ErrCorrupt", err)
	}
	for _, n := range []int{0, 1, 20, 21, len(ct) - 1} {
		if _, err := k.Decrypt("db_password", ct[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d bytes: err = %v, want ErrCorrupt", n, err)
		}
	}
	if _, err := k.Decrypt("db_password", ct); err != nil {
		t.Fatalf("original no longer decrypts: %v", err)
	}
}

func TestWrongKey(t *testing.T) {
	key1, key2 := mustKey(t), mustKey(t)
	k1, k2 := mustKeyring(t, key1), mustKeyring(t, key2)
	ct, _ := k1.Encrypt("token", []byte("canary-value-123"))
	_, err := k2.Decrypt("token", ct)
	if !errors.Is(err, ErrWrongKey) {
		t.Fatalf("err = %v, want ErrWrongKey", err)
	}
	msg := err.Error()
	for _, want := range []string{k1.KeyID(), k2.KeyID(), `"token"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %s", msg, want)
		}
	}
	for _, secret := range []string{"canary-value-123", EncodeKey(key1), EncodeKey(key2)} {
		if strings.Contains(msg, secret) {
			t.Errorf("error %q leaks a secret", msg)
		}
	}
}

func TestRotation(t *testing.T) {
	oldKey, newKey := mustKey(t), mustKey(t)
	oldRing := mustKeyring(t, oldKey)
	ct, _ := oldRing.Encrypt("api_key", []byte("value-1"))

	rotating := mustKeyring(t, newKey, oldKey)
	if rotating.KeyID() != mustKeyring(t, newKey).KeyID() {
		t.Fatal("primary key id is not the new key's")
	}
	got, err := rotating.Decrypt("api_key", ct)
	if err != nil || string(got) != "value-1" {
		t.Fatalf("old ciphertext under rotating keyring: %q, %v", got, err)
	}
	fresh, _ := rotating.Encrypt("api_key", []byte("value-2"))
	if id, _ := KeyIDOf(fresh); id != rotating.KeyID() {
		t.Fatalf("new ciphertext sealed with key %s, want primary %s", id, rotating.KeyID())
	}
	if _, err := oldRing.Decrypt("api_key", fresh); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("old key opened a value sealed with the new key: %v", err)
	}

	re, err := rotating.Reencrypt("api_key", ct)
	if err != nil {
		t.Fatal(err)
	}
	newOnly := mustKeyring(t, newKey)
	if got, err := newOnly.Decrypt("api_key", re); err != nil || string(got) != "value-1" {
		t.Fatalf("re-encrypted value under new key alone: %q, %v", got, err)
	}
	if _, err := newOnly.Decrypt("api_key", ct); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("new key alone opened the old ciphertext: %v", err)
	}
}

func TestCheckValue(t *testing.T) {
	key := mustKey(t)
	k := mustKeyring(t, key)
	v, err := k.CheckValue()
	if err != nil {
		t.Fatal(err)
	}
	if err := mustKeyring(t, key).VerifyCheck(v); err != nil {
		t.Fatalf("same key: %v", err)
	}
	other := mustKeyring(t, mustKey(t))
	err = other.VerifyCheck(v)
	if !errors.Is(err, ErrWrongKey) {
		t.Fatalf("other key: err = %v, want ErrWrongKey", err)
	}
	if !strings.Contains(err.Error(), "ACTIONGATE_MASTER_KEY") || !strings.Contains(err.Error(), k.KeyID()) {
		t.Errorf("error %q does not say which key is expected and how to set it", err)
	}
	if err := mustKeyring(t, mustKey(t), key).VerifyCheck(v); err != nil {
		t.Fatalf("keyring holding the key as an old key: %v", err)
	}
	// A stored secret's ciphertext is not a valid check value.
	ct, _ := k.Encrypt("x", []byte("actiongate master key check v1"))
	if err := k.VerifyCheck(ct); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("secret ciphertext as check value: %v", err)
	}
}

func TestNewKeyringRejectsBadKeys(t *testing.T) {
	if _, err := NewKeyring(make([]byte, 16)); err == nil || !strings.Contains(err.Error(), "16 bytes, want 32") {
		t.Fatalf("16-byte primary: %v", err)
	}
	if _, err := NewKeyring(mustKey(t), mustKey(t), nil); err == nil || !strings.Contains(err.Error(), "old key 2") {
		t.Fatalf("bad old key: %v", err)
	}
}
