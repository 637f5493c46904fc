package jobs

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

var quiet = slog.New(slog.DiscardHandler)

// flakyJob fails while its handler's failing flag is set.
type flakyJob struct {
	Name string `json:"name"`
}

func (flakyJob) Kind() string { return "test.flaky" }

// tickJob counts its runs.
type tickJob struct{}

func (tickJob) Kind() string { return "test.tick" }

// countJob is worked once per key, by whichever node gets it.
type countJob struct {
	Key int `json:"key"`
}

func (countJob) Kind() string { return "test.count" }

// fastConfig makes a test engine notice new jobs within milliseconds.
var fastConfig = Config{PollInterval: 20 * time.Millisecond, JobTimeout: 5 * time.Second, RescueAfter: 10 * time.Second}

func startEngine(t *testing.T, db *store.DB, cfg Config, register func(*Engine)) *Engine {
	t.Helper()
	e, err := New(db.JobDriver(), cfg, NewMetrics(db.JobReadPool(), db.JobDriver().DatabaseName(), quiet), quiet)
	if err != nil {
		t.Fatal(err)
	}
	register(e)
	if err := e.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
	return e
}

func newAdmin(t *testing.T, db *store.DB) *Admin {
	t.Helper()
	a, err := NewAdmin(db.JobDriver())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func jobState(t *testing.T, a *Admin, id int64) Job {
	t.Helper()
	js, err := a.List(t.Context(), ListFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range js {
		if j.ID == id {
			return j
		}
	}
	t.Fatalf("job %d not listed", id)
	return Job{}
}

// A failing job is retried with backoff, discarded after its last
// attempt (counted in the metrics), and runs again on a manual retry.
func TestRetryDiscardAndManualRetry(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			var failing atomic.Bool
			failing.Store(true)
			var runs atomic.Int32
			e := startEngine(t, db, fastConfig, func(e *Engine) {
				Handle(e, func(ctx context.Context, j flakyJob) error {
					runs.Add(1)
					if failing.Load() {
						return errors.New("the far side is down")
					}
					return nil
				})
			})
			a := newAdmin(t, db)
			id, err := e.client.Insert(t.Context(), flakyJob{Name: "x"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			// Two attempts: River's first retry comes about a second later.
			if _, err := db.WriteRaw(t.Context(), `UPDATE river_job SET max_attempts = 2 WHERE id = ?`, id.Job.ID); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 30*time.Second, "the job to be discarded", func() bool {
				return jobState(t, a, id.Job.ID).State == "discarded"
			})
			j := jobState(t, a, id.Job.ID)
			if j.Attempt != 2 || j.LastError != "the far side is down" || j.FinalizedAt == nil {
				t.Fatalf("discarded job = %+v, want attempt 2 with the last error", j)
			}
			if got := runs.Load(); got != 2 {
				t.Fatalf("handler ran %d times, want 2", got)
			}
			q, err := e.metrics.Queue(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if !containsStat(q, "test.flaky", "discarded", 1) {
				t.Fatalf("queue stats %+v lack one discarded test.flaky", q)
			}

			failing.Store(false)
			if _, err := a.Retry(t.Context(), id.Job.ID); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 30*time.Second, "the retried job to complete", func() bool {
				return jobState(t, a, id.Job.ID).State == "completed"
			})
			if got := runs.Load(); got != 3 {
				t.Fatalf("handler ran %d times, want 3", got)
			}
			if _, err := a.Retry(t.Context(), 1<<40); !errors.Is(err, ErrNoJob) {
				t.Fatalf("retry of an unknown job: %v, want ErrNoJob", err)
			}
		})
	}
}

func containsStat(q []QueueStat, kind, state string, n int64) bool {
	for _, s := range q {
		if s.Kind == kind && s.State == state && s.Count == n {
			return true
		}
	}
	return false
}

// Every runs a job again and again.
func TestEvery(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			var runs atomic.Int32
			startEngine(t, db, fastConfig, func(e *Engine) {
				Handle(e, func(ctx context.Context, _ tickJob) error { runs.Add(1); return nil })
				e.Every(tickJob{}, 100*time.Millisecond)
			})
			waitFor(t, 20*time.Second, "three periodic runs", func() bool { return runs.Load() >= 3 })
		})
	}
}

// slowTickJob takes longer than its interval.
type slowTickJob struct{}

func (slowTickJob) Kind() string { return "test.slow_tick" }

// A periodic job that outlasts its interval is not enqueued again until it
// finishes, though workers are free: two never run at once.
func TestEveryNeverOverlaps(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			var running, most, runs atomic.Int32
			startEngine(t, db, fastConfig, func(e *Engine) {
				Handle(e, func(ctx context.Context, _ slowTickJob) error {
					n := running.Add(1)
					defer running.Add(-1)
					for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
					}
					select {
					case <-time.After(500 * time.Millisecond): // five intervals
					case <-ctx.Done():
					}
					runs.Add(1)
					return nil
				})
				e.Every(slowTickJob{}, 100*time.Millisecond)
			})
			waitFor(t, 30*time.Second, "three periodic runs", func() bool { return runs.Load() >= 3 })
			if m := most.Load(); m != 1 {
				t.Errorf("%d periodic jobs ran at once, want 1", m)
			}
		})
	}
}

// Two nodes on one database share the work: every job is worked, by one
// of them, once.
func TestTwoNodesShareTheQueue(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db, other := twoNodes(t, b.Name)
			var mu sync.Mutex
			worked := map[int][]string{}
			register := func(node string) func(*Engine) {
				return func(e *Engine) {
					Handle(e, func(ctx context.Context, j countJob) error {
						mu.Lock()
						defer mu.Unlock()
						worked[j.Key] = append(worked[j.Key], node)
						return nil
					})
				}
			}
			cfg := fastConfig
			cfg.ID = "node-a"
			e := startEngine(t, db, cfg, register("a"))
			cfg.ID = "node-b"
			startEngine(t, other, cfg, register("b"))
			const n = 60
			for k := range n {
				if _, err := e.client.Insert(t.Context(), countJob{Key: k}, nil); err != nil {
					t.Fatal(err)
				}
			}
			waitFor(t, 30*time.Second, "every job to be worked", func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(worked) == n
			})
			time.Sleep(200 * time.Millisecond) // room for a double run to show
			mu.Lock()
			defer mu.Unlock()
			for k, nodes := range worked {
				if len(nodes) != 1 {
					t.Errorf("job %d worked by %v, want once", k, nodes)
				}
			}
		})
	}
}

// twoNodes opens two handles on one fresh, migrated database, as two
// nodes would.
func twoNodes(t *testing.T, backend string) (*store.DB, *store.DB) {
	t.Helper()
	dir, url := t.TempDir(), ""
	if backend == "postgres" {
		url = storetest.PostgresURL(t)
	}
	open := func() *store.DB {
		var db *store.DB
		var err error
		if url != "" {
			db, err = store.OpenPostgres(t.Context(), url)
		} else {
			db, err = store.OpenSQLite(dir)
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		return db
	}
	return open(), open()
}
