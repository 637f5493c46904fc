package metering_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/metering"
	"github.com/saasplane/saasplane/internal/pricing"
	"github.com/saasplane/saasplane/internal/saas"
	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/store/storetest"
	"github.com/saasplane/saasplane/internal/tenant"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// world is a SaaS with a tenant and two meters (calls: sum, users: max),
// and a running metering service.
type world struct {
	db       *store.DB
	svc      *metering.Service
	clk      *clock
	saasID   string
	tenantID string
	tenants  *tenant.Service
}

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func newWorld(t *testing.T, db *store.DB) *world { return newWorldB(t, db) }

func newWorldB(t testing.TB, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{db: db, clk: &clock{now: t0}, saasID: uuid.NewString()}
	must(t, db.InsertSaaS(ctx, saas.SaaS{ID: w.saasID, Name: "m"}))
	ps := pricing.NewService(db.Pricing(), uuid.NewString, quiet)
	_, err := ps.CreateMeter(ctx, w.saasID, pricing.MeterInput{Name: "calls"})
	must(t, err)
	_, err = ps.CreateMeter(ctx, w.saasID, pricing.MeterInput{Name: "users", AggregateUsage: pricing.AggregateMax})
	must(t, err)
	w.tenants = tenant.NewService(db.Tenants(), w.clk.Now, uuid.NewString, quiet)
	tn, err := w.tenants.Create(ctx, w.saasID, tenant.TenantInput{Name: "acme", BackOfficeStaffEmail: "a@b.co"})
	must(t, err)
	w.tenantID = tn.ID
	w.svc = metering.NewService(db.Metering(), w.clk.Now, quiet)
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.svc.Run(runCtx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return w
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (w *world) update(t *testing.T, meter string, ts int64, m metering.Method, n int64) (metering.Result, error) {
	t.Helper()
	return w.svc.Update(context.Background(), metering.Update{SaaSID: w.saasID, TenantID: w.tenantID, MeterName: meter, Timestamp: ts, Method: m, Count: n})
}

func (w *world) day(t *testing.T, meter string, d metering.Date) int64 { return w.dayOf(t, meter, d) }

func (w *world) dayB(t testing.TB, d metering.Date) int64 { return w.dayOf(t, "calls", d) }

func (w *world) dayOf(t testing.TB, meter string, d metering.Date) int64 {
	t.Helper()
	c, err := w.svc.Day(context.Background(), w.saasID, w.tenantID, meter, d)
	must(t, err)
	return c.Count
}

func (w *world) month(t *testing.T, meter string, m metering.Month) int64 {
	t.Helper()
	c, err := w.svc.Month(context.Background(), w.saasID, w.tenantID, meter, m)
	must(t, err)
	return c.Count
}

func TestUpdatesAndRollups(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			w := newWorld(t, b.Open(t))
			day := t0.Unix()
			next := t0.Add(24 * time.Hour).Unix()
			steps := []struct {
				meter     string
				ts        int64
				m         metering.Method
				n         int64
				wantEntry int64
				wantKind  errs.Kind
			}{
				{"calls", day, metering.MethodAdd, 5, 5, 0},
				{"calls", day, metering.MethodAdd, 3, 8, 0},
				{"calls", day + 1, metering.MethodAdd, 10, 10, 0},
				{"calls", day, metering.MethodSub, 2, 6, 0},
				{"calls", day, metering.MethodSub, 7, 0, errs.KindConflict}, // below zero: refused, nothing changes
				{"calls", day + 1, metering.MethodDirect, 4, 4, 0},
				{"calls", next, metering.MethodAdd, 100, 100, 0},
				{"users", day, metering.MethodDirect, 40, 40, 0},
				{"users", day + 60, metering.MethodDirect, 70, 70, 0},
				{"users", day + 120, metering.MethodDirect, 55, 55, 0},
				{"users", day + 60, metering.MethodDirect, 20, 20, 0}, // the max shrinks: recomputed to 55
				{"users", next, metering.MethodDirect, 30, 30, 0},
			}
			for i, st := range steps {
				r, err := w.update(t, st.meter, st.ts, st.m, st.n)
				if st.wantKind != 0 {
					if errs.KindOf(err) != st.wantKind {
						t.Fatalf("step %d: error %v, want kind %v", i, err, st.wantKind)
					}
					continue
				}
				if err != nil || r.Count != st.wantEntry || r.Timestamp != st.ts || r.MeterName != st.meter {
					t.Fatalf("step %d: %+v, %v; want count %d at %d", i, r, err, st.wantEntry, st.ts)
				}
			}
			checks := []struct {
				name string
				got  int64
				want int64
			}{
				{"calls on the first day (sum)", w.day(t, "calls", "2026-11-22"), 6 + 4},
				{"calls on the second day", w.day(t, "calls", "2026-11-23"), 100},
				{"calls this month", w.month(t, "calls", "2026-11"), 110},
				{"users on the first day (max)", w.day(t, "users", "2026-11-22"), 55},
				{"users this month (max)", w.month(t, "users", "2026-11"), 55},
				{"calls another month", w.month(t, "calls", "2026-10"), 0},
				{"calls today", w.day(t, "calls", ""), 10},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
				}
			}
			// Deleting entries keeps the roll-ups exact.
			must(t, w.svc.Delete(context.Background(), w.saasID, w.tenantID, "users", day+120))
			must(t, w.svc.Delete(context.Background(), w.saasID, w.tenantID, "users", day+999)) // nothing there: fine
			if got := w.day(t, "users", "2026-11-22"); got != 40 {
				t.Errorf("users max after deleting the 55 = %d, want 40", got)
			}
			must(t, w.svc.Delete(context.Background(), w.saasID, w.tenantID, "calls", next))
			if got := w.month(t, "calls", "2026-11"); got != 10 {
				t.Errorf("calls this month after a delete = %d, want 10", got)
			}
			all, err := w.svc.DayAll(context.Background(), w.saasID, w.tenantID, "2026-11-22")
			must(t, err)
			if len(all) != 2 || all[0].MeterName != "calls" || all[0].Count != 10 || all[1].Count != 40 {
				t.Errorf("DayAll = %+v", all)
			}
			name, entries, err := w.svc.Period(context.Background(), w.saasID, w.tenantID, "calls", &day, &next)
			must(t, err)
			if name != "calls" || len(entries) != 2 || entries[0] != (metering.Entry{Timestamp: day, Count: 6}) {
				t.Errorf("Period = %s %+v", name, entries)
			}
		})
	}
}

