package cli

import (
	"context"
	"database/sql"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actiongate/actiongate/internal/secret"
	"github.com/actiongate/actiongate/internal/store/storetest"
)

// Bounds of the replicas test.
const (
	// wfReplicaRuns is how many webhooks start runs, spread over the
	// replicas.
	wfReplicaRuns = 300
	// wfReplicaSenders send the webhooks concurrently, each pausing
	// wfReplicaPace between two, so the runs are spread over about six
	// seconds and many writes are in flight on every replica at the kill.
	wfReplicaSenders = 8
	wfReplicaPace    = 150 * time.Millisecond
	// wfKillInFlight is how many writes must be in flight at A's kill:
	// with the jobs spread over three replicas, the chance that none of
	// twelve is A's is under 1%.
	wfKillInFlight = 12
	// wfReplicaSettle bounds the wait, after the last webhook is
	// answered, for every run to complete: River's leadership of the
	// killed replica lapses within 15 s (its TTL) and a survivor is
	// elected within the next 6 s; a step leased by the killed replica
	// is taken over 17 s after it started; the reconciler runs every 5 s.
	wfReplicaSettle = 75 * time.Second
	// wfMaxTickGap bounds the longest stretch without a schedule tick:
	// the leadership handover above and a 2 s schedule sync.
	wfMaxTickGap = 30 * time.Second
)

// tickerWorkflow fires every second and notes its tick.
const tickerWorkflow = `{"description":"Notes each tick.","trigger":{"schedule":{"cron":"@every 1s"}},
	"steps":[{"id":"note","set":{"vars.tick":"{{trigger.scheduled_at}}"}}]}`

