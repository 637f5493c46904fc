package jobs

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

// effectJob records its key in crash_effects, idempotently, as every
// handler's side effect must be.
type effectJob struct {
	Key string `json:"key"`
}

func (effectJob) Kind() string { return "test.effect" }

const (
	crashChildEnv = "SAASPLANE_JOBS_CRASH_CHILD" // sqlite:DIR or postgres:URL
	crashMarker   = "SAASPLANE_JOBS_CRASH_MARKER"
)

func applyEffect(ctx context.Context, db *store.DB, key string) error {
	_, err := db.WriteRaw(ctx, `INSERT INTO crash_effects (k) VALUES (?) ON CONFLICT (k) DO NOTHING`, key)
	return err
}

// A node is killed with SIGKILL while it works a job, after the job's side
// effect and before River records the job as done. Another node rescues
// the job and runs it again; the effect is idempotent, so it happened
// exactly once.
func TestJobSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for River's rescuer (30 s)")
	}
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			dir, url := t.TempDir(), ""
			if b.Name == "postgres" {
				url = storetest.PostgresURL(t)
			}
			db := openNode(t, dir, url)
			if _, err := db.WriteRaw(t.Context(), `CREATE TABLE crash_effects (k TEXT PRIMARY KEY)`); err != nil {
				t.Fatal(err)
			}
			a := newAdmin(t, db)
			res, err := a.client.Insert(t.Context(), effectJob{Key: "k1"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			id := res.Job.ID

			marker := filepath.Join(t.TempDir(), "started")
			child := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
			target := "sqlite:" + dir
			if url != "" {
				target = "postgres:" + url
			}
			child.Env = append(os.Environ(), crashChildEnv+"="+target, crashMarker+"="+marker)
			out := &strings.Builder{}
			child.Stdout, child.Stderr = out, out
			if err := child.Start(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 30*time.Second, "the child to start the job", func() bool {
				_, err := os.Stat(marker)
				return err == nil
			})
			if err := child.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = child.Wait()
			if j := jobState(t, a, id); j.State != "running" {
				t.Fatalf("after the kill the job is %s, want running (child output:\n%s)", j.State, out)
			}

			// The survivor: a rescue after 2 s of running (River's rescuer
			// looks every 30 s).
			var runs atomic.Int32
			startEngine(t, db, Config{PollInterval: 50 * time.Millisecond, JobTimeout: time.Second, RescueAfter: 2 * time.Second}, func(e *Engine) {
				Handle(e, func(ctx context.Context, j effectJob) error {
					runs.Add(1)
					return applyEffect(ctx, db, j.Key)
				})
			})
			waitFor(t, 90*time.Second, "the rescued job to complete", func() bool {
				return jobState(t, a, id).State == "completed"
			})
			j := jobState(t, a, id)
			if runs.Load() != 1 || j.Attempt != 2 {
				t.Fatalf("survivor ran the job %d times (attempt %d), want once, as attempt 2", runs.Load(), j.Attempt)
			}
			var n int
			if err := db.JobReadPool().QueryRowContext(t.Context(), `SELECT COUNT(*) FROM crash_effects`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Fatalf("%d effects recorded, want exactly 1", n)
			}
		})
	}
}

// TestCrashChild is the node that TestJobSurvivesSIGKILL kills: it applies
// the job's effect, says so, and never finishes.
func TestCrashChild(t *testing.T) {
	target := os.Getenv(crashChildEnv)
	if target == "" {
		t.Skip("run by TestJobSurvivesSIGKILL")
	}
	kind, where, _ := strings.Cut(target, ":")
	dir, url := where, ""
	if kind == "postgres" {
		dir, url = "", where
	}
	db := openNode(t, dir, url)
	startEngine(t, db, Config{PollInterval: 20 * time.Millisecond, JobTimeout: time.Hour, RescueAfter: 2 * time.Hour}, func(e *Engine) {
		Handle(e, func(ctx context.Context, j effectJob) error {
			if err := applyEffect(ctx, db, j.Key); err != nil {
				return err
			}
			if err := os.WriteFile(os.Getenv(crashMarker), nil, 0o600); err != nil {
				return err
			}
			<-ctx.Done() // killed before this returns
			return ctx.Err()
		})
	})
	time.Sleep(time.Hour)
}

func openNode(t *testing.T, dir, url string) *store.DB {
	t.Helper()
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
