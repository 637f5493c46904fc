package azuremarketplaceapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

// Every closed hour of a linked meter is sent once per subscription and
// dimension, accepted by the metering API; a round again sends nothing; an
// unavailable API leaves the report pending until it answers.
func TestUsageIsReportedOncePerHour(t *testing.T) {
	t.Parallel()
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		t0 := time.Now().UTC().Truncate(time.Hour).Add(-6 * time.Hour)
		clk := apitest.NewClock(t0.Add(5 * time.Minute))
		srv := apitest.NewServerWith(t, b.DB, apitest.Options{Now: clk.Now, UsageJobs: true})
		s := newSeller(t, srv)
		c := s.c
		c.Do(t, "POST", "/v1/pricing/metering/units", obj{"unit_name": "mails", "display_name": "Mails", "description": "e-mails sent"}).Want(t, http.StatusCreated)
		c.OKEmpty(t, "PUT", P+"/metering-dimensions", obj{"metering_unit_name": "mails", "dimension": "emails"})
		c.Do(t, "PUT", P+"/metering-dimensions", obj{"metering_unit_name": "nope", "dimension": "emails"}).WantError(t, 400, "invalid_request", "metering_unit_name")
		got := c.Do(t, "GET", P+"/metering-dimensions", nil).Want(t, 200).JSON(t)["metering_dimensions"].([]any)
		if len(got) != 1 {
			t.Fatalf("metering dimensions = %v", got)
		}
		subID, tenantID := s.activated(t, "gold", 5)
		use := func(at time.Time, n int) {
			c.Do(t, "PUT", fmt.Sprintf("/v1/pricing/metering/tenants/%s/units/mails/timestamp/%d", tenantID, at.Unix()),
				obj{"method": "add", "count": n}).Want(t, http.StatusOK)
		}
		run := func() map[string]int {
			var out map[string]int
			if err := json.Unmarshal(c.Do(t, "POST", P+"/usage-reports/run", nil).Want(t, 200).Body, &out); err != nil {
				t.Fatal(err)
			}
			return out
		}
		// What the metering API holds: quantity and events per dimension.
		received := func() (float64, int) {
			tok := c.Do(t, "POST", emu+"/token", nil).Want(t, http.StatusCreated).JSON(t)["access_token"].(string)
			h := http.Header{"Authorization": {"Bearer " + tok}}
			r := srv.Raw(t, "GET", "/api/usageEvents?api-version=2018-08-31&usageStartDate="+t0.Format(time.DateOnly), nil, h).Want(t, 200)
			var lines []struct {
				Dimension         string  `json:"dimension"`
				SubmittedQuantity float64 `json:"submittedQuantity"`
				SubmittedCount    int     `json:"submittedCount"`
			}
			r.Decode(t, &lines)
			var q float64
			n := 0
			for _, l := range lines {
				if l.Dimension == "emails" {
					q, n = q+l.SubmittedQuantity, n+l.SubmittedCount
				}
			}
			return q, n
		}
		use(t0.Add(10*time.Minute), 5)
		use(t0.Add(20*time.Minute), 7)
		use(t0.Add(70*time.Minute), 3)
		use(t0.Add(190*time.Minute), 4)

		clk.Set(t0.Add(3*time.Hour + 5*time.Minute))
		if r := run(); r["sent"] != 2 || r["pending"] != 0 || r["failed"] != 0 {
			t.Fatalf("first round = %v, want 2 sent", r)
		}
		if q, n := received(); q != 15 || n != 2 {
			t.Fatalf("the metering API holds %v in %d events, want 15 in 2", q, n)
		}
		if r := run(); r["closed"] != 0 || r["sent"] != 0 {
			t.Fatalf("second round = %v, want nothing", r)
		}
		// Unavailable: pending, then sent on a later round.
		c.Do(t, "POST", emu+"/faults", obj{"kind": "unavailable", "count": 20}).Want(t, http.StatusCreated)
		clk.Set(t0.Add(4*time.Hour + 15*time.Minute))
		if r := run(); r["pending"] != 1 || r["sent"] != 0 {
			t.Fatalf("round while unavailable = %v, want 1 pending", r)
		}
		c.Do(t, "DELETE", emu+"/faults", nil).Want(t, http.StatusOK)
		if r := run(); r["sent"] != 0 {
			t.Fatalf("round before the retry delay = %v, want nothing sent", r)
		}
		clk.Add(2 * time.Minute)
		if r := run(); r["sent"] != 1 {
			t.Fatalf("round after the retry delay = %v, want 1 sent", r)
		}
		if q, n := received(); q != 19 || n != 3 {
			t.Fatalf("the metering API holds %v in %d events, want 19 in 3", q, n)
		}
		var reps struct {
			UsageReports []struct {
				Status, Result, Hour string
				Quantity             int64
				Attempts             int
			} `json:"usage_reports"`
		}
		c.Do(t, "GET", P+"/usage-reports?subscription_id="+subID, nil).Want(t, 200).Decode(t, &reps)
		byStatus := map[string]int{}
		for _, r := range reps.UsageReports {
			byStatus[r.Status+"/"+r.Result]++
		}
		if byStatus["sent/Accepted"] != 3 || byStatus["empty/"] == 0 || len(byStatus) != 2 {
			t.Errorf("reports by status = %v, want 3 sent/Accepted and empty hours", byStatus)
		}
		c.Do(t, "DELETE", P+"/metering-dimensions/mails", nil).Want(t, 200)
		c.Do(t, "DELETE", P+"/metering-dimensions/mails", nil).WantError(t, 404, "not_found")
	})
}