// TestWorkflowRunsSurviveAKilledReplica runs three `actiongate serve`
// replicas on one PostgreSQL schema, starts 300 runs through webhooks
// spread over them, kills the replica holding River's leadership with
// SIGKILL halfway, and checks that the two others complete every run,
// that each write reached the upstream with its effect once, and that a
// schedule firing every second ran once per tick across the replicas,
// with the gap of the leadership handover the only one.
func TestWorkflowRunsSurviveAKilledReplica(t *testing.T) {
	if os.Getenv(storetest.EnvPostgresURL) == "" {
		t.Skip("set " + storetest.EnvPostgresURL + " (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run three serve replicas on one PostgreSQL")
	}
	dbURL := storetest.PostgresURL(t, "wfreplicas")
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	bin := buildActiongate(t)
	up := newEffectUpstream(t, 100*time.Millisecond, 300*time.Millisecond)
	key := secret.EncodeKey(mustKey(t))
	vars := func() map[string]string {
		return map[string]string{
			"ACTIONGATE_ADDR":         "127.0.0.1:0",
			"ACTIONGATE_DATA_DIR":     t.TempDir(),
			"ACTIONGATE_DATABASE_URL": dbURL,
			"ACTIONGATE_MASTER_KEY":   key,
			"ACTIONGATE_EGRESS_ALLOW": "127.0.0.0/8",
			"SHOP_HOOK":               wfHookSecret,
		}
	}

	// A starts alone, so it is River's leader: it runs the schedules and
	// the reconciler until it is killed.
	a := startReplica(t, bin, "A", vars())
	admin := regexp.MustCompile(`agt_[a-z0-9]+`).FindString(a.out.String())
	leaderA := waitLeader(t, db, "", 30*time.Second)
	putEffectsWorkflow(t, a, admin, up.srv.URL, tickerWorkflow)
	tickStart := time.Now()
	b := startReplica(t, bin, "B", vars())
	c := startReplica(t, bin, "C", vars())
	// The schedule fires on A before the webhooks come.
	for len(listRuns(t, a, admin, "ticker")) < 3 {
		if time.Since(tickStart) > 20*time.Second {
			t.Fatalf("the every-second schedule ran %d times in the %s after it was applied", len(listRuns(t, a, admin, "ticker")), time.Since(tickStart).Round(time.Second))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("the schedule's third run came %s after it was applied", time.Since(tickStart).Round(100*time.Millisecond))
	replicas := []*replica{a, b, c}

	var (
		mu      sync.Mutex
		runIDs  = map[string]string{}
		next    atomic.Int64
		killed  atomic.Bool
		retried atomic.Int64
		wg      sync.WaitGroup
	)
	client := &http.Client{Timeout: 10 * time.Second}
	for range wfReplicaSenders {
		wg.Go(func() {
			for {
				i := int(next.Add(1))
				if i > wfReplicaRuns {
					return
				}
				n, body := wfOrder(i), orderBody(wfOrder(i))
				// Each webhook goes to a replica in turn; one the sender
				// cannot reach is delivered again, with the same
				// webhook-id, to the next replica alive.
				for try := 0; ; try++ {
					r := replicas[(i+try)%3]
					if r == a && killed.Load() {
						continue
					}
					status, out, err := sendHook(client, r.url, "effects", signedHeaders(wfHookKey, wfDelivery(i), time.Now(), body), body)
					if err != nil {
						if r != a || try > 3 {
							t.Errorf("webhook %d to replica %s: %v", i, r.name, err)
							return
						}
						retried.Add(1)
						continue
					}
					id, _ := out["run_id"].(string)
					if id == "" || (status != http.StatusAccepted && (status != http.StatusOK || out["duplicate"] != true)) {
						t.Errorf("webhook %d to replica %s: %d %v", i, r.name, status, out)
						return
					}
					mu.Lock()
					runIDs[n] = id
					mu.Unlock()
					time.Sleep(wfReplicaPace)
					break
				}
			}
		})
	}
	// Halfway, A is killed, at a moment when enough writes are in flight
	// that some are almost surely A's (the replicas share the jobs, so the
	// upstream cannot tell whose they are); after 10 s of waiting for
	// that, it is killed anyway and the check below says so.
	for {
		mu.Lock()
		half := len(runIDs) >= wfReplicaRuns/2
		mu.Unlock()
		if half {
			break
		}
		time.Sleep(time.Millisecond)
	}
	for wait := time.Now().Add(10 * time.Second); up.inFlight() < wfKillInFlight && time.Now().Before(wait); {
		time.Sleep(time.Millisecond)
	}
	killed.Store(true)
	inFlight := up.inFlight()
	if err := a.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-a.done
	killedAt := time.Now()
	// The upstream learns of A's closed connections a moment after the
	// process is gone: its handlers see their requests' contexts end.
	atKill := up.counts()
	for settle := time.Now().Add(3 * time.Second); len(atKill.unanswered) == 0 && time.Now().Before(settle); atKill = up.counts() {
		time.Sleep(10 * time.Millisecond)
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if len(atKill.unanswered) == 0 {
		t.Errorf("no write of A was in flight at its kill (%d writes had arrived, %d in flight from all replicas); the test did not exercise the crash", atKill.first, inFlight)
	}
	t.Logf("A killed with %d runs started and %d writes arrived (%d in flight); %d webhooks to A delivered again elsewhere",
		wfReplicaRuns/2, atKill.first, len(atKill.unanswered), retried.Load())
	leaderNow := waitLeader(t, db, leaderA, 40*time.Second)
	t.Logf("River's leadership moved from %s to %s %s after the kill", leaderA, leaderNow, time.Since(killedAt).Round(100*time.Millisecond))

	runs, _ := waitCompleted(t, b, admin, runIDs, wfReplicaSettle)
	t.Logf("every run completed %s after the kill", time.Since(killedAt).Round(100*time.Millisecond))
	checkEffectsOnce(t, b, admin, up.counts(), runs, runIDs)
	checkTicks(t, b, admin, db, killedAt)
	b.stop(t)
	c.stop(t)
}

// waitLeader waits until River's leader is recorded and is not other,
// and returns its id.
func waitLeader(t *testing.T, db *sql.DB, other string, bound time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(bound)
	for {
		var id string
		err := db.QueryRowContext(context.Background(), `SELECT leader_id FROM river_leader WHERE expires_at > now()`).Scan(&id)
		if err == nil && id != other {
			return id
		}
		if time.Now().After(deadline) {
			t.Fatalf("no River leader other than %q within %s (last: %q, %v)", other, bound, id, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkTicks checks the runs of the ticker schedule: one run per tick
// (distinct input.scheduled_at, whole seconds), River's tick jobs one per
// tick, about one a second from start on, and no gap longer than
// wfMaxTickGap; the ticks go on after the leader's kill, until now.
func checkTicks(t *testing.T, srv *replica, admin string, db *sql.DB, killedAt time.Time) {
	t.Helper()
	runs := listRuns(t, srv, admin, "ticker")
	var ticks []time.Time
	seen := map[string]string{}
	for id, r := range runs {
		at, _ := jsonPath(r, "input", "scheduled_at")
		s, _ := at.(string)
		ts, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Errorf("ticker run %s has scheduled_at %v: %v", id, at, err)
			continue
		}
		if other, dup := seen[s]; dup {
			t.Errorf("ticker runs %s and %s share the tick %s", other, id, s)
		}
		seen[s] = id
		if r["status"] != "completed" && time.Since(ts) > 10*time.Second {
			t.Errorf("ticker run %s of %s is %v", id, s, r["status"])
		}
		ticks = append(ticks, ts)
	}
	var dupJobs int
	if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM (SELECT args->>'at' FROM river_job
		WHERE kind = 'workflow_tick' GROUP BY args->>'workflow', args->>'at' HAVING count(*) > 1) d`).Scan(&dupJobs); err != nil {
		t.Fatal(err)
	}
	if dupJobs != 0 {
		t.Errorf("%d schedule ticks have more than one River job", dupJobs)
	}
	if len(ticks) < 2 {
		t.Fatalf("the every-second schedule ran %d times", len(ticks))
	}
	slices.SortFunc(ticks, func(x, y time.Time) int { return x.Compare(y) })
	if first, last := ticks[0], ticks[len(ticks)-1]; !first.Before(killedAt) || !last.After(killedAt) || time.Since(last) > 5*time.Second {
		t.Errorf("the every-second schedule ran from %s to %s; want ticks before the kill at %s, after it, and until now (%s)",
			first.Format(time.TimeOnly), last.Format(time.TimeOnly), killedAt.UTC().Format(time.TimeOnly), time.Now().UTC().Format(time.TimeOnly))
	}
	var gap time.Duration
	for k := 1; k < len(ticks); k++ {
		gap = max(gap, ticks[k].Sub(ticks[k-1]))
	}
	span := ticks[len(ticks)-1].Sub(ticks[0])
	// Outside the longest gap (the leadership handover) one run a second.
	want := int((span-gap)/time.Second) + 1
	if len(ticks) < want*9/10 || len(ticks) > int(span/time.Second)+1 {
		t.Errorf("the every-second schedule ran %d times over %s (longest gap %s), want about %d", len(ticks), span, gap, want)
	}
	if gap > wfMaxTickGap {
		t.Errorf("the every-second schedule paused %s, more than %s", gap, wfMaxTickGap)
	}
	t.Logf("the every-second schedule ran %d times over %s, one per tick; longest gap %s (the leader's kill)", len(ticks), span.Round(time.Second), gap)
}
