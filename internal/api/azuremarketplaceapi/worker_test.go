package azuremarketplaceapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/jobs"
)

// The background jobs, on their own (short intervals, no call to
// /reconcile or /usage-reports/run), recovers a lost webhook by
// reconciling and reports a closed hour's usage.
func TestAzureWorkerRunsOnItsOwn(t *testing.T) {
	t.Parallel()
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		t0 := time.Now().UTC().Truncate(time.Hour).Add(-3 * time.Hour)
		clk := apitest.NewClock(t0.Add(5 * time.Minute))
		// saasplane's own periodic work, on the engine of the emulators.
		srv := apitest.NewServerWith(t, b.DB, apitest.Options{Now: clk.Now, EmulatorJobs: true,
			UsageJobs: true, UsageEvery: 50 * time.Millisecond,
			Jobs: func(engine *jobs.Engine, srv *apitest.Server) {
				jobs.Handle(engine, func(ctx context.Context, _ jobs.ReconcileAzure) error {
					return srv.AzureMarketplace.ReconcileAllAzure(ctx)
				})
				engine.Every(jobs.ReconcileAzure{}, 50*time.Millisecond)
			}})
		s := meteredSeller(t, srv)
		subID, tenantID := s.activated(t, "gold", 5)
		s.use(t, tenantID, t0.Add(10*time.Minute), 6)
		s.waitDelivered(t)
		s.c.Do(t, "POST", emu+"/faults", obj{"kind": "drop_webhook"}).Want(t, http.StatusCreated)
		s.action(t, subID, obj{"action": "ChangeQuantity", "quantity": 9}) // lost; auto-accepted 10 s later
		s.waitDelivered(t)
		clk.Set(t0.Add(2*time.Hour + 15*time.Minute))

		s.waitSub(t, subID, "quantity", 9)
		eventually(t, "usage reported by the worker", func() bool {
			return byStatus(s.usageReports(t))["sent/Accepted"] == 1
		})
		if q, n := s.received(t, t0); q != 6 || n != 1 {
			t.Errorf("the metering API holds %v in %d events, want 6 in 1", q, n)
		}
		// Reconciliation keeps running: a later lost Suspend is recovered.
		s.c.Do(t, "POST", emu+"/faults", obj{"kind": "drop_webhook"}).Want(t, http.StatusCreated)
		s.action(t, subID, obj{"action": "Suspend"})
		s.waitSub(t, subID, "status", "Suspended")
		for _, op := range s.operations(t, subID) {
			if op["source"] == "webhook" {
				t.Errorf("operation %v handled from a webhook, all were dropped", op)
			}
		}
		for _, h := range s.waitDelivered(t) {
			if h["status"] != "dropped" {
				t.Errorf("webhook %v %v, want every webhook dropped", h["status"], h["body"])
			}
		}
	})
}
