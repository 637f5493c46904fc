package billingapi_test

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/billing"
)

// runWorld is a world whose tenants are ready for an October run: acme
// and four more on starter since 1 October, one on a plan that mixes
// currencies, and one without a plan; the clock stands after October.
func runWorld(t *testing.T, b apitest.Backend, opts apitest.Options) (*world, []string) {
	t.Helper()
	clk := apitest.NewClock(jst(9, 20, 12, 0, 0))
	opts.Now = clk.Now
	srv := apitest.NewServerWith(t, b.DB, opts)
	w := &world{srv: srv, clk: clk, c: srv.NewSaaS(t), units: map[string]string{}}
	w.populate(t)
	w.tenant = w.newTenant(t, "acme")
	billed := []string{w.tenant}
	for _, name := range []string{"b", "c", "d", "e"} {
		billed = append(billed, w.newTenant(t, name))
	}
	for _, id := range billed {
		w.assignTo(t, id, jst(10, 1, 0, 0, 0), w.starter)
	}
	mixed := w.newTenant(t, "mixed")
	w.assignTo(t, mixed, jst(10, 1, 0, 0, 0), w.mixedPlan(t))
	w.clk.Set(jst(11, 1, 2, 0, 0))
	return w, append(billed, mixed)
}

// waitRun polls the run until it is done.
func waitRun(t *testing.T, w *world, id string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		run := conforms(t, w.c.Do(t, "GET", B+"/invoice-runs/"+id, nil).Want(t, 200)).JSON(t)
		if run["status"] == "done" {
			return run
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s not done after 30s: %v", id, run)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// invoiceNumbers returns the numbers of the SaaS's invoices by tenant.
func invoiceNumbers(t *testing.T, w *world) (map[string][]int, []int) {
	t.Helper()
	by := map[string][]int{}
	var all []int
	for _, v := range w.c.Do(t, "GET", B+"/invoices?limit=1000", nil).Want(t, 200).JSON(t)["invoices"].([]any) {
		inv := v.(map[string]any)
		n := int(inv["number"].(float64))
		by[inv["tenant_id"].(string)] = append(by[inv["tenant_id"].(string)], n)
		all = append(all, n)
	}
	sort.Ints(all)
	return by, all
}

// wantOneInvoiceEach fails the test unless each of the tenants has
// exactly one invoice and the SaaS's invoices are numbered 1 to their
// count, without gaps.
func wantOneInvoiceEach(t *testing.T, w *world, tenants []string) {
	t.Helper()
	by, all := invoiceNumbers(t, w)
	for _, id := range tenants {
		if len(by[id]) != 1 {
			t.Errorf("tenant %s has invoices %v, want exactly one", id, by[id])
		}
	}
	if len(all) != len(tenants) || all[0] != 1 || all[len(all)-1] != len(tenants) {
		t.Errorf("invoice numbers %v, want 1 to %d", all, len(tenants))
	}
}

// TestInvoiceRun: a run finalizes every billable tenant's invoice once in
// the background, reports the tenant it could not invoice, and running
// the period again makes nothing twice.
func TestInvoiceRun(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		w, tenants := runWorld(t, b, apitest.Options{BillingJobs: true})
		w.c.Do(t, "POST", B+"/invoice-runs", obj{"period": "2026-11"}).WantError(t, 409, "period_not_ended", "2026-11")
		started := conforms(t, w.c.Do(t, "POST", B+"/invoice-runs", obj{"period": "2026-10"}).Want(t, 202)).JSON(t)
		run := waitRun(t, w, started["run_id"].(string))
		wantNumbers(t, "run", run, map[string]float64{"tenants": 6, "done": 6, "finalized": 5, "existing": 0, "skipped": 0, "failed": 1})
		fs := run["failures"].([]any)
		if len(fs) != 1 || fs[0].(map[string]any)["tenant_id"] != tenants[5] || fs[0].(map[string]any)["type"] != "mixed_currencies" {
			t.Errorf("failures %v, want the mixed tenant's mixed_currencies", fs)
		}
		wantOneInvoiceEach(t, w, tenants[:5])
		again := conforms(t, w.c.Do(t, "POST", B+"/invoice-runs", obj{"period": "2026-10"}).Want(t, 202)).JSON(t)
		rerun := waitRun(t, w, again["run_id"].(string))
		wantNumbers(t, "rerun", rerun, map[string]float64{"tenants": 6, "finalized": 0, "existing": 5, "failed": 1})
		if _, all := invoiceNumbers(t, w); len(all) != 5 {
			t.Errorf("after the rerun: invoices %v", all)
		}
		list := conforms(t, w.c.Do(t, "GET", B+"/invoice-runs?period=2026-10", nil).Want(t, 200)).JSON(t)["runs"].([]any)
		if len(list) != 2 || list[0].(map[string]any)["run_id"] != again["run_id"] || list[0].(map[string]any)["trigger"] != "manual" {
			t.Errorf("runs %v, want the two, newest first", list)
		}
		for _, r := range list {
			if _, ok := r.(map[string]any)["failures"].([]any); !ok {
				t.Errorf("a listed run's failures = %#v, want an array", r.(map[string]any)["failures"])
			}
		}
	})
}

