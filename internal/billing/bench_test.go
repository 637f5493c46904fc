package billing_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/billing"
	"github.com/saasplane/saasplane/internal/pricing"
	"github.com/saasplane/saasplane/internal/saas"
	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/store/storetest"
	"github.com/saasplane/saasplane/internal/tenant"
)

var benchTiers = []pricing.Tier{{UpTo: 10, UnitAmount: 100}, {UpTo: 20, UnitAmount: 90}, {UpTo: 30, UnitAmount: 80}, {Inf: true, UnitAmount: 70}}

// benchUnits are the five metered units of the benchmarks' plan, one per
// meter m0..m4: every metered type, both aggregations.
func benchUnits() []pricing.UnitInput {
	return []pricing.UnitInput{
		{Name: "u0", Type: pricing.UnitTypeUsage, Currency: pricing.CurrencyJPY, UnitAmount: 3, MeterName: "m0"},
		{Name: "u1", Type: pricing.UnitTypeTiered, Currency: pricing.CurrencyJPY, MeterName: "m1", Tiers: benchTiers},
		{Name: "u2", Type: pricing.UnitTypeTieredUsage, Currency: pricing.CurrencyJPY, MeterName: "m2", Tiers: benchTiers},
		{Name: "u3", Type: pricing.UnitTypeTieredUsage, Currency: pricing.CurrencyJPY, MeterName: "m3", Tiers: benchTiers, AggregateUsage: pricing.AggregateMax},
		{Name: "u4", Type: pricing.UnitTypeUsage, Currency: pricing.CurrencyJPY, UnitAmount: 1, MeterName: "m4", AggregateUsage: pricing.AggregateMax},
	}
}

