package storetest

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/store"
)

// testEnqueueJob checks the jobs a domain transaction enqueues: a job
// exists if and only if its transaction commits, and it goes to the queue
// its arguments name.
func testEnqueueJob(t *testing.T, db *store.DB) {
	ctx := t.Context()
	st := db.AWSEmulator()
	job := awsemu.DeliverSNS{SubscriptionArn: id("arn:enqueue")}
	count := func() (n int, queue string) {
		t.Helper()
		// Other tests' jobs share the table: match the arguments here.
		args := "args::text"
		if db.Dialect() == store.SQLite {
			args = "json(args)" // River keeps SQLite's arguments as JSONB
		}
		rows, err := db.JobReadPool().QueryContext(ctx, `SELECT queue, `+args+` FROM river_job WHERE kind = '`+job.Kind()+`'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var q string
			var args []byte
			if err := rows.Scan(&q, &args); err != nil {
				t.Fatal(err)
			}
			var got awsemu.DeliverSNS
			if err := json.Unmarshal(args, &got); err != nil {
				t.Fatalf("args %s: %v", args, err)
			}
			if got == job {
				n, queue = n+1, q
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return n, queue
	}
	enqueue := func(fail error) error {
		return st.WriteTx(ctx, func(tx awsemu.Tx) error {
			if err := tx.EnqueueJob(ctx, job); err != nil {
				return err
			}
			return fail
		})
	}
	rollback := errors.New("roll back")
	if err := enqueue(rollback); !errors.Is(err, rollback) {
		t.Fatalf("enqueue in a failed transaction: %v", err)
	}
	if n, _ := count(); n != 0 {
		t.Fatalf("%d jobs after a rolled-back enqueue, want 0", n)
	}
	for want := 1; want <= 2; want++ {
		if err := enqueue(nil); err != nil {
			t.Fatal(err)
		}
		if n, queue := count(); n != want || queue != job.Queue() {
			t.Errorf("%d jobs in queue %q, want %d in %q", n, queue, want, job.Queue())
		}
	}
}