// TestInvoiceRunJoins: starting a period's run while one is queued
// returns that run; bad input is 400 and unknown runs 404.
func TestInvoiceRunJoins(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		w := newWorld(t, b) // no job engine: runs stay queued
		w.clk.Set(jst(11, 2, 0, 0, 0))
		first := w.c.Do(t, "POST", B+"/invoice-runs", obj{"period": "2026-10"}).Want(t, 202).JSON(t)
		second := conforms(t, w.c.Do(t, "POST", B+"/invoice-runs", obj{"period": "2026-10"}).Want(t, 200)).JSON(t)
		if second["run_id"] != first["run_id"] || second["status"] != "queued" {
			t.Errorf("second start %v, want run %v still queued", second, first["run_id"])
		}
		w.c.Do(t, "POST", B+"/invoice-runs", obj{}).WantError(t, 400, "invalid_request", "period")
		w.c.Do(t, "POST", B+"/invoice-runs", obj{"period": "2026-13"}).WantError(t, 400, "invalid_request", "period")
		w.c.Do(t, "GET", B+"/invoice-runs?limit=0", nil).WantError(t, 400, "invalid_request", "limit")
		w.c.Do(t, "GET", B+"/invoice-runs/nope", nil).WantError(t, 404, "", "nope")
		w.srv.NewSaaS(t).Do(t, "GET", B+"/invoice-runs/"+first["run_id"].(string), nil).WantError(t, 404, "")
	})
}

// TestScheduledClose: once a month has ended and the grace has passed,
// the close starts one scheduled run of it (and of the year that ended),
// once, however often it looks; the next month's close starts only that
// month.
func TestScheduledClose(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		w := newWorld(t, b)
		saas := w.c.SaaSID
		w.clk.Set(jst(11, 1, 0, 59, 59)) // October ended 59:59 ago: within the hour's grace
		// A SaaS's first close runs the latest periods due: September and
		// the year 2025.
		if runs, err := w.srv.Billing.CloseDue(t.Context(), saas, time.Hour); err != nil || len(runs) != 2 || runs[0].Period != "2026-09" || runs[1].Period != "2025" {
			t.Fatalf("close within October's grace started %v, %v; want 2026-09 and 2025", runs, err)
		}
		w.clk.Set(jst(11, 1, 1, 0, 0))
		runs, err := w.srv.Billing.CloseDue(t.Context(), saas, time.Hour)
		if err != nil || len(runs) != 1 || runs[0].Period != "2026-10" || runs[0].Trigger != "schedule" {
			t.Fatalf("close after the grace started %v, %v; want 2026-10", runs, err)
		}
		if runs, err := w.srv.Billing.CloseDue(t.Context(), saas, time.Hour); err != nil || len(runs) != 0 {
			t.Errorf("closing again started %v, %v", runs, err)
		}
		w.clk.Set(jst(12, 1, 1, 0, 0))
		if runs, err := w.srv.Billing.CloseDue(t.Context(), saas, time.Hour); err != nil || len(runs) != 1 || runs[0].Period != "2026-11" {
			t.Errorf("december's close started %v, %v; want 2026-11", runs, err)
		}
		// A server that was down for two months closes both.
		w.clk.Set(jst(2, 1, 1, 0, 0).AddDate(1, 0, 0))
		runs, err = w.srv.Billing.CloseDue(t.Context(), saas, time.Hour)
		var got []string
		for _, r := range runs {
			got = append(got, r.Period)
		}
		if err != nil || len(got) != 3 || got[0] != "2026-12" || got[1] != "2027-01" || got[2] != "2026" {
			t.Errorf("after two months down the close started %v, %v; want 2026-12, 2027-01 and the year 2026", got, err)
		}
	})
}

// crashingStore commits its first writes, then fails every transaction
// after running it, as if the process died: what committed stays, the
// rest is rolled back.
type crashingStore struct {
	billing.Store
	writes, commits int
}

var errCrash = errors.New("the process died")

func (s *crashingStore) WriteTx(ctx context.Context, fn func(billing.Tx) error) error {
	s.writes++
	if s.writes > s.commits {
		_ = s.Store.WriteTx(ctx, func(tx billing.Tx) error {
			if err := fn(tx); err != nil {
				return err
			}
			return errCrash
		})
		return errCrash
	}
	return s.Store.WriteTx(ctx, fn)
}

