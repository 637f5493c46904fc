package azureapi_test

import (
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/azemu"
)

// Idle emulators queue no work: without a queued message no delivery job
// exists, and the periodic settle job runs once per interval. (A
// regression once made a hand-made deliverer wake itself after every
// round, burning more than a core doing nothing.)
func TestIdleEmulatorsQueueNoDeliveries(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		apitest.NewServerWith(t, b.DB, apitest.Options{EmulatorJobs: true}) // settles every 25 ms
		counts := func() map[string]int {
			t.Helper()
			out := map[string]int{}
			rows, err := b.DB.JobReadPool().QueryContext(t.Context(), `SELECT kind, count(*) FROM river_job GROUP BY kind`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var kind string
				var n int
				if err := rows.Scan(&kind, &n); err != nil {
					t.Fatal(err)
				}
				out[kind] = n
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return out
		}
		settle := azemu.SettleDue{}.Kind()
		// River's leader starts enqueueing periodic jobs a second or two
		// after its election.
		deadline := time.Now().Add(10 * time.Second)
		for counts()[settle] == 0 {
			if time.Now().After(deadline) {
				t.Fatal("no settle job in 10 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
		before := counts()[settle]
		time.Sleep(500 * time.Millisecond)
		after := counts()
		if n := after[settle] - before; n < 1 || n > 30 {
			t.Errorf("%d settle jobs in 500 ms at one per 25 ms", n)
		}
		delete(after, settle)
		if len(after) != 0 {
			t.Errorf("jobs of an idle server: %v", after)
		}
	})
}