func TestDaysFollowTheSaaSTimeZone(t *testing.T) {
	db := storetest.OpenSQLite(t)
	w := newWorld(t, db)
	_, err := db.WriteRaw(context.Background(), `UPDATE saas SET time_zone = 'Asia/Tokyo' WHERE id = ?`, w.saasID)
	must(t, err)
	// 23:30 UTC on 21 November is 08:30 on 22 November in Tokyo.
	ts := time.Date(2026, 11, 21, 23, 30, 0, 0, time.UTC).Unix()
	_, err = w.update(t, "calls", ts, metering.MethodAdd, 7)
	must(t, err)
	if got := w.day(t, "calls", "2026-11-22"); got != 7 {
		t.Errorf("Tokyo day 2026-11-22 = %d, want 7", got)
	}
	if got := w.day(t, "calls", "2026-11-21"); got != 0 {
		t.Errorf("Tokyo day 2026-11-21 = %d, want 0", got)
	}
}

func TestUnknownTenantOrMeter(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	_, err := w.svc.Update(ctx, metering.Update{SaaSID: w.saasID, TenantID: "nope", MeterName: "calls", Timestamp: t0.Unix(), Method: metering.MethodAdd, Count: 1})
	if errs.KindOf(err) != errs.KindNotFound {
		t.Errorf("unknown tenant = %v, want not found", err)
	}
	if _, err := w.update(t, "nope", t0.Unix(), metering.MethodAdd, 1); errs.KindOf(err) != errs.KindNotFound {
		t.Errorf("unknown meter = %v, want not found", err)
	}
	must(t, w.tenants.Delete(ctx, w.saasID, w.tenantID))
	if _, err := w.update(t, "calls", t0.Unix(), metering.MethodAdd, 1); errs.KindOf(err) != errs.KindNotFound {
		t.Errorf("deleted tenant = %v, want not found", err)
	}
	if _, err := w.svc.Day(ctx, w.saasID, w.tenantID, "calls", "2026-11-22"); errs.KindOf(err) != errs.KindNotFound {
		t.Errorf("read of a deleted tenant = %v, want not found", err)
	}
}