// TestInvoiceRunResumes: a run that dies after its first chunk committed
// is worked again to the end: every tenant has exactly one invoice,
// numbered without gaps, and the run counts them all as its own.
func TestInvoiceRunResumes(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		w, tenants := runWorld(t, b, apitest.Options{}) // no engine: the test works the run
		saas := w.c.SaaSID
		run, _, err := w.srv.Billing.StartRun(t.Context(), saas, "2026-10", billing.TriggerManual)
		if err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.DiscardHandler)
		// Commits: the run's start, then the first chunk of two tenants.
		dying := &crashingStore{Store: w.srv.DB.Billing(), commits: 2}
		err = billing.NewService(dying, w.clk.Now, uuid.NewString, log).WithRunChunk(2).WorkRun(t.Context(), saas, run.ID)
		if !errors.Is(err, errCrash) {
			t.Fatalf("dying run: %v", err)
		}
		half, _ := w.srv.Billing.GetRun(t.Context(), saas, run.ID)
		if half.Status != billing.RunRunning || half.Finalized != 2 {
			t.Fatalf("after the crash the run is %+v, want running with 2 finalized", half)
		}
		if _, all := invoiceNumbers(t, w); len(all) != 2 {
			t.Fatalf("after the crash: invoices %v, want the first chunk's two", all)
		}
		if err := billing.NewService(w.srv.DB.Billing(), w.clk.Now, uuid.NewString, log).WithRunChunk(2).WorkRun(t.Context(), saas, run.ID); err != nil {
			t.Fatal(err)
		}
		done, _ := w.srv.Billing.GetRun(t.Context(), saas, run.ID)
		if done.Status != billing.RunDone || done.Finalized != 5 || done.Existing != 0 || done.Failed != 1 || done.Tenants != 6 {
			t.Errorf("resumed run %+v, want done: 5 finalized (its own), 1 failed", done)
		}
		wantOneInvoiceEach(t, w, tenants[:5])
	})
}

// TestCloseAndRunAcrossServers: two servers' billing on one database close
// October at the same moment, many times: one scheduled run exists. Both
// work it at once: every tenant gets one invoice, numbered without gaps,
// and the run ends done whichever server finishes it.
func TestCloseAndRunAcrossServers(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		w, tenants := runWorld(t, b, apitest.Options{})
		saas := w.c.SaaSID
		log := slog.New(slog.DiscardHandler)
		nodes := []*billing.Service{
			billing.NewService(w.srv.DB.Billing(), w.clk.Now, uuid.NewString, log).WithRunChunk(2),
			billing.NewService(w.srv.DB.Billing(), w.clk.Now, uuid.NewString, log).WithRunChunk(2),
		}
		errc := make(chan error, 8)
		for i := range 8 {
			go func() {
				_, err := nodes[i%2].CloseDue(t.Context(), saas, time.Hour)
				errc <- err
			}()
		}
		for range 8 {
			if err := <-errc; err != nil {
				t.Errorf("close: %v", err)
			}
		}
		runs, err := w.srv.Billing.ListRuns(t.Context(), saas, "2026-10", 10)
		if err != nil || len(runs) != 1 || runs[0].Trigger != billing.TriggerSchedule {
			t.Fatalf("runs of 2026-10 after 8 concurrent closes: %+v, %v; want one scheduled", runs, err)
		}
		for _, n := range nodes {
			go func() { errc <- n.WorkRun(t.Context(), saas, runs[0].ID) }()
		}
		for range nodes {
			if err := <-errc; err != nil {
				t.Logf("a node's attempt failed (its job would be retried): %v", err)
			}
		}
		// Whatever the race left, one more attempt (the job's retry) ends it.
		if err := nodes[0].WorkRun(t.Context(), saas, runs[0].ID); err != nil {
			t.Fatal(err)
		}
		done, _ := w.srv.Billing.GetRun(t.Context(), saas, runs[0].ID)
		if done.Status != billing.RunDone || done.Finalized != 5 || done.Failed != 1 {
			t.Errorf("run %+v, want done with 5 finalized", done)
		}
		wantOneInvoiceEach(t, w, tenants[:5])
	})
}

// TestInvoiceRunInSlices: a run whose budget runs out stops after a chunk
// and says there is more; the next attempt goes on after the tenants done,
// so progress only grows and nothing is finalized twice.
func TestInvoiceRunInSlices(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		w, _ := runWorld(t, b, apitest.Options{})
		saas := w.c.SaaSID
		run, _, err := w.srv.Billing.StartRun(t.Context(), saas, "2026-10", billing.TriggerManual)
		if err != nil {
			t.Fatal(err)
		}
		// Every reading of this clock is a second later: any budget is
		// spent after one chunk.
		tick := w.clk.Now()
		clock := func() time.Time { tick = tick.Add(time.Second); return tick }
		svc := billing.NewService(w.srv.DB.Billing(), clock, uuid.NewString, slog.New(slog.DiscardHandler)).WithRunChunk(2)
		var done []int
		for attempt := 1; ; attempt++ {
			more, err := svc.WorkRunFor(t.Context(), saas, run.ID, time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			r, _ := w.srv.Billing.GetRun(t.Context(), saas, run.ID)
			done = append(done, r.Done())
			if !more {
				if r.Status != billing.RunDone || r.Finalized != 5 || r.Failed != 1 || r.Existing != 0 {
					t.Errorf("final run %+v, want done: 5 finalized, 1 failed", r)
				}
				break
			}
			if r.Status != billing.RunRunning || attempt > 10 {
				t.Fatalf("attempt %d left the run %+v", attempt, r)
			}
		}
		if len(done) != 3 || done[0] != 2 || done[1] != 4 || done[2] != 6 {
			t.Errorf("tenants done after each attempt %v, want 2, 4, 6", done)
		}
	})
}