// meteredSeller is a seller whose meter "mails" is linked to the
// dimension "emails" of the Azure plan gold.
func meteredSeller(t *testing.T, srv *apitest.Server) *seller {
	t.Helper()
	s := newSeller(t, srv)
	s.c.Do(t, "POST", "/v1/pricing/metering/units", obj{"unit_name": "mails", "display_name": "Mails", "description": "e-mails sent"}).Want(t, http.StatusCreated)
	s.c.OKEmpty(t, "PUT", P+"/metering-dimensions", obj{"metering_unit_name": "mails", "dimension": "emails"})
	return s
}

// use adds n to the tenant's meter at the given time.
func (s *seller) use(t *testing.T, tenantID string, at time.Time, n int) {
	t.Helper()
	s.c.Do(t, "PUT", fmt.Sprintf("/v1/pricing/metering/tenants/%s/units/mails/timestamp/%d", tenantID, at.Unix()),
		obj{"method": "add", "count": n}).Want(t, http.StatusOK)
}

// runUsage runs one reporting round through the API.
func (s *seller) runUsage(t *testing.T) map[string]int {
	t.Helper()
	var out map[string]int
	if err := json.Unmarshal(s.c.Do(t, "POST", P+"/usage-reports/run", nil).Want(t, 200).Body, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// meteringToken is a bearer token of the SaaS's publisher identity.
func (s *seller) meteringToken(t *testing.T) string {
	t.Helper()
	return s.c.Do(t, "POST", emu+"/token", nil).Want(t, http.StatusCreated).JSON(t)["access_token"].(string)
}

// received returns what the metering API holds for the dimension emails
// since the day of from: the quantity and the number of events.
func (s *seller) received(t *testing.T, from time.Time) (float64, int) {
	t.Helper()
	h := http.Header{"Authorization": {"Bearer " + s.meteringToken(t)}}
	r := s.c.Server.Raw(t, "GET", "/api/usageEvents?api-version=2018-08-31&usageStartDate="+from.Format(time.DateOnly), nil, h).Want(t, 200)
	var lines []struct {
		Dimension         string  `json:"dimension"`
		SubmittedQuantity float64 `json:"submittedQuantity"`
		SubmittedCount    int     `json:"submittedCount"`
	}
	r.Decode(t, &lines)
	var q float64
	n := 0
	for _, l := range lines {
		if l.Dimension == "emails" {
			q, n = q+l.SubmittedQuantity, n+l.SubmittedCount
		}
	}
	return q, n
}

type usageReport struct {
	SubscriptionID string `json:"subscription_id"`
	Status         string `json:"status"`
	Result         string `json:"result"`
	Hour           string `json:"hour"`
	Quantity       int64  `json:"quantity"`
	Attempts       int    `json:"attempts"`
	LastError      string `json:"last_error"`
}

func (s *seller) usageReports(t *testing.T) []usageReport {
	t.Helper()
	var reps struct {
		UsageReports []usageReport `json:"usage_reports"`
	}
	s.c.Do(t, "GET", P+"/usage-reports", nil).Want(t, 200).Decode(t, &reps)
	return reps.UsageReports
}

// byStatus counts the non-empty reports by status/result.
func byStatus(reps []usageReport) map[string]int {
	out := map[string]int{}
	for _, r := range reps {
		if r.Status != "empty" {
			out[r.Status+"/"+r.Result]++
		}
	}
	return out
}

// The metering API's Duplicate answer (an earlier attempt got through,
// its answer was lost) counts as sent, and nothing is billed twice; a
// report that could not be sent within the 24-hour window is expired, not
// sent.
func TestUsageDuplicateAndExpired(t *testing.T) {
	t.Parallel()
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		t0 := time.Now().UTC().Truncate(time.Hour).Add(-6 * time.Hour)
		clk := apitest.NewClock(t0.Add(5 * time.Minute))
		srv := apitest.NewServerWith(t, b.DB, apitest.Options{Now: clk.Now, UsageJobs: true})
		s := meteredSeller(t, srv)
		subID, tenantID := s.activated(t, "gold", 5)
		s.use(t, tenantID, t0.Add(10*time.Minute), 5)
		s.use(t, tenantID, t0.Add(70*time.Minute), 3)
		s.use(t, tenantID, t0.Add(130*time.Minute), 4)

		// The hour t0 already reached the API.
		h := http.Header{"Authorization": {"Bearer " + s.meteringToken(t)}}
		srv.Raw(t, "POST", "/api/usageEvent?api-version=2018-08-31", apitest.Encode(t, obj{"resourceId": subID, "quantity": 5,
			"dimension": "emails", "effectiveStartTime": t0.Format(time.RFC3339), "planId": "gold"}), h).Want(t, 200)

		clk.Set(t0.Add(2*time.Hour + 15*time.Minute))
		if r := s.runUsage(t); r["sent"] != 2 || r["pending"] != 0 || r["failed"] != 0 {
			t.Fatalf("round = %v, want 2 sent", r)
		}
		if got := byStatus(s.usageReports(t)); got["sent/Duplicate"] != 1 || got["sent/Accepted"] != 1 || len(got) != 2 {
			t.Errorf("reports = %v, want one sent/Duplicate and one sent/Accepted", got)
		}
		if q, n := s.received(t, t0); q != 8 || n != 2 {
			t.Errorf("the metering API holds %v in %d events, want 8 in 2", q, n)
		}

		// The hour t0+2h cannot be sent until it is more than 24 hours old.
		s.c.Do(t, "POST", emu+"/faults", obj{"kind": "unavailable", "count": 100}).Want(t, http.StatusCreated)
		clk.Set(t0.Add(3*time.Hour + 15*time.Minute))
		if r := s.runUsage(t); r["pending"] != 1 || r["sent"] != 0 {
			t.Fatalf("round while unavailable = %v, want 1 pending", r)
		}
		s.c.Do(t, "DELETE", emu+"/faults", nil).Want(t, http.StatusOK)
		clk.Set(t0.Add(26*time.Hour + 1*time.Minute))
		if r := s.runUsage(t); r["expired"] != 1 || r["sent"] != 0 || r["pending"] != 0 {
			t.Fatalf("round after the window = %v, want 1 expired", r)
		}
		var expired []usageReport
		for _, r := range s.usageReports(t) {
			if r.Status == "expired" {
				expired = append(expired, r)
			}
		}
		if len(expired) != 1 || expired[0].Quantity != 4 || expired[0].LastError == "" {
			t.Errorf("expired reports = %+v, want the hour of 4", expired)
		}
		if _, n := s.received(t, t0); n != 2 {
			t.Errorf("the metering API holds %d events, want 2 (the expired hour not sent)", n)
		}
		// Nothing left to do.
		if r := s.runUsage(t); r["sent"]+r["pending"]+r["expired"]+r["failed"] != 0 {
			t.Errorf("a further round = %v, want nothing", r)
		}
	})
}

