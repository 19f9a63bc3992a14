package gateway_test

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/gateway/gatewaytest"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/store"
	"github.com/actiongate/actiongate/internal/toolschema"
)

// quoted reads the lifetime a message quotes ("expires in 15 minutes").
func quoted(t *testing.T, phrase *regexp.Regexp, output string) time.Duration {
	t.Helper()
	m := phrase.FindStringSubmatch(output)
	if m == nil {
		t.Fatalf("%q does not say %s", output, phrase)
	}
	n, _ := strconv.Atoi(m[1])
	return time.Duration(n) * time.Minute
}

// What the model is told about a confirmation's lifetime is what the
// confirmation gets, and both are gateway.ConfirmationTTL.
func TestConfirmationMessageQuotesItsLifetime(t *testing.T) {
	f := gatewaytest.New(t, nil)
	tr, err := f.G.CallTool(context.Background(), runlog.CallerTools, "support", "create_ticket", map[string]any{"subject": "Broken zipper"},
		gateway.CallContext{Contact: map[string]any{"email": "kim@example.com"}})
	if err != nil || tr.Status != gateway.StatusConfirmationRequired {
		t.Fatalf("write: %+v, %v", tr, err)
	}
	said := quoted(t, regexp.MustCompile(`\(expires in (\d+) minutes\)`), tr.Output)
	c, err := f.G.Confirmation(context.Background(), tr.ConfirmationID)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.ExpiresAt.Sub(c.CreatedAt); said != gateway.ConfirmationTTL || got != gateway.ConfirmationTTL {
		t.Fatalf("the model is told %v, the confirmation lasts %v; want both %v", said, got, gateway.ConfirmationTTL)
	}
}

// What the model is told about a handle's lifetime when one has expired is
// how long a fresh handle lasts, and both are gateway.HandleTTL.
func TestExpiredHandleMessageQuotesTheHandleLifetime(t *testing.T) {
	f := gatewaytest.New(t, nil)
	ctx := context.Background()
	s, err := store.OpenExisting(ctx, f.Cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	before := time.Now()
	tr, err := f.G.CallTool(ctx, runlog.CallerTools, "support", "list_items", nil, gateway.CallContext{})
	after := time.Now()
	if err != nil || tr.Handle == "" {
		t.Fatalf("cut result: %+v, %v", tr, err)
	}
	handleAt := func(at time.Time) error {
		var err error
		for range 100 { // the handle may be stored just after the answer
			if _, err = s.GetHandle(ctx, tr.Handle, "support", at); !errors.Is(err, store.ErrNotFound) {
				return err
			}
			time.Sleep(20 * time.Millisecond)
		}
		return err
	}
	if err := handleAt(before.Add(gateway.HandleTTL - time.Millisecond)); err != nil {
		t.Fatalf("the handle just before HandleTTL: %v", err)
	}
	if err := handleAt(after.Add(gateway.HandleTTL + time.Millisecond)); !errors.Is(err, store.ErrExpired) {
		t.Fatalf("the handle just after HandleTTL: %v, want it expired", err)
	}

	if err := s.PutHandle(ctx, "h_old", "support", []byte("{}"), time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	old, err := f.G.CallTool(ctx, runlog.CallerTools, "support", toolschema.MoreResultsTool, map[string]any{toolschema.MoreResultsParam: "h_old"}, gateway.CallContext{})
	if err != nil || old.Status != gateway.StatusError || !strings.Contains(old.Output, `"type":"expired_handle"`) {
		t.Fatalf("expired handle: %+v, %v", old, err)
	}
	if said := quoted(t, regexp.MustCompile(`handles last (\d+) minutes`), old.Output); said != gateway.HandleTTL {
		t.Fatalf("the model is told handles last %v, they last %v", said, gateway.HandleTTL)
	}
}
