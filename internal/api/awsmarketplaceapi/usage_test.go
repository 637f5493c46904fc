package awsmarketplaceapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// usageEnv is a SaaS selling through the emulator, with the meter "calls"
// reported as the dimension api_calls and one linked buyer, on a clock the
// test moves.
type usageEnv struct {
	c   apitest.Client
	clk *apitest.Clock
	x   ids
	t0  time.Time // the start of the hour the buyer was linked in
}

func newUsageEnv(t *testing.T, b apitest.Backend) *usageEnv {
	t.Helper()
	t0 := time.Now().UTC().Truncate(time.Hour).Add(-6 * time.Hour)
	clk := apitest.NewClock(t0.Add(5 * time.Minute))
	c := apitest.NewServerWith(t, b.DB, apitest.Options{Now: clk.Now, UsageJobs: true}).NewSaaS(t)
	c.Do(t, "POST", "/v1/pricing/metering/units", obj{"unit_name": "calls", "display_name": "Calls", "description": "API calls"}).Want(t, http.StatusCreated)
	x := linkedCustomer(t, c)
	c.Do(t, "POST", emu+"/products/"+x["product"]+"/dimensions", obj{"dimensions": []string{"api_calls"}}).Want(t, http.StatusNoContent)
	okEmpty(t, c, "PUT", "/metering-dimensions", obj{"metering_unit_name": "calls", "dimension": "api_calls"})
	return &usageEnv{c: c, clk: clk, x: x, t0: t0}
}

// use adds n calls at t.
func (e *usageEnv) use(t *testing.T, at time.Time, n int64) {
	t.Helper()
	e.c.Do(t, "PUT", fmt.Sprintf("/v1/pricing/metering/tenants/%s/units/calls/timestamp/%d", e.x["tenant"], at.Unix()),
		obj{"method": "add", "count": n}).Want(t, http.StatusOK)
}

// run runs a reporting round and returns what it did.
func (e *usageEnv) run(t *testing.T) map[string]int {
	t.Helper()
	var out map[string]int
	if err := json.Unmarshal(e.c.Do(t, "POST", P+"/usage-reports/run", nil).Want(t, http.StatusOK).Body, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// received returns the quantities AWS (the emulator) accepted, by hour.
func (e *usageEnv) received(t *testing.T) map[string]int64 {
	t.Helper()
	var out struct {
		Records []struct {
			Dimension, Hour, Status string
			Quantity                int64
		} `json:"usage_records"`
	}
	if err := json.Unmarshal(e.c.Do(t, "GET", emu+"/usage", nil).Want(t, http.StatusOK).Body, &out); err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, r := range out.Records {
		if r.Status != "Success" {
			continue
		}
		key := r.Dimension + "@" + r.Hour
		if _, dup := got[key]; dup {
			t.Errorf("AWS accepted %s twice", key)
		}
		got[key] = r.Quantity
	}
	return got
}

func hourKey(h time.Time) string { return "api_calls@" + h.UTC().Format(time.RFC3339) }

// Every closed hour of a linked meter is reported once, with the exact
// quantity; hours without usage and unfinished hours are not sent.
func TestUsageIsReportedOncePerHour(t *testing.T) {
	t.Parallel()
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newUsageEnv(t, b)
		e.use(t, e.t0.Add(10*time.Minute), 5)
		e.use(t, e.t0.Add(20*time.Minute), 7)
		e.use(t, e.t0.Add(70*time.Minute), 3)
		e.use(t, e.t0.Add(190*time.Minute), 4) // hour 3: not closed yet below

		e.clk.Set(e.t0.Add(3*time.Hour + 5*time.Minute)) // hours 0..1 closed; hour 2 empty, closed after the grace
		if r := e.run(t); r["sent"] != 2 || r["pending"] != 0 {
			t.Fatalf("first round = %v, want 2 sent", r)
		}
		want := map[string]int64{hourKey(e.t0): 12, hourKey(e.t0.Add(time.Hour)): 3}
		if got := e.received(t); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("AWS received %v, want %v", got, want)
		}
		if r := e.run(t); r["closed"] != 0 || r["sent"] != 0 {
			t.Fatalf("second round = %v, want nothing new", r)
		}
		e.clk.Set(e.t0.Add(4*time.Hour + 15*time.Minute))
		if r := e.run(t); r["sent"] != 1 {
			t.Fatalf("third round = %v, want hour 3 sent", r)
		}
		want[hourKey(e.t0.Add(3*time.Hour))] = 4
		if got := e.received(t); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("AWS received %v, want %v", got, want)
		}
		var reps struct {
			UsageReports []struct{ Status, Result, Hour string } `json:"usage_reports"`
		}
		_ = json.Unmarshal(e.c.Do(t, "GET", P+"/usage-reports?customer_identifier="+e.x["customer"], nil).Want(t, 200).Body, &reps)
		statuses := map[string]int{}
		for _, r := range reps.UsageReports {
			statuses[r.Status+"/"+r.Result]++
		}
		if statuses["sent/Success"] != 3 || statuses["empty/"] == 0 {
			t.Errorf("reports by status = %v, want 3 sent/Success and the empty hours recorded", statuses)
		}

		// A crash after AWS answered but before saasplane recorded it: the
		// report is sent again, and AWS takes it as the same record.
		if _, err := e.c.Server.DB.WriteRaw(t.Context(), `UPDATE aws_usage_reports SET status = 'pending', result = '', next_attempt_at = 0
			WHERE saas_id = ? AND hour = ?`, e.c.SaaSID, e.t0.Unix()); err != nil {
			t.Fatal(err)
		}
		if r := e.run(t); r["sent"] != 1 {
			t.Fatalf("resend round = %v, want 1 sent", r)
		}
		if got := e.received(t); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("after the resend AWS holds %v, want %v (nothing twice)", got, want)
		}
	})
}

