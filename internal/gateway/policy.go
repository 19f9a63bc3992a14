package gateway

import (
	"fmt"
	"strconv"
	"time"

	"github.com/actiongate/actiongate/internal/toolresult"
)

// The lifetimes the gateway promises; the messages that quote them are
// built from them below, so the words cannot drift from what is enforced.
const (
	// ConfirmationTTL is how long a write waits for a person's decision
	// before it expires unsent.
	ConfirmationTTL = 15 * time.Minute
	// HandleTTL is how long a result handle for more_results stays valid.
	HandleTTL = 30 * time.Minute
)

// confirmationNote tells the model the id of the confirmation its call
// waits for and when it expires.
func confirmationNote(id string) string {
	return fmt.Sprintf(" Confirmation id: %s (expires in %s).", id, lifetime(ConfirmationTTL))
}

// expiredHandle is the error for a more_results handle past HandleTTL.
func expiredHandle() *toolresult.Error {
	return toolresult.Errorf(toolresult.KindExpiredHandle, "This handle has expired (handles last %s). Call the original tool again to get fresh data.", lifetime(HandleTTL))
}

// lifetime spells a duration for a message in its largest whole unit:
// "15 minutes", "1 hour", "90 seconds".
func lifetime(d time.Duration) string {
	for _, u := range []struct {
		size time.Duration
		name string
	}{{time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}} {
		if d >= u.size && d%u.size == 0 {
			n := int64(d / u.size)
			if n == 1 {
				return "1 " + u.name
			}
			return strconv.FormatInt(n, 10) + " " + u.name + "s"
		}
	}
	return d.String()
}
