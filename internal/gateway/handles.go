package gateway

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/actiongate/actiongate/internal/store"
)

// handleSettle bounds how long after a handle was made it may still be on
// its way to the database: its call answers before the batch holding it is
// committed (Options.AsyncRuns), on this replica or another. A handle this
// young that is not found yet is waited for; an older one is unknown.
const handleSettle = 5 * time.Second

// handlePollMax is the longest pause between two looks for a young handle.
const handlePollMax = 100 * time.Millisecond

// handleEncoding writes handle ids: base32 without padding, lower case.
var handleEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newHandleID returns "h_" and 128 bits: the 48-bit unix millisecond of
// now, so a replica can tell a handle still on its way from an unknown one,
// and 80 random bits.
func newHandleID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	_, _ = rand.Read(b[6:])
	return "h_" + strings.ToLower(handleEncoding.EncodeToString(b[:]))
}

// handleMadeAt returns when the handle id was made; false when id is not
// of the form newHandleID makes.
func handleMadeAt(id string) (time.Time, bool) {
	enc, ok := strings.CutPrefix(id, "h_")
	if !ok || len(enc) != 26 {
		return time.Time{}, false
	}
	b, err := handleEncoding.DecodeString(strings.ToUpper(enc))
	if err != nil || len(b) != 16 {
		return time.Time{}, false
	}
	return time.UnixMilli(int64(binary.BigEndian.Uint64(b[:8]) >> 16)), true
}

// handle returns the payload of agent's handle id. A handle made less than
// handleSettle ago that is not stored yet is waited for: first for the
// runs queued here, then, for one made by another replica, by looking
// again until it appears or is too old to be on its way. Another agent's
// handle is not waited for. Errors wrap store.ErrNotFound and
// store.ErrExpired.
func (g *Gateway) handle(ctx context.Context, id, agent string, now time.Time) ([]byte, error) {
	payload, err := g.store.GetHandle(ctx, id, agent, now)
	made, ok := handleMadeAt(id)
	young := func(t time.Time) bool { return ok && t.Sub(made) < handleSettle && made.Sub(t) < handleSettle }
	if !errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrOtherAgent) || !young(now) {
		return payload, wrapHandleErr(err)
	}
	if err := g.runs.flush(ctx); err != nil {
		return nil, fmt.Errorf("gateway: getting handle: %w", err)
	}
	pause := 5 * time.Millisecond
	for {
		now = g.now()
		payload, err = g.store.GetHandle(ctx, id, agent, now)
		if !errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrOtherAgent) || !young(now) {
			return payload, wrapHandleErr(err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("gateway: getting handle: %w", ctx.Err())
		case <-time.After(pause):
		}
		pause = min(2*pause, handlePollMax)
	}
}

func wrapHandleErr(err error) error {
	if err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	return nil
}
