package tenant_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/jobs"
	"github.com/saasplane/saasplane/internal/pricing"
	"github.com/saasplane/saasplane/internal/saas"
	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/store/storetest"
	"github.com/saasplane/saasplane/internal/tenant"
)

// clock is a settable clock shared by the services of one test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fixture is one SaaS with two plans and a tenant on the first.
type fixture struct {
	saasID       string
	basic, extra string
	tenantID     string
}

func newFixture(t *testing.T, db *store.DB, svc *tenant.Service) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{saasID: uuid.NewString()}
	must(t, db.InsertSaaS(ctx, saas.SaaS{ID: f.saasID, Name: "t"}))
	ps := pricing.NewService(db.Pricing(), uuid.NewString, quiet)
	for _, p := range []*string{&f.basic, &f.extra} {
		plan, err := ps.CreatePlan(ctx, f.saasID, pricing.PlanInput{Name: "p"})
		must(t, err)
		*p = plan.ID
	}
	tn, err := svc.Create(ctx, f.saasID, tenant.TenantInput{Name: "acme", BackOfficeStaffEmail: "ops@acme.example"})
	must(t, err)
	f.tenantID = tn.ID
	must(t, svc.ChangePlan(ctx, f.saasID, tn.ID, tenant.PlanChange{NextPlanID: &f.basic}))
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func reserve(t *testing.T, svc *tenant.Service, f fixture, planID string, at time.Time) {
	t.Helper()
	from := at.Unix()
	must(t, svc.ChangePlan(context.Background(), f.saasID, f.tenantID, tenant.PlanChange{NextPlanID: &planID, From: &from}))
}

// history reads the tenant straight from the store, so no read path applies
// anything on the way.
func history(t *testing.T, db *store.DB, f fixture) tenant.Tenant {
	t.Helper()
	var out tenant.Tenant
	must(t, db.Tenants().ReadTx(context.Background(), func(tx tenant.Tx) error {
		ts, err := tx.Tenants(context.Background(), f.saasID, f.tenantID)
		if err == nil && len(ts) == 1 {
			out = ts[0]
		}
		return err
	}))
	return out
}

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func TestReservationIsAppliedAtItsSecond(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, clk := b.Open(t), &clock{now: t0}
			svc := tenant.NewService(db.Tenants(), clk.Now, uuid.NewString, quiet)
			f := newFixture(t, db, svc)
			at := t0.Add(time.Hour)
			reserve(t, svc, f, f.extra, at)

			steps := []struct {
				now      time.Time
				wantPlan string
			}{
				{t0.Add(30 * time.Minute), f.basic},
				{at.Add(-time.Second), f.basic},
				{at, f.extra},
				{at.Add(time.Hour), f.extra},
			}
			for _, st := range steps {
				clk.Set(st.now)
				if _, err := svc.ApplyDue(context.Background()); err != nil {
					t.Fatal(err)
				}
				got := history(t, db, f)
				if got.PlanID != st.wantPlan {
					t.Fatalf("at %s the plan is %q, want %q", st.now, got.PlanID, st.wantPlan)
				}
			}
			got := history(t, db, f)
			if n := len(got.History); n != 2 || !got.History[1].AppliedAt.Equal(at) || got.History[1].PlanID != f.extra || got.Reservation != nil {
				t.Fatalf("history = %+v, reservation %+v; want the reservation applied once at %s", got.History, got.Reservation, at)
			}
		})
	}
}

// A scheduler that runs late (or a server that was down) still records the
// reserved second, not the moment it got round to it.
func TestLateApplicationKeepsTheReservedTime(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, clk := b.Open(t), &clock{now: t0}
			svc := tenant.NewService(db.Tenants(), clk.Now, uuid.NewString, quiet)
			f := newFixture(t, db, svc)
			at := t0.Add(24 * time.Hour)
			end := ""
			from := at.Add(time.Hour).Unix()
			reserve(t, svc, f, f.extra, at)
			clk.Set(t0.Add(72 * time.Hour))
			must(t, func() error { _, err := svc.ApplyDue(context.Background()); return err }())
			// Ending the plan is a reservation too.
			clk.Set(at.Add(30 * time.Minute))
			must(t, svc.ChangePlan(context.Background(), f.saasID, f.tenantID, tenant.PlanChange{NextPlanID: &end, From: &from}))
			clk.Set(at.Add(48 * time.Hour))
			must(t, func() error { _, err := svc.ApplyDue(context.Background()); return err }())
			got := history(t, db, f)
			if len(got.History) != 3 || !got.History[1].AppliedAt.Equal(at) || got.History[2].PlanID != "" || got.History[2].AppliedAt.Unix() != from || got.PlanID != "" {
				t.Fatalf("history = %+v, plan %q; want extra at %s then the end at %d", got.History, got.PlanID, at, from)
			}
		})
	}
}

