package metering_test

import (
	"context"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/metering"
	"github.com/saasplane/saasplane/internal/store/storetest"
	"github.com/saasplane/saasplane/internal/tenant"
)

// BenchmarkReadsWithManyEntries measures day and month reads of one counter
// holding a million entries (SAASPLANE_BENCH_ENTRIES to change), spread
// over November 2026, on SQLite. The entries and their roll-ups are
// written with two SQL statements, not through the service, so the setup
// takes seconds; a sample of the roll-ups is checked against the entries.
func BenchmarkReadsWithManyEntries(b *testing.B) {
	entries := 1_000_000
	if s := os.Getenv("SAASPLANE_BENCH_ENTRIES"); s != "" {
		entries, _ = strconv.Atoi(s)
	}
	db := storetest.OpenSQLite(b)
	w := newWorldB(b, db)
	ctx := context.Background()
	var meterID string
	must(b, db.Metering().ReadTx(ctx, func(tx metering.Tx) error {
		m, err := tx.MeterByName(ctx, w.saasID, "calls")
		meterID = m.ID
		return err
	}))
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Unix()
	step := int64(30*24*3600) / int64(entries) // spread over 30 days
	if step == 0 {
		step = 1
	}
	_, err := db.WriteRaw(ctx, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
		INSERT INTO metering_entries (saas_id, tenant_id, meter_id, ts, count)
		SELECT ?, ?, ?, ? + i * ?, 1 + (i % 7) FROM n`, entries, w.saasID, w.tenantID, meterID, start, step)
	must(b, err)
	_, err = db.WriteRaw(ctx, `INSERT INTO metering_days (saas_id, tenant_id, meter_id, day, sum, max, entries)
		SELECT saas_id, tenant_id, meter_id, date(ts, 'unixepoch'), SUM(count), MAX(count), COUNT(*)
		FROM metering_entries WHERE saas_id = ? GROUP BY saas_id, tenant_id, meter_id, date(ts, 'unixepoch')`, w.saasID)
	must(b, err)
	// The service must agree with the entries after one more update.
	w.clk.Set(time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC))
	before := w.dayB(b, "2026-11-15")
	_, err = w.svc.Update(ctx, metering.Update{SaaSID: w.saasID, TenantID: w.tenantID, MeterName: "calls", AtNow: true, Method: metering.MethodAdd, Count: 5})
	must(b, err)
	if after := w.dayB(b, "2026-11-15"); after != before+5 {
		b.Fatalf("day count went from %d to %d after adding 5", before, after)
	}

	reads := []struct {
		name string
		read func() error
	}{
		{"day", func() error { _, err := w.svc.Day(ctx, w.saasID, w.tenantID, "calls", "2026-11-15"); return err }},
		{"today", func() error { _, err := w.svc.Day(ctx, w.saasID, w.tenantID, "calls", ""); return err }},
		{"month", func() error { _, err := w.svc.Month(ctx, w.saasID, w.tenantID, "calls", "2026-11"); return err }},
		{"all_meters_month", func() error { _, err := w.svc.MonthAll(ctx, w.saasID, w.tenantID, "2026-11"); return err }},
	}
	for _, r := range reads {
		b.Run(r.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if err := r.read(); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
			b.ReportMetric(float64(entries), "entries")
		})
	}
}

// BenchmarkConcurrentUpdates measures the committer alone (no HTTP): 64
// goroutines add 1 to 16 counters (16 tenants, one meter) "now", on
// durable SQLite, as the load tool's update phase does over HTTP. ns/op is
// wall time per acknowledged update; updates/txn and µs/txn show how the
// group commit batched them. The counts are checked afterwards.
func BenchmarkConcurrentUpdates(b *testing.B) {
	db := storetest.OpenSQLite(b)
	w := newWorldB(b, db)
	ctx := context.Background()
	ts := tenant.NewService(db.Tenants(), w.clk.Now, uuid.NewString, quiet)
	tenants := []string{w.tenantID}
	for len(tenants) < 16 {
		tn, err := ts.Create(ctx, w.saasID, tenant.TenantInput{Name: "t" + strconv.Itoa(len(tenants)), BackOfficeStaffEmail: "a@b.co"})
		must(b, err)
		tenants = append(tenants, tn.ID)
	}
	var next atomic.Int64
	before := w.svc.Stats()
	b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			u := metering.Update{SaaSID: w.saasID, TenantID: tenants[i%int64(len(tenants))], MeterName: "calls", AtNow: true, Method: metering.MethodAdd, Count: 1}
			if _, err := w.svc.Update(ctx, u); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	after := w.svc.Stats()
	txns := float64(after.Batches - before.Batches)
	b.ReportMetric(float64(after.Updates-before.Updates)/txns, "updates/txn")
	b.ReportMetric(float64((after.Busy-before.Busy).Microseconds())/txns, "µs/txn")
	var total int64
	for _, id := range tenants {
		c, err := w.svc.Day(ctx, w.saasID, id, "calls", "")
		must(b, err)
		total += c.Count
	}
	if total != next.Load() {
		b.Fatalf("counters add up to %d after %d acknowledged updates", total, next.Load())
	}
}