// BenchmarkRating measures the pure rating functions, in lines per
// second: Charge of each metered type at a quantity deep in the open
// tier, and Build of a whole invoice (a fixed fee and the five metered
// units, 10 % tax). The baseline is Charge of a usage unit: one
// multiplication.
func BenchmarkRating(b *testing.B) {
	units := map[string]pricing.Unit{
		"usage":        {Type: pricing.UnitTypeUsage, UnitAmount: 3},
		"tiered":       {Type: pricing.UnitTypeTiered, Tiers: benchTiers},
		"tiered_usage": {Type: pricing.UnitTypeTieredUsage, Tiers: benchTiers},
	}
	for _, name := range []string{"usage", "tiered", "tiered_usage"} {
		u := units[name]
		b.Run("Charge/"+name, func(b *testing.B) {
			var sink uint64
			for i := 0; b.Loop(); i++ {
				a, _ := billing.Charge(u, uint64(i&1023))
				sink += a
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
			_ = sink
		})
	}
	in := benchInput()
	b.Run("Build/invoice-of-6-lines", func(b *testing.B) {
		for b.Loop() {
			if _, err := billing.Build(in); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(6*b.N)/b.Elapsed().Seconds(), "lines/s")
	})
}

// benchInput is one month's invoice input: a fixed fee and five metered
// units, usage read, a 10 % exclusive tax.
func benchInput() billing.Input {
	loc := time.UTC
	p, _ := billing.ParsePeriod("2026-11", loc)
	menu := pricing.Menu{ID: "menu", Units: []pricing.Unit{{ID: "fee", Name: "fee", Type: pricing.UnitTypeFixed, Currency: pricing.CurrencyJPY, UnitAmount: 1000, Interval: pricing.IntervalMonth}}}
	usage := map[billing.Window]uint64{}
	for i, in := range benchUnits() {
		u := pricing.Unit{ID: in.Name, Name: in.Name, Type: in.Type, Currency: in.Currency, UnitAmount: in.UnitAmount, MeterID: in.MeterName,
			MeterName: in.MeterName, AggregateUsage: in.AggregateUsage, Tiers: in.Tiers, Interval: pricing.IntervalMonth}
		menu.Units = append(menu.Units, u)
		agg := in.AggregateUsage
		if agg == "" {
			agg = pricing.AggregateSum
		}
		usage[billing.Window{MeterID: u.MeterID, From: p.Start.Unix(), To: p.End.Unix(), Aggregate: agg}] = uint64(100 + 37*i)
	}
	return billing.Input{TenantID: "t", Period: p, Segments: []billing.Segment{{PlanID: "plan", TaxRateID: "tax", From: p.Start, To: p.End}},
		Plans:    map[string]pricing.Plan{"plan": {ID: "plan", Menus: []pricing.Menu{menu}}},
		Meters:   map[string]pricing.Meter{},
		TaxRates: map[string]pricing.TaxRate{"tax": {ID: "tax", Name: "jct", Percentage: "10"}},
		Usage:    usage}
}

// BenchmarkInvoiceRun finalizes the November 2026 invoices of
// SAASPLANE_BENCH_TENANTS tenants (200 when unset, so that the test
// script's one pass stays quick; BENCHMARKS.md runs 10,000) with a fixed fee and five
// metered units each, on meters holding a month of hourly usage (720
// entries per meter and tenant: 36 million rows for 10,000), on SQLite. The baseline,
// measured in the same run on the same database, is a plain read of the
// month's usage rows: every entry of every tenant and meter, scanned once.
// The data is written with SQL, not through the services, so the setup
// takes minutes, not hours; run with -benchtime=1x.
func BenchmarkInvoiceRun(b *testing.B) {
	tenants := 200
	if s := os.Getenv("SAASPLANE_BENCH_TENANTS"); s != "" {
		tenants, _ = strconv.Atoi(s)
	}
	ctx := context.Background()
	db := storetest.OpenSQLite(b)
	saasID := benchWorld(b, ctx, db, tenants, benchUsage{from: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), entries: 720, step: 3600})
	period, err := billing.ParsePeriod("2026-11", time.UTC)
	must(b, err)
	clk := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	svc := billing.NewService(db.Billing(), func() time.Time { return clk }, uuid.NewString, slog.New(slog.DiscardHandler))

	b.Run("baseline/read-usage-rows", func(b *testing.B) {
		for b.Loop() {
			rows := benchReadUsage(b, ctx, db, saasID, period)
			b.ReportMetric(float64(rows), "rows")
		}
	})
	b.Run(fmt.Sprintf("run/%d-tenants", tenants), func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			_, err := db.WriteRaw(ctx, `DELETE FROM billing_invoices WHERE saas_id = ?`, saasID)
			must(b, err)
			_, err = db.WriteRaw(ctx, `DELETE FROM billing_runs WHERE saas_id = ?`, saasID)
			must(b, err)
			run, _, err := svc.StartRun(ctx, saasID, "2026-11", billing.TriggerManual)
			must(b, err)
			b.StartTimer()
			must(b, svc.WorkRun(ctx, saasID, run.ID))
			b.StopTimer()
			done, err := svc.GetRun(ctx, saasID, run.ID)
			must(b, err)
			if done.Finalized != tenants || done.Failed != 0 {
				b.Fatalf("run %+v, want %d finalized", done, tenants)
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(tenants*b.N)/b.Elapsed().Seconds(), "invoices/s")
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// benchReadUsage scans every usage row of the period: the baseline.
func benchReadUsage(b *testing.B, ctx context.Context, db *store.DB, saasID string, p billing.Period) int {
	n := 0
	var sum int64
	must(b, db.ReadRows(ctx, `SELECT tenant_id, meter_id, ts, count FROM metering_entries WHERE saas_id = ? AND ts >= ? AND ts < ?`,
		[]any{saasID, p.Start.Unix(), p.End.Unix()}, func(scan func(...any) error) error {
			var tenantID, meterID string
			var ts, count int64
			if err := scan(&tenantID, &meterID, &ts, &count); err != nil {
				return err
			}
			n++
			sum += count
			return nil
		}))
	if n == 0 || sum == 0 {
		b.Fatal("no usage read")
	}
	return n
}

// benchUsage is the usage a benchmark's tenants have on every meter:
// entries every step seconds from from on.
type benchUsage struct {
	from    time.Time
	entries int
	step    int64
}

// benchWorld makes one SaaS with five meters, a plan of a fixed fee and
// the five metered units with a 10 % tax rate, one tenant on it since
// u.from made through the services, and tenants−1 copies of it and the
// usage u on every meter made with SQL. It returns the SaaS's id.
func benchWorld(b *testing.B, ctx context.Context, db *store.DB, tenants int, u benchUsage) string {
	b.Helper()
	log := slog.New(slog.DiscardHandler)
	saasID := uuid.NewString()
	must(b, db.InsertSaaS(ctx, saas.SaaS{ID: saasID, Name: "bench"}))
	ps := pricing.NewService(db.Pricing(), uuid.NewString, log)
	var unitIDs []string
	fee, err := ps.CreateUnit(ctx, saasID, pricing.UnitInput{Name: "fee", Type: pricing.UnitTypeFixed, Currency: pricing.CurrencyJPY, UnitAmount: 1000, Interval: pricing.IntervalMonth})
	must(b, err)
	unitIDs = append(unitIDs, fee.ID)
	for i, in := range benchUnits() {
		_, err := ps.CreateMeter(ctx, saasID, pricing.MeterInput{Name: "m" + strconv.Itoa(i)})
		must(b, err)
		u, err := ps.CreateUnit(ctx, saasID, in)
		must(b, err)
		unitIDs = append(unitIDs, u.ID)
	}
	menu, err := ps.CreateMenu(ctx, saasID, pricing.MenuInput{Name: "menu", UnitIDs: unitIDs})
	must(b, err)
	plan, err := ps.CreatePlan(ctx, saasID, pricing.PlanInput{Name: "plan", MenuIDs: []string{menu.ID}})
	must(b, err)
	tax, err := ps.CreateTaxRate(ctx, saasID, pricing.TaxRateInput{Name: "jct", DisplayName: "JCT", Percentage: "10", Country: "JP"})
	must(b, err)
	start := u.from
	ts := tenant.NewService(db.Tenants(), func() time.Time { return start }, uuid.NewString, log)
	first, err := ts.Create(ctx, saasID, tenant.TenantInput{Name: "t0", BackOfficeStaffEmail: "a@b.co"})
	must(b, err)
	must(b, ts.ChangePlan(ctx, saasID, first.ID, tenant.PlanChange{NextPlanID: &plan.ID, TaxRateID: &tax.ID}))
	steps := []string{
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
		INSERT INTO tenants (saas_id, id, name, back_office_staff_email, attributes, plan_id, created_at)
		SELECT t.saas_id, t.id || '-' || n.i, 't' || n.i, t.back_office_staff_email, '{}', t.plan_id, t.created_at FROM tenants t, n WHERE t.saas_id = ?2`,
		`INSERT INTO tenant_plan_histories (saas_id, tenant_id, position, plan_id, applied_at, tax_rate_id, proration_behavior)
		SELECT t.saas_id, t.id, h.position, h.plan_id, h.applied_at, h.tax_rate_id, h.proration_behavior
		FROM tenants t JOIN tenant_plan_histories h ON h.saas_id = t.saas_id AND h.tenant_id = ?3 WHERE t.saas_id = ?2 AND t.id <> ?3`,
		`WITH RECURSIVE h(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM h WHERE i + 1 < ?5)
		INSERT INTO metering_entries (saas_id, tenant_id, meter_id, ts, count)
		SELECT t.saas_id, t.id, m.id, ?4 + h.i * ?6, 1 + ((h.i + t.seq) % 9) FROM tenants t, meters m, h WHERE t.saas_id = ?2 AND m.saas_id = ?2`,
		`INSERT INTO metering_days (saas_id, tenant_id, meter_id, day, sum, max, entries)
		SELECT saas_id, tenant_id, meter_id, date(ts, 'unixepoch'), SUM(count), MAX(count), COUNT(*)
		FROM metering_entries WHERE saas_id = ?2 GROUP BY saas_id, tenant_id, meter_id, date(ts, 'unixepoch')`,
	}
	for i, q := range steps {
		t0 := time.Now()
		_, err := db.WriteRaw(ctx, q, tenants, saasID, first.ID, start.Unix(), u.entries, u.step)
		must(b, err)
		b.Logf("setup step %d: %s", i+1, time.Since(t0).Round(time.Millisecond))
	}
	return saasID
}

// BenchmarkInvoiceRunWithHistory measures what a tenant's earlier
// invoices cost a run: 1,000 tenants (SAASPLANE_BENCH_HISTORY_TENANTS)
// with one usage entry a day on each of their five meters since
// 1 November 2025 are invoiced month by month, thirteen runs from
// 2025-11 to 2026-11. The first month's run, with no earlier invoice, is
// the baseline; the thirteenth re-reads the windows of twelve earlier
// invoices (60 metered lines per tenant) to find late usage.
func BenchmarkInvoiceRunWithHistory(b *testing.B) {
	tenants := 1_000
	if s := os.Getenv("SAASPLANE_BENCH_HISTORY_TENANTS"); s != "" {
		tenants, _ = strconv.Atoi(s)
	}
	ctx := context.Background()
	db := storetest.OpenSQLite(b)
	from := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	saasID := benchWorld(b, ctx, db, tenants, benchUsage{from: from, entries: 395, step: 86400})
	clk := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	svc := billing.NewService(db.Billing(), func() time.Time { return clk }, uuid.NewString, slog.New(slog.DiscardHandler))
	var first, last time.Duration
	for b.Loop() {
		b.StopTimer()
		for _, table := range []string{"billing_invoices", "billing_runs"} {
			_, err := db.WriteRaw(ctx, `DELETE FROM `+table+` WHERE saas_id = ?`, saasID)
			must(b, err)
		}
		b.StartTimer()
		for m := 0; m < 13; m++ {
			period := from.AddDate(0, m, 0).Format("2006-01")
			run, _, err := svc.StartRun(ctx, saasID, period, billing.TriggerManual)
			must(b, err)
			t0 := time.Now()
			must(b, svc.WorkRun(ctx, saasID, run.ID))
			d := time.Since(t0)
			switch m {
			case 0:
				first += d
			case 12:
				last += d
			}
		}
	}
	b.ReportMetric(first.Seconds()/float64(b.N), "first-run-s")
	b.ReportMetric(last.Seconds()/float64(b.N), "13th-run-s")
	b.ReportMetric(float64(last)/float64(first), "ratio")
}