func TestIdempotencyKey(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	u := metering.Update{SaaSID: w.saasID, TenantID: w.tenantID, MeterName: "calls", AtNow: true, Method: metering.MethodAdd, Count: 5, IdempotencyKey: "k1", RequestHash: "h1"}
	first, err := w.svc.Update(ctx, u)
	must(t, err)
	w.clk.Set(t0.Add(time.Minute)) // a retry later must answer the first result, not apply again
	again, err := w.svc.Update(ctx, u)
	must(t, err)
	if again != first || w.day(t, "calls", "") != 5 {
		t.Fatalf("retry = %+v (first %+v), day count %d; want the first result and one application", again, first, w.day(t, "calls", ""))
	}
	u2 := u
	u2.RequestHash = "h2"
	if _, err := w.svc.Update(ctx, u2); errs.KindOf(err) != errs.KindConflict {
		t.Fatalf("key reused for another request = %v, want a conflict", err)
	}
	w.clk.Set(t0.Add(metering.IdempotencyTTL + time.Hour))
	if _, err := w.svc.Update(ctx, u); err != nil {
		t.Fatal(err)
	}
}

// 64 concurrent clients adding to one counter lose nothing.
func TestConcurrentAddsLoseNothing(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			w := newWorld(t, b.Open(t))
			const clients, each = 64, 20
			var wg sync.WaitGroup
			errc := make(chan error, clients*each)
			for c := 0; c < clients; c++ {
				wg.Go(func() {
					for i := 0; i < each; i++ {
						_, err := w.svc.Update(context.Background(), metering.Update{SaaSID: w.saasID, TenantID: w.tenantID, MeterName: "calls", AtNow: true, Method: metering.MethodAdd, Count: 3})
						errc <- err
					}
				})
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				must(t, err)
			}
			if got, want := w.day(t, "calls", ""), int64(clients*each*3); got != want {
				t.Fatalf("after %d concurrent adds of 3 the day count is %d, want %d", clients*each, got, want)
			}
		})
	}
}

func TestExpiredIdempotencyKeysArePurged(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			w := newWorld(t, b.Open(t))
			ctx := context.Background()
			for _, key := range []string{"a", "b", "c"} {
				_, err := w.svc.Update(ctx, metering.Update{SaaSID: w.saasID, TenantID: w.tenantID, MeterName: "calls", AtNow: true,
					Method: metering.MethodAdd, Count: 1, IdempotencyKey: key, RequestHash: key})
				must(t, err)
			}
			purge := func(at time.Time) int64 {
				var n int64
				must(t, w.db.Metering().WriteTx(ctx, func(tx metering.Tx) error {
					var err error
					n, err = tx.PurgeIdempotent(ctx, at, 2)
					return err
				}))
				return n
			}
			if n := purge(t0.Add(time.Hour)); n != 0 {
				t.Fatalf("purged %d live keys", n)
			}
			late := t0.Add(metering.IdempotencyTTL + time.Second)
			if n1, n2, n3 := purge(late), purge(late), purge(late); n1 != 2 || n2 != 1 || n3 != 0 {
				t.Fatalf("purges in batches of 2 removed %d, %d, %d; want 2, 1, 0", n1, n2, n3)
			}
		})
	}
}

