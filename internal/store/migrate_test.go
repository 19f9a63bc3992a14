package store

import (
	"context"
	"testing"
)

func testMigrate(t *testing.T, newStore factory) {
	s, u := newStore(t)
	ctx := context.Background()
	cur, latest, err := s.SchemaVersion(ctx)
	must(t, err)
	if cur != latest || latest < 1 {
		t.Fatalf("SchemaVersion = %d, %d after Migrate", cur, latest)
	}
	// Migrating again, also from another replica, is a no-op.
	must(t, s.Migrate(ctx))
	replica := openStore(t, u)
	must(t, replica.Migrate(ctx))
	must(t, replica.Ping(ctx))
	if replica.Dialect() != s.Dialect() {
		t.Fatalf("replica dialect %s, store %s", replica.Dialect(), s.Dialect())
	}
	// Data written by one replica is read by the other.
	must(t, s.PutSecret(ctx, "S", []byte("ct")))
	ct, err := replica.GetSecret(ctx, "S")
	must(t, err)
	if string(ct) != "ct" {
		t.Fatalf("replica read %q", ct)
	}
}
