package store

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func testSecrets(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	_, err := s.GetSecret(ctx, "API_TOKEN")
	wantErr(t, err, ErrNotFound)

	must(t, s.PutSecret(ctx, "API_TOKEN", []byte{0, 1, 2, 0xff}))
	must(t, s.PutSecret(ctx, "DB_PASSWORD", []byte("ct-1")))
	must(t, s.PutSecret(ctx, "DB_PASSWORD", []byte("ct-2")))

	got, err := s.GetSecret(ctx, "API_TOKEN")
	must(t, err)
	if !bytes.Equal(got, []byte{0, 1, 2, 0xff}) {
		t.Fatalf("GetSecret = %x", got)
	}
	got, err = s.GetSecret(ctx, "DB_PASSWORD")
	must(t, err)
	if string(got) != "ct-2" {
		t.Fatalf("GetSecret after replace = %q", got)
	}

	list, err := s.ListSecrets(ctx)
	must(t, err)
	if len(list) != 2 || list[0].Name != "API_TOKEN" || list[1].Name != "DB_PASSWORD" {
		t.Fatalf("ListSecrets = %+v", list)
	}
	for _, si := range list {
		if si.CreatedAt.IsZero() || si.UpdatedAt.Before(si.CreatedAt) || si.CreatedAt.Location().String() != "UTC" {
			t.Fatalf("secret dates = %+v", si)
		}
	}

	must(t, s.DeleteSecret(ctx, "API_TOKEN"))
	wantErr(t, s.DeleteSecret(ctx, "API_TOKEN"), ErrNotFound)
	_, err = s.GetSecret(ctx, "API_TOKEN")
	wantErr(t, err, ErrNotFound)
}

func testRewrapSecrets(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	for _, n := range []string{"A", "B", "C"} {
		must(t, s.PutSecret(ctx, n, []byte("k1:"+n)))
	}
	must(t, s.PutMeta(ctx, "key_check", []byte("k1")))

	// fn fails on the second secret: nothing may change, not even the
	// secret already re-encrypted nor the meta entry.
	boom := errors.New("wrong key")
	calls := 0
	err := s.RewrapSecretsWithMeta(ctx, func(name string, ct []byte) ([]byte, error) {
		calls++
		if name == "B" {
			return nil, boom
		}
		return append([]byte("k2:"), ct[3:]...), nil
	}, map[string][]byte{"key_check": []byte("k2")})
	wantErr(t, err, boom)
	if calls != 2 {
		t.Fatalf("fn called %d times, want 2 (stop at the failure)", calls)
	}
	for _, n := range []string{"A", "B", "C"} {
		ct, err := s.GetSecret(ctx, n)
		must(t, err)
		if string(ct) != "k1:"+n {
			t.Fatalf("secret %s = %q after a failed rewrap", n, ct)
		}
	}
	kc, err := s.GetMeta(ctx, "key_check")
	must(t, err)
	if string(kc) != "k1" {
		t.Fatalf("key_check = %q after a failed rewrap", kc)
	}

	must(t, s.RewrapSecretsWithMeta(ctx, func(name string, ct []byte) ([]byte, error) {
		return append([]byte("k2:"), ct[3:]...), nil
	}, map[string][]byte{"key_check": []byte("k2")}))
	for _, n := range []string{"A", "B", "C"} {
		ct, err := s.GetSecret(ctx, n)
		must(t, err)
		if string(ct) != "k2:"+n {
			t.Fatalf("secret %s = %q after rewrap", n, ct)
		}
	}
	kc, err = s.GetMeta(ctx, "key_check")
	must(t, err)
	if string(kc) != "k2" {
		t.Fatalf("key_check = %q after rewrap", kc)
	}

	// RewrapSecrets is the same without meta.
	must(t, s.RewrapSecrets(ctx, func(name string, ct []byte) ([]byte, error) { return []byte("k3:" + name), nil }))
	ct, err := s.GetSecret(ctx, "C")
	must(t, err)
	if string(ct) != "k3:C" {
		t.Fatalf("secret C = %q", ct)
	}
}

func testMeta(t *testing.T, newStore factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	if ok, err := s.Initialized(ctx); err != nil || !ok {
		t.Fatalf("Initialized on a migrated database = %v, %v; want true", ok, err)
	}
	_, err := s.GetMeta(ctx, "k")
	wantErr(t, err, ErrNotFound)

	ok, err := s.PutMetaIfAbsent(ctx, "k", []byte("first"))
	must(t, err)
	if !ok {
		t.Fatal("PutMetaIfAbsent on an unset key reported false")
	}
	ok, err = s.PutMetaIfAbsent(ctx, "k", []byte("second"))
	must(t, err)
	if ok {
		t.Fatal("PutMetaIfAbsent on a set key reported true")
	}
	v, err := s.GetMeta(ctx, "k")
	must(t, err)
	if string(v) != "first" {
		t.Fatalf("GetMeta = %q, want first", v)
	}
	must(t, s.PutMeta(ctx, "k", []byte("third")))
	v, err = s.GetMeta(ctx, "k")
	must(t, err)
	if string(v) != "third" {
		t.Fatalf("GetMeta = %q, want third", v)
	}
	must(t, s.PutMeta(ctx, "empty", nil))
	v, err = s.GetMeta(ctx, "empty")
	must(t, err)
	if len(v) != 0 {
		t.Fatalf("GetMeta(empty) = %q", v)
	}
}