// The committer remembers tenants, meters and the time zone between
// batches; whatever changes them, through any service or process, is seen
// by the very next update.
func TestCommitterSeesChangesBetweenBatches(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, w *world)
		check  func(t *testing.T, w *world)
	}{
		{"tenant deleted", func(t *testing.T, w *world) {
			must(t, w.tenants.Delete(context.Background(), w.saasID, w.tenantID))
		}, func(t *testing.T, w *world) {
			if _, err := w.update(t, "calls", t0.Unix(), metering.MethodAdd, 1); errs.KindOf(err) != errs.KindNotFound {
				t.Errorf("update after the tenant's deletion = %v, want not found", err)
			}
		}},
		{"meter deleted and created again under the same name", func(t *testing.T, w *world) {
			ctx := context.Background()
			must(t, w.svc.Delete(ctx, w.saasID, w.tenantID, "calls", t0.Unix())) // no usage left: the meter may go
			ps := pricing.NewService(w.db.Pricing(), uuid.NewString, quiet)
			ms, err := ps.ListMeters(ctx, w.saasID)
			must(t, err)
			for _, m := range ms {
				if m.Name == "calls" {
					must(t, ps.DeleteMeter(ctx, w.saasID, m.ID))
				}
			}
			if _, err := w.update(t, "calls", t0.Unix(), metering.MethodAdd, 1); errs.KindOf(err) != errs.KindNotFound {
				t.Errorf("update of a deleted meter = %v, want not found", err)
			}
			_, err = ps.CreateMeter(ctx, w.saasID, pricing.MeterInput{Name: "calls"})
			must(t, err)
		}, func(t *testing.T, w *world) {
			_, err := w.update(t, "calls", t0.Unix(), metering.MethodAdd, 4)
			must(t, err)
			if got := w.day(t, "calls", "2026-11-22"); got != 4 {
				t.Errorf("day of the new meter = %d, want 4 (the update went to the old meter?)", got)
			}
		}},
		{"time zone changed", func(t *testing.T, w *world) {
			_, err := w.db.WriteRaw(context.Background(), `UPDATE saas SET time_zone = 'Asia/Tokyo' WHERE id = ?`, w.saasID)
			must(t, err)
		}, func(t *testing.T, w *world) {
			// 23:30 UTC on 22 November is 08:30 on 23 November in Tokyo.
			_, err := w.update(t, "calls", time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC).Unix(), metering.MethodAdd, 3)
			must(t, err)
			if got := w.day(t, "calls", "2026-11-23"); got != 3 {
				t.Errorf("Tokyo day 2026-11-23 = %d, want 3", got)
			}
		}},
	}
	for _, b := range storetest.Backends(t) {
		for _, tt := range tests {
			t.Run(b.Name+"/"+tt.name, func(t *testing.T) {
				w := newWorld(t, b.Open(t))
				w.clk.Set(t0.Add(36 * time.Hour))
				if _, err := w.update(t, "calls", t0.Unix(), metering.MethodAdd, 2); err != nil {
					t.Fatal(err)
				}
				tt.change(t, w)
				tt.check(t, w)
			})
		}
	}
}

// Concurrent clients sending every kind of change to many entries, so that
// batches hold many entries, days and methods at once (and the multi-row
// statements every chunk size): afterwards every day's roll-up must equal
// what its entries add up to (sum) or their largest (max).
func TestConcurrentMixedBatchesKeepRollupsExact(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			w := newWorld(t, b.Open(t))
			w.clk.Set(t0.Add(72 * time.Hour))
			ctx := context.Background()
			base := t0.Truncate(24 * time.Hour).Unix()
			const clients, each, seconds = 48, 40, 24 // seconds spread over 3 days
			var wg sync.WaitGroup
			for c := range clients {
				wg.Go(func() {
					for i := range each {
						x := c*each + i
						u := metering.Update{SaaSID: w.saasID, TenantID: w.tenantID, MeterName: []string{"calls", "users"}[x%2],
							Timestamp: base + int64((x*7919)%seconds)*10800, Count: int64(x%13 + 1)}
						var err error
						switch x % 5 {
						case 0, 1:
							u.Method = metering.MethodAdd
						case 2:
							u.Method = metering.MethodSub
						case 3:
							u.Method = metering.MethodDirect
						case 4:
							err = w.svc.Delete(ctx, u.SaaSID, u.TenantID, u.MeterName, u.Timestamp)
						}
						if u.Method != "" {
							_, err = w.svc.Update(ctx, u)
						}
						if err != nil && errs.KindOf(err) != errs.KindConflict { // sub below zero is refused
							t.Error(err)
						}
					}
				})
			}
			wg.Wait()
			for _, meter := range []string{"calls", "users"} {
				for d := range 4 {
					day := time.Unix(base, 0).UTC().Add(time.Duration(d) * 24 * time.Hour)
					from, to := day.Unix(), day.Add(24*time.Hour).Unix()-1
					_, es, err := w.svc.Period(ctx, w.saasID, w.tenantID, meter, &from, &to)
					must(t, err)
					var sum, mx int64
					for _, e := range es {
						sum += e.Count
						mx = max(mx, e.Count)
					}
					want := sum
					if meter == "users" {
						want = mx
					}
					if got := w.day(t, meter, metering.Date(day.Format(time.DateOnly))); got != want {
						t.Errorf("%s on %s: roll-up %d, entries give %d (%d entries)", meter, day.Format(time.DateOnly), got, want, len(es))
					}
				}
			}
		})
	}
}