// Reads never show a reservation whose time has passed, even when no
// scheduler ran.
func TestReadsApplyDueReservations(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, clk := b.Open(t), &clock{now: t0}
			svc := tenant.NewService(db.Tenants(), clk.Now, uuid.NewString, quiet)
			f := newFixture(t, db, svc)
			reserve(t, svc, f, f.extra, t0.Add(time.Minute))
			clk.Set(t0.Add(2 * time.Minute))
			d, err := svc.Get(context.Background(), f.saasID, f.tenantID)
			must(t, err)
			if d.PlanID != f.extra || d.Reservation != nil || d.PeriodStart == nil || !d.PeriodStart.Equal(t0.Add(time.Minute)) {
				t.Fatalf("Get after the reserved time = plan %q, reservation %+v, period %v", d.PlanID, d.Reservation, d.PeriodStart)
			}
			list, err := svc.List(context.Background(), f.saasID)
			must(t, err)
			if len(list) != 1 || len(list[0].History) != 2 {
				t.Fatalf("List = %+v, want one tenant with two history entries (applied once)", list)
			}
		})
	}
}

// Reservations are stored: a server that was stopped before the reserved
// time applies them when it starts again.
func TestReservationSurvivesARestart(t *testing.T) {
	ctx := context.Background()
	run := func(t *testing.T, open func() *store.DB) {
		clk := &clock{now: t0}
		db := open()
		svc := tenant.NewService(db.Tenants(), clk.Now, uuid.NewString, quiet)
		f := newFixture(t, db, svc)
		at := t0.Add(10 * time.Minute)
		reserve(t, svc, f, f.extra, at)
		must(t, db.Close()) // the server stops

		clk.Set(at.Add(time.Hour))
		db2 := open() // and starts again, an hour after the reserved time
		t.Cleanup(func() { db2.Close() })
		svc2 := tenant.NewService(db2.Tenants(), clk.Now, uuid.NewString, quiet)
		if n, err := svc2.ApplyDue(ctx); err != nil || n != 1 {
			t.Fatalf("ApplyDue after restart = %d, %v; want 1", n, err)
		}
		got := history(t, db2, f)
		if got.PlanID != f.extra || len(got.History) != 2 || !got.History[1].AppliedAt.Equal(at) {
			t.Fatalf("after restart: plan %q, history %+v", got.PlanID, got.History)
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		run(t, func() *store.DB {
			db, err := store.OpenSQLite(dir)
			must(t, err)
			_, err = db.Migrate(ctx)
			must(t, err)
			return db
		})
	})
	t.Run("postgres", func(t *testing.T) {
		url := storetest.PostgresURL(t)
		run(t, func() *store.DB {
			db, err := store.OpenPostgres(ctx, url)
			must(t, err)
			_, err = db.Migrate(ctx)
			must(t, err)
			return db
		})
	})
}

// Two server processes (two connection pools, two services) applying the
// same due reservations at once apply each exactly once.
func TestTwoSchedulersApplyEachReservationOnce(t *testing.T) {
	ctx := context.Background()
	run := func(t *testing.T, a, b *store.DB) {
		clk := &clock{now: t0}
		svcA := tenant.NewService(a.Tenants(), clk.Now, uuid.NewString, quiet)
		svcB := tenant.NewService(b.Tenants(), clk.Now, uuid.NewString, quiet)
		f := newFixture(t, a, svcA)
		const tenants = 12
		ids := []string{f.tenantID}
		for len(ids) < tenants {
			tn, err := svcA.Create(ctx, f.saasID, tenant.TenantInput{Name: "t", BackOfficeStaffEmail: "a@b.co"})
			must(t, err)
			ids = append(ids, tn.ID)
		}
		for i, id := range ids {
			g := f
			g.tenantID = id
			reserve(t, svcA, g, f.extra, t0.Add(time.Duration(i)*time.Second))
		}
		clk.Set(t0.Add(time.Hour))
		var wg sync.WaitGroup
		errc := make(chan error, 8)
		for _, svc := range []*tenant.Service{svcA, svcB, svcA, svcB} {
			wg.Go(func() {
				_, err := svc.ApplyDue(ctx)
				errc <- err
			})
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			must(t, err)
		}
		for i, id := range ids {
			g := f
			g.tenantID = id
			got := history(t, a, g)
			applied := 0
			for _, h := range got.History {
				if h.PlanID == f.extra {
					applied++
					if !h.AppliedAt.Equal(t0.Add(time.Duration(i) * time.Second)) {
						t.Errorf("tenant %d: applied at %s, want the reserved second", i, h.AppliedAt)
					}
				}
			}
			if applied != 1 || got.PlanID != f.extra {
				t.Fatalf("tenant %d history = %+v: want the reservation applied exactly once", i, got.History)
			}
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		open := func() *store.DB {
			db, err := store.OpenSQLite(dir)
			must(t, err)
			t.Cleanup(func() { db.Close() })
			_, err = db.Migrate(ctx)
			must(t, err)
			return db
		}
		run(t, open(), open())
	})
	t.Run("postgres", func(t *testing.T) {
		url := storetest.PostgresURL(t)
		open := func() *store.DB {
			db, err := store.OpenPostgres(ctx, url)
			must(t, err)
			t.Cleanup(func() { db.Close() })
			_, err = db.Migrate(ctx)
			must(t, err)
			return db
		}
		run(t, open(), open())
	})
}