// AWS failing: throttling within the client's retries costs nothing; an
// outage leaves reports pending, retried later, never lost, never doubled;
// concurrent rounds send each hour once.
func TestUsageReportingSurvivesAWSFaults(t *testing.T) {
	t.Parallel()
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newUsageEnv(t, b)
		fault := func(typ string, n int) {
			e.c.Do(t, "POST", emu+"/faults", obj{"operation": "BatchMeterUsage", "error": typ, "count": n}).Want(t, http.StatusCreated)
		}
		e.use(t, e.t0.Add(10*time.Minute), 2)
		e.use(t, e.t0.Add(70*time.Minute), 9)

		e.clk.Set(e.t0.Add(time.Hour + 15*time.Minute))
		fault("ThrottlingException", 2)
		if r := e.run(t); r["sent"] != 1 {
			t.Fatalf("round with 2 throttles = %v, want 1 sent (retried by the client)", r)
		}

		e.clk.Set(e.t0.Add(2*time.Hour + 15*time.Minute))
		fault("InternalServiceErrorException", 50)
		if r := e.run(t); r["pending"] != 1 || r["sent"] != 0 {
			t.Fatalf("round during an outage = %v, want 1 pending", r)
		}
		if r := e.run(t); r["pending"] != 0 || r["sent"] != 0 {
			t.Fatalf("immediate retry = %v: a pending report must wait for its backoff", r)
		}
		e.c.Do(t, "DELETE", emu+"/faults", nil).Want(t, http.StatusOK)
		e.clk.Add(2 * time.Minute)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { e.run(t) })
		}
		wg.Wait()
		want := map[string]int64{hourKey(e.t0): 2, hourKey(e.t0.Add(time.Hour)): 9}
		if got := e.received(t); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("AWS received %v, want %v", got, want)
		}

		// A report that cannot be sent within AWS's 24 hours expires.
		e.use(t, e.t0.Add(130*time.Minute), 1)
		e.clk.Set(e.t0.Add(3*time.Hour + 15*time.Minute))
		fault("InternalServiceErrorException", 50)
		e.run(t)
		e.c.Do(t, "DELETE", emu+"/faults", nil).Want(t, http.StatusOK)
		e.clk.Set(e.t0.Add(27 * time.Hour))
		if r := e.run(t); r["expired"] != 1 {
			t.Fatalf("round after 24 hours = %v, want 1 expired", r)
		}
	})
}

// Bad input to the usage routes.
func TestUsageBadInput(t *testing.T) {
	t.Parallel()
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		c := apitest.NewServerWith(t, b.DB, apitest.Options{UsageJobs: true}).NewSaaS(t)
		c.Do(t, "PUT", P+"/metering-dimensions", obj{"metering_unit_name": "nope", "dimension": "x"}).WantError(t, 400, "invalid_request", "metering_unit_name")
		c.Do(t, "PUT", P+"/metering-dimensions", obj{"metering_unit_name": "nope", "dimension": "not valid!"}).WantError(t, 400, "invalid_request", "dimension")
		c.Do(t, "DELETE", P+"/metering-dimensions/nope", nil).WantError(t, 404, "not_found")
		c.Do(t, "GET", P+"/usage-reports?limit=0", nil).WantError(t, 400, "invalid_request")
		// The round's domain error comes back from the job as it is.
		c.Do(t, "POST", P+"/usage-reports/run", nil).WantError(t, 409, "aws_settings_incomplete")
		// A server without background jobs runs no round.
		apitest.NewServer(t, b.DB).NewSaaS(t).Do(t, "POST", P+"/usage-reports/run", nil).WantError(t, 503, "unavailable")
	})
}

// A buyer who leaves: the hour they left in is reported a grace after
// they left, not after the hour ends, so that it reaches AWS within the
// hour AWS allows for final usage; nothing after it is reported.
func TestFinalUsageAfterUnsubscribe(t *testing.T) {
	t.Parallel()
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newUsageEnv(t, b)
		e.use(t, e.t0.Add(10*time.Minute), 5)
		e.use(t, e.t0.Add(65*time.Minute), 2)
		e.clk.Set(e.t0.Add(time.Hour + 20*time.Minute))
		if r := e.run(t); r["sent"] != 1 {
			t.Fatalf("round = %v, want hour 0 sent", r)
		}
		e.clk.Set(e.t0.Add(time.Hour + 25*time.Minute))
		okEmpty2(t, e.c, "POST", emu+"/purchases/"+e.x["customer"]+"/cancel", nil)
		e.c.Do(t, "POST", P+"/customers/"+e.x["customer"]+"/sync", nil).Want(t, http.StatusOK)
		e.clk.Set(e.t0.Add(time.Hour + 40*time.Minute)) // hour 1 has not ended, but the buyer left 15 minutes ago
		if r := e.run(t); r["sent"] != 1 {
			t.Fatalf("round after leaving = %v, want the final hour sent", r)
		}
		want := map[string]int64{hourKey(e.t0): 5, hourKey(e.t0.Add(time.Hour)): 2}
		if got := e.received(t); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("AWS accepted %v, want %v (the final hour within AWS's final hour)", got, want)
		}
		e.use(t, e.t0.Add(150*time.Minute), 9) // after leaving: never reported
		e.clk.Set(e.t0.Add(4 * time.Hour))
		if r := e.run(t); r["closed"] != 0 || r["sent"] != 0 {
			t.Fatalf("round later = %v, want nothing after the buyer left", r)
		}
	})
}
