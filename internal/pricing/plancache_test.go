package pricing_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/pricing"
	"github.com/saasplane/saasplane/internal/saas"
	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

// Two services over one database stand for two server processes: plans
// cached by one must never hide a change made through the other.
func TestPlanCacheSeesWritesOfOtherProcesses(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			ctx := context.Background()
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			a := pricing.NewService(db.Pricing(), uuid.NewString, log)
			other := pricing.NewService(db.Pricing(), uuid.NewString, log)
			sid := newSaaS(t, db)

			unit, err := a.CreateUnit(ctx, sid, pricing.UnitInput{Name: "base", Type: pricing.UnitTypeFixed, Currency: pricing.CurrencyJPY, UnitAmount: 1, Interval: pricing.IntervalMonth})
			must(t, err)
			menu, err := a.CreateMenu(ctx, sid, pricing.MenuInput{Name: "m", UnitIDs: []string{unit.ID}})
			must(t, err)
			plan, err := a.CreatePlan(ctx, sid, pricing.PlanInput{Name: "p", MenuIDs: []string{menu.ID}})
			must(t, err)

			steps := []struct {
				name   string
				change func() error
				check  func(pricing.Plan) bool
			}{
				{"rename the plan", func() error {
					return other.UpdatePlan(ctx, sid, plan.ID, pricing.PlanInput{Name: "p2", MenuIDs: []string{menu.ID}})
				}, func(p pricing.Plan) bool { return p.Name == "p2" }},
				{"reprice a unit", func() error {
					return other.UpdateUnit(ctx, sid, unit.ID, pricing.UnitInput{Name: "base", Type: pricing.UnitTypeFixed, Currency: pricing.CurrencyJPY, UnitAmount: 7, Interval: pricing.IntervalMonth})
				}, func(p pricing.Plan) bool { return p.Menus[0].Units[0].UnitAmount == 7 }},
				{"rename the menu", func() error {
					return other.UpdateMenu(ctx, sid, menu.ID, pricing.MenuInput{Name: "m2", UnitIDs: []string{unit.ID}})
				}, func(p pricing.Plan) bool { return p.Menus[0].Name == "m2" }},
				{"mark used", func() error { return other.MarkPlansUsed(ctx, sid, []string{plan.ID}) },
					func(p pricing.Plan) bool { return p.Used && p.Menus[0].Used && p.Menus[0].Units[0].Used }},
			}
			for _, st := range steps {
				// Warm the cache of a, change through the other, read through a.
				if _, err := a.ListPlans(ctx, sid); err != nil {
					t.Fatal(err)
				}
				must(t, st.change())
				got, err := a.GetPlan(ctx, sid, plan.ID)
				must(t, err)
				list, err := a.ListPlans(ctx, sid)
				must(t, err)
				if !st.check(got) || len(list) != 1 || !st.check(list[0]) {
					t.Fatalf("after %q through another service, a still serves %+v", st.name, got)
				}
			}
			must(t, other.DeleteCatalog(ctx, sid))
			if ps, err := a.ListPlans(ctx, sid); err != nil || len(ps) != 0 {
				t.Fatalf("after a catalog reset elsewhere, ListPlans = %d plans, %v", len(ps), err)
			}
		})
	}
}

func newSaaS(t *testing.T, db *store.DB) string {
	t.Helper()
	id := uuid.NewString()
	must(t, db.InsertSaaS(context.Background(), saas.SaaS{ID: id, Name: "t"}))
	return id
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