// Rounds asked for at once, through two nodes of one database, are one
// job at a time per SaaS: nothing is sent twice.
func TestUsageConcurrentReporters(t *testing.T) {
	t.Parallel()
	forEachSharedDatabase(t, func(t *testing.T, db1, db2 *store.DB) {
		t0 := time.Now().UTC().Truncate(time.Hour).Add(-8 * time.Hour)
		clk := apitest.NewClock(t0.Add(5 * time.Minute))
		srv := apitest.NewServerWith(t, db1, apitest.Options{Now: clk.Now, UsageJobs: true})
		srv2 := apitest.NewServerWith(t, db2, apitest.Options{Now: clk.Now, UsageJobs: true})
		s := meteredSeller(t, srv)
		const subs, hours = 3, 6
		for range subs {
			_, tenantID := s.activated(t, "gold", 5)
			for h := range hours {
				s.use(t, tenantID, t0.Add(time.Duration(h)*time.Hour+10*time.Minute), h+1)
			}
		}
		clk.Set(t0.Add(hours*time.Hour + 15*time.Minute))
		other := s.c // the same SaaS, through the second node
		other.Server = srv2
		var wg sync.WaitGroup
		for i := range 8 {
			c := s.c
			if i%2 == 1 {
				c = other
			}
			wg.Go(func() {
				var r map[string]int
				if err := json.Unmarshal(c.Do(t, "POST", P+"/usage-reports/run", nil).Want(t, 200).Body, &r); err != nil {
					t.Error(err)
				}
				if r["failed"]+r["expired"] != 0 {
					t.Errorf("round %d = %v", i, r)
				}
			})
		}
		wg.Wait()
		// Every round that ran found what the one before it left: a last
		// one finds nothing to close or send.
		if r := s.runUsage(t); r["closed"]+r["sent"]+r["pending"] != 0 {
			t.Errorf("a last round = %v, want nothing left", r)
		}
		if got := byStatus(s.usageReports(t)); got["sent/Accepted"] != subs*hours || len(got) != 1 {
			t.Errorf("reports = %v, want %d sent/Accepted (no Duplicate: nothing sent twice)", got, subs*hours)
		}
		if q, n := s.received(t, t0); n != subs*hours || q != subs*hours*(hours+1)/2 {
			t.Errorf("the metering API holds %v in %d events, want %d in %d", q, n, subs*hours*(hours+1)/2, subs*hours)
		}
	})
}

// forEachSharedDatabase runs fn on a database of the test's own, with two
// handles of it: on SQLite the same one, on PostgreSQL two pools, as two
// processes would have.
func forEachSharedDatabase(t *testing.T, fn func(t *testing.T, db1, db2 *store.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		db := apitest.OpenSQLite(t)
		fn(t, db, db)
	})
	if os.Getenv(apitest.PostgresEnv) == "" {
		t.Logf("%s is not set: PostgreSQL backend SKIPPED", apitest.PostgresEnv)
		return
	}
	t.Run("postgres", func(t *testing.T) {
		u := storetest.PostgresURL(t)
		open := func() *store.DB {
			db, err := store.OpenPostgres(context.Background(), u)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}
		db1, db2 := open(), open()
		if _, err := db1.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		fn(t, db1, db2)
	})
}
