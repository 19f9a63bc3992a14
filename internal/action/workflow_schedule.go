package action

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// Next returns the schedule's tick function: the first tick after a time,
// in the schedule's timezone (UTC when none).
func (s *ScheduleTrigger) Next() (func(time.Time) time.Time, error) {
	loc := time.UTC
	if s.Timezone != "" {
		l, err := time.LoadLocation(s.Timezone)
		if err != nil {
			return nil, fmt.Errorf("unknown timezone %q", s.Timezone)
		}
		loc = l
	}
	// Five fields (minute hour day month weekday), or a descriptor such
	// as @daily or @every 1h.
	sched, err := cron.ParseStandard(s.Cron)
	if err != nil {
		return nil, fmt.Errorf("invalid cron expression %q: %w", s.Cron, err)
	}
	return func(t time.Time) time.Time { return sched.Next(t.In(loc)) }, nil
}
