package metering_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/events"
	"github.com/saasplane/saasplane/internal/metering"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

// TestAnUpdateOpensItsEventInItsBatch: the committer opens the outbound
// event of each update it applies in the batch's own transaction, for a
// SaaS with a target, so an acknowledged update has its event even if the
// server dies before the answer (Sweep then completes it); a refused
// update, or one of a SaaS without a target, opens none.
func TestAnUpdateOpensItsEventInItsBatch(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, b.Open(t))
			evs := events.NewService(w.db.Events(), events.Config{Now: w.clk.Now, NewID: uuid.NewString, OpenGrace: time.Minute})
			pending := func() *events.Pending {
				return &events.Pending{ID: uuid.NewString(), RequestID: uuid.NewString(), SaaSID: w.saasID, TraceID: "trace",
					CreatedAt: w.clk.Now(), Type: func() string { return "update_metering_unit_timestamp_count" },
					Call: events.Call{RequestMethod: "PUT", URI: "/v1/pricing/metering/...", SaaSID: w.saasID}}
			}
			update := func(p *events.Pending, meter string, n int64) error {
				_, err := w.svc.Update(events.WithPending(ctx, p), metering.Update{SaaSID: w.saasID, TenantID: w.tenantID,
					MeterName: meter, Timestamp: t0.Unix(), Method: metering.MethodAdd, Count: n})
				return err
			}

			before := pending()
			must(t, update(before, "calls", 1))
			if before.Opened() {
				t.Error("an event was opened for a SaaS without a target")
			}
			if _, err := evs.CreateEndpoint(ctx, w.saasID, "https://hooks.example.com/x", ""); err != nil {
				t.Fatal(err)
			}
			applied, refused := pending(), pending()
			must(t, update(applied, "calls", 2))
			if err := update(refused, "no_such_meter", 1); err == nil {
				t.Fatal("an update of an unknown meter was accepted")
			}
			if !applied.Opened() || refused.Opened() {
				t.Fatalf("opened: applied %v, refused %v; want only the applied one", applied.Opened(), refused.Opened())
			}
			// The server dies before the answer: Complete never runs.
			w.clk.Set(t0.Add(2 * time.Minute))
			if n, err := evs.Sweep(ctx); err != nil || n != 1 {
				t.Fatalf("Sweep completed %d (%v), want the update's event", n, err)
			}
			es, err := evs.Events(ctx, w.saasID, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != 1 || es[0].ID != applied.ID || es[0].Call.HTTPStatus != 0 {
				t.Fatalf("events = %d, want the update's alone, without a response", len(es))
			}
		})
	}
}
