package store

import (
	"testing"
	"time"
)

// TestLastTick names a periodic job's tick by the schedule's time, even
// when the job runs late, so every replica names one tick alike.
func TestLastTick(t *testing.T) {
	everyMinute := func(t time.Time) time.Time { return t.Truncate(time.Minute).Add(time.Minute) }
	base := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		now  time.Time
		want time.Time
	}{
		{base, base},
		{base.Add(300 * time.Millisecond), base},
		{base.Add(59 * time.Second), base},
		{base.Add(61 * time.Second), base.Add(time.Minute)},
	} {
		if got := lastTick(everyMinute, c.now); !got.Equal(c.want) {
			t.Errorf("lastTick at %s = %s, want %s", c.now.Format(time.TimeOnly), got.Format(time.TimeOnly), c.want.Format(time.TimeOnly))
		}
	}
	// A schedule whose ticks are more than two minutes apart, run late
	// after its tick, still names the tick.
	hourly := func(t time.Time) time.Time { return t.Truncate(time.Hour).Add(time.Hour) }
	if got := lastTick(hourly, base.Add(90*time.Second)); !got.Equal(base) {
		t.Errorf("hourly lastTick = %s, want %s", got, base)
	}
}