// The background job applies a reservation once the clock passes it.
func TestReservationJobRunsInTheBackground(t *testing.T) {
	db, clk := storetest.OpenSQLite(t), &clock{now: t0}
	svc := tenant.NewService(db.Tenants(), clk.Now, uuid.NewString, quiet)
	f := newFixture(t, db, svc)
	reserve(t, svc, f, f.extra, t0.Add(time.Hour))
	engine, err := jobs.New(db.JobDriver(), jobs.Config{PollInterval: 10 * time.Millisecond}, nil, quiet)
	must(t, err)
	jobs.Handle(engine, func(ctx context.Context, _ jobs.ApplyReservations) error {
		_, err := svc.ApplyDue(ctx)
		return err
	})
	engine.Every(jobs.ApplyReservations{}, 10*time.Millisecond)
	must(t, engine.Start(t.Context()))
	defer engine.Stop(context.Background())

	time.Sleep(50 * time.Millisecond) // several ticks before the reserved time
	if got := history(t, db, f); got.PlanID != f.basic {
		t.Fatalf("applied before its time: plan %q", got.PlanID)
	}
	clk.Set(t0.Add(time.Hour))
	deadline := time.Now().Add(5 * time.Second)
	for history(t, db, f).PlanID != f.extra {
		if time.Now().After(deadline) {
			t.Fatal("the job did not apply the due reservation within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDeletedTenantsReservationIsDropped(t *testing.T) {
	db, clk := storetest.OpenSQLite(t), &clock{now: t0}
	svc := tenant.NewService(db.Tenants(), clk.Now, uuid.NewString, quiet)
	f := newFixture(t, db, svc)
	reserve(t, svc, f, f.extra, t0.Add(time.Hour))
	must(t, svc.Delete(context.Background(), f.saasID, f.tenantID))
	clk.Set(t0.Add(2 * time.Hour))
	if n, err := svc.ApplyDue(context.Background()); err != nil || n != 0 {
		t.Fatalf("ApplyDue = %d, %v; a deleted tenant's reservation must not apply", n, err)
	}
	if _, err := svc.Get(context.Background(), f.saasID, f.tenantID); err == nil {
		t.Fatal("a deleted tenant is still readable")
	}
}

// A clock that goes back (another process's, or a stepped wall clock)
// never puts the history out of time order.
func TestHistoryNeverGoesBackInTime(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, clk := b.Open(t), &clock{now: t0}
			svc := tenant.NewService(db.Tenants(), clk.Now, uuid.NewString, quiet)
			f := newFixture(t, db, svc) // basic applied at t0
			clk.Set(t0.Add(-time.Minute))
			must(t, svc.ChangePlan(context.Background(), f.saasID, f.tenantID, tenant.PlanChange{NextPlanID: &f.extra}))
			got := history(t, db, f)
			if n := len(got.History); n != 2 || !got.History[1].AppliedAt.Equal(t0) {
				t.Fatalf("history = %+v; want the second change recorded at %s, not before the first", got.History, t0)
			}
		})
	}
}

// EndPlan ends the plan at once, drops a pending reservation and records
// the end; a tenant without a plan is left alone.
func TestEndPlan(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, clk := b.Open(t), &clock{now: t0}
			svc := tenant.NewService(db.Tenants(), clk.Now, uuid.NewString, quiet)
			f := newFixture(t, db, svc) // basic since t0
			reserve(t, svc, f, f.extra, t0.Add(time.Hour))
			clk.Set(t0.Add(time.Minute))
			must(t, svc.EndPlan(context.Background(), f.saasID, f.tenantID))
			got := history(t, db, f)
			if got.PlanID != "" || got.Reservation != nil || len(got.History) != 2 || got.History[1].PlanID != "" || !got.History[1].AppliedAt.Equal(t0.Add(time.Minute)) {
				t.Fatalf("after EndPlan: plan %q, reservation %+v, history %+v", got.PlanID, got.Reservation, got.History)
			}
			must(t, svc.EndPlan(context.Background(), f.saasID, f.tenantID))
			if n := len(history(t, db, f).History); n != 2 {
				t.Fatalf("a second EndPlan appended history (%d entries)", n)
			}
		})
	}
}
