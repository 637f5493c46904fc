package azuremarketplaceapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// Every closed hour of a linked meter is sent once per subscription and
// dimension, accepted by the metering API; a round again sends nothing; an
// unavailable API leaves the report pending until it answers.
func TestUsageIsReportedOncePerHour(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t0 := time.Now().UTC().Truncate(time.Hour).Add(-6 * time.Hour)
		clk := apitest.NewClock(t0.Add(5 * time.Minute))
		srv := apitest.NewServerWith(t, b.DB, apitest.Options{Now: clk.Now})
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
