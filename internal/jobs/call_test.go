package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

// callJob is a call's kind: unique by Key.
type callJob struct {
	Key string `json:"key"`
}

func (callJob) Kind() string                 { return "test.call" }
func (callJob) InsertOpts() river.InsertOpts { return CallOpts() }

type callOut struct {
	Key string `json:"key"`
	Run int    `json:"run"`
}

// A call returns what its worker returned, or the domain error it ended
// with, kind, type, message and fields intact; an internal error fails the
// attempt and answers unavailable, and the job is retried.
func TestCallResults(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			var runs atomic.Int32
			e := startEngine(t, db, fastConfig, func(e *Engine) {
				HandleCall(e, func(ctx context.Context, j callJob) (callOut, error) {
					n := int(runs.Add(1))
					switch j.Key {
					case "conflict":
						return callOut{}, errs.Conflict("the settings need a role").WithType("settings_incomplete")
					case "invalid":
						var fe errs.FieldErrors
						fe.Add("limit", "must be positive")
						return callOut{}, fe.Err()
					case "broken":
						return callOut{}, errors.New("disk on fire")
					}
					return callOut{Key: j.Key, Run: n}, nil
				})
			})
			got, err := Call[callOut](t.Context(), e, callJob{Key: "a"})
			if err != nil || got.Key != "a" || got.Run != 1 {
				t.Errorf("Call = %+v, %v; want key a, run 1", got, err)
			}
			_, err = Call[callOut](t.Context(), e, callJob{Key: "conflict"})
			var de *errs.Error
			if !errors.As(err, &de) || de.Kind != errs.KindConflict || de.Type != "settings_incomplete" || de.Message != "the settings need a role" {
				t.Errorf("conflict: %#v", err)
			}
			_, err = Call[callOut](t.Context(), e, callJob{Key: "invalid"})
			if !errors.As(err, &de) || de.Kind != errs.KindInvalid || de.Fields["limit"] != "must be positive" {
				t.Errorf("invalid: %#v", err)
			}
			_, err = Call[callOut](t.Context(), e, callJob{Key: "broken"})
			if errs.KindOf(err) != errs.KindUnavailable || !strings.Contains(err.Error(), "disk on fire") || !strings.Contains(err.Error(), "will be retried") {
				t.Errorf("broken: %v, want unavailable with the cause", err)
			}
			// While the broken job waits for its retry, a call of the same
			// arguments joins it instead of running another.
			before := runs.Load()
			if _, err := Call[callOut](t.Context(), e, callJob{Key: "broken"}); errs.KindOf(err) != errs.KindUnavailable {
				t.Errorf("second broken call: %v", err)
			}
			if n := runs.Load(); n != before {
				t.Errorf("a call ran a second job beside a retryable one (%d runs, want %d)", n, before)
			}
		})
	}
}

// Calls of one key never run at once, from any number of callers on two
// nodes; calls of different keys do. A call that finds its job running
// waits for it and runs another after it, so its answer never comes from
// work that started before the call.
func TestCallsOfOneKeyNeverOverlap(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			if name == "postgres" {
				storetest.PostgresURL(t) // skips without a server
			}
			t.Parallel()
			db1, db2 := twoNodes(t, name)
			var mu sync.Mutex
			running := map[string]int{}
			runs := map[string]int{}
			var overlap atomic.Int32
			register := func(e *Engine) {
				HandleCall(e, func(ctx context.Context, j callJob) (callOut, error) {
					mu.Lock()
					running[j.Key]++
					if running[j.Key] > 1 {
						overlap.Add(1)
					}
					runs[j.Key]++
					n := runs[j.Key]
					mu.Unlock()
					time.Sleep(30 * time.Millisecond)
					mu.Lock()
					running[j.Key]--
					mu.Unlock()
					return callOut{Key: j.Key, Run: n}, nil
				})
			}
			nodes := []*Engine{startEngine(t, db1, fastConfig, register), startEngine(t, db2, fastConfig, register)}
			var wg sync.WaitGroup
			for i := range 12 {
				wg.Go(func() {
					key := fmt.Sprint("k", i%3)
					got, err := Call[callOut](t.Context(), nodes[i%2], callJob{Key: key})
					if err != nil || got.Key != key || got.Run < 1 {
						t.Errorf("call %d = %+v, %v", i, got, err)
					}
				})
			}
			wg.Wait()
			if n := overlap.Load(); n != 0 {
				t.Errorf("%d runs overlapped another of their key", n)
			}

			// A call made while its job runs gets a run that started after it.
			release := make(chan struct{})
			started := make(chan struct{}, 4)
			var slowRuns atomic.Int32
			slow := startEngine(t, storetest.OpenSQLite(t), fastConfig, func(e *Engine) {
				HandleCall(e, func(ctx context.Context, j callJob) (callOut, error) {
					n := int(slowRuns.Add(1))
					started <- struct{}{}
					if n == 1 {
						<-release
					}
					return callOut{Key: j.Key, Run: n}, nil
				})
			})
			first := make(chan callOut, 1)
			go func() {
				got, err := Call[callOut](t.Context(), slow, callJob{Key: "s"})
				if err != nil {
					t.Error(err)
				}
				first <- got
			}()
			<-started
			second := make(chan callOut, 1)
			go func() {
				got, err := Call[callOut](t.Context(), slow, callJob{Key: "s"})
				if err != nil {
					t.Error(err)
				}
				second <- got
			}()
			time.Sleep(100 * time.Millisecond) // the second call has found the first job running
			close(release)
			if got := <-first; got.Run != 1 {
				t.Errorf("first call answered run %d, want 1", got.Run)
			}
			if got := <-second; got.Run != 2 {
				t.Errorf("a call made during run 1 answered run %d, want 2 (a run started after it)", got.Run)
			}
		})
	}
}

// InsertUnique enqueues one job per key, skipping keys already queued.
func TestInsertUniqueSkipsQueued(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			// An engine that works another queue: the jobs stay queued.
			e := startEngine(t, db, Config{PollInterval: 20 * time.Millisecond, Queues: []string{"elsewhere"}}, func(e *Engine) {
				HandleCall(e, func(ctx context.Context, j callJob) (callOut, error) { return callOut{}, nil })
			})
			for range 3 {
				if err := InsertUnique(t.Context(), e, []callJob{{Key: "a"}, {Key: "b"}, {Key: "a"}}); err != nil {
					t.Fatal(err)
				}
			}
			js, err := newAdmin(t, db).List(t.Context(), ListFilter{Kinds: []string{"test.call"}, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(js) != 2 {
				t.Errorf("%d jobs queued, want 2 (one per key)", len(js))
			}
		})
	}
}
