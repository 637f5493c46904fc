package pricingapi_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/pricing"
)

// BenchmarkGetPlans measures a signed GET /v1/pricing/plans through the
// whole handler stack and a real loopback connection, on SQLite, for a SaaS
// with 20 plans x 3 menus x 4 units on one meter (every plan, menu and unit
// distinct: 240 units in the response), against a baseline of the cheapest
// signed read, GET /v1/pricing/metering/units with one meter.
func BenchmarkGetPlans(b *testing.B) {
	const plans, menusPerPlan, unitsPerMenu = 20, 3, 4
	srv := apitest.NewServer(b, apitest.OpenSQLite(b))
	srv.Upstream = nil // measure the server, not the schema checks
	c := srv.NewSaaS(b)

	// The catalog is written through the service: the HTTP path of writes
	// is not what is measured, and this keeps the setup quick.
	ctx, svc := context.Background(), srv.Pricing
	if _, err := svc.CreateMeter(ctx, c.SaaSID, pricing.MeterInput{Name: "calls", DisplayName: "Calls", AggregateUsage: pricing.AggregateSum}); err != nil {
		b.Fatal(err)
	}
	for p := range plans {
		var menuIDs []string
		for m := range menusPerPlan {
			var unitIDs []string
			for u := range unitsPerMenu {
				in := pricing.UnitInput{Name: fmt.Sprintf("u%d_%d_%d", p, m, u), DisplayName: "Unit", Description: "bench",
					Type: pricing.UnitTypeTieredUsage, Currency: pricing.CurrencyJPY, UpperCount: 100, MeterName: "calls",
					Tiers: []pricing.Tier{{UpTo: 10, UnitAmount: 100}, {UpTo: 20, UnitAmount: 90, FlatAmount: 5}, {Inf: true, UnitAmount: 70}}}
				if u == 0 {
					in = pricing.UnitInput{Name: in.Name, DisplayName: "Base", Type: pricing.UnitTypeFixed, Currency: pricing.CurrencyJPY,
						UnitAmount: 1000, Interval: pricing.IntervalMonth}
				}
				unit, err := svc.CreateUnit(ctx, c.SaaSID, in)
				if err != nil {
					b.Fatal(err)
				}
				unitIDs = append(unitIDs, unit.ID)
			}
			menu, err := svc.CreateMenu(ctx, c.SaaSID, pricing.MenuInput{Name: fmt.Sprintf("m%d_%d", p, m), DisplayName: "Menu", UnitIDs: unitIDs})
			if err != nil {
				b.Fatal(err)
			}
			menuIDs = append(menuIDs, menu.ID)
		}
		if _, err := svc.CreatePlan(ctx, c.SaaSID, pricing.PlanInput{Name: fmt.Sprintf("p%d", p), DisplayName: "Plan", MenuIDs: menuIDs}); err != nil {
			b.Fatal(err)
		}
	}

	// Check the shape once before measuring.
	var body struct {
		PricingPlans []struct {
			PricingMenus []struct {
				Units []map[string]any `json:"units"`
			} `json:"pricing_menus"`
		} `json:"pricing_plans"`
	}
	c.Do(b, http.MethodGet, P+"/plans", nil).Want(b, http.StatusOK).Decode(b, &body)
	if n := len(body.PricingPlans); n != plans || len(body.PricingPlans[0].PricingMenus) != menusPerPlan || len(body.PricingPlans[0].PricingMenus[0].Units) != unitsPerMenu {
		b.Fatalf("unexpected catalog shape: %d plans", n)
	}

	run := func(path string) func(b *testing.B) {
		return func(b *testing.B) {
			var bytes int
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r := c.Do(b, http.MethodGet, path, nil)
				if r.Status != http.StatusOK {
					b.Fatalf("%s", r)
				}
				bytes = len(r.Body)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			b.ReportMetric(float64(bytes), "resp_bytes")
		}
	}
	b.Run("plans_20x3x4", run(P+"/plans"))
	b.Run("baseline_meters_1", run(P+"/metering/units"))
}
