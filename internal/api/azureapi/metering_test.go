package azureapi_test

import (
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestMetering: one event per resource, dimension and hour (409 with the
// accepted event), the 24-hour window, per-event batch results, the
// usage report.
func TestMetering(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		id := e.active("gold", 3)
		_, pending := e.purchase("gold", 1)
		now := e.clock.Now().UTC()
		at := now.Add(-2 * time.Hour).Truncate(time.Hour).Add(17 * time.Minute)
		ev := func(mut func(map[string]any)) map[string]any {
			m := map[string]any{"resourceId": id, "quantity": 5.5, "dimension": "emails",
				"effectiveStartTime": at.Format("2006-01-02T15:04:05"), "planId": "gold"}
			if mut != nil {
				mut(m)
			}
			return m
		}
		ok := e.call("POST", "/api/usageEvent?"+v2, ev(nil)).want(t, 200).json(t)
		if ok["status"] != "Accepted" || ok["usageEventId"] == nil || ok["quantity"] != 5.5 || ok["resourceId"] != id {
			t.Errorf("accepted = %v", ok)
		}
		// The same hour again, another quantity and minute: duplicate.
		dup := e.call("POST", "/api/usageEvent?"+v2, ev(func(m map[string]any) {
			m["quantity"] = 1
			m["effectiveStartTime"] = at.Add(30 * time.Minute).Format(time.RFC3339)
		})).want(t, 409).json(t)
		acc, _ := dup["additionalInfo"].(map[string]any)["acceptedMessage"].(map[string]any)
		if dup["code"] != "Conflict" || dup["message"] != "This usage event already exist." || acc["status"] != "Duplicate" ||
			acc["usageEventId"] != ok["usageEventId"] || acc["quantity"] != 5.5 {
			t.Errorf("duplicate = %v", dup)
		}
		for _, tc := range []struct {
			name, code string
			mut        func(map[string]any)
		}{
			{"expired", "Expired", func(m map[string]any) { m["effectiveStartTime"] = now.Add(-25 * time.Hour).Format(time.RFC3339) }},
			{"future", "BadArgument", func(m map[string]any) { m["effectiveStartTime"] = now.Add(time.Hour).Format(time.RFC3339) }},
			{"no resource", "BadArgument", func(m map[string]any) { delete(m, "resourceId") }},
			{"unknown resource", "ResourceNotFound", func(m map[string]any) { m["resourceId"] = "nope" }},
			{"not active", "ResourceNotActive", func(m map[string]any) { m["resourceId"] = pending }},
			{"other plan", "BadArgument", func(m map[string]any) { m["planId"] = "silver" }},
			{"unknown dimension", "InvalidDimension", func(m map[string]any) { m["dimension"] = "sms" }},
			{"zero quantity", "InvalidQuantity", func(m map[string]any) { m["quantity"] = 0 }},
			{"bad time", "BadArgument", func(m map[string]any) { m["effectiveStartTime"] = "yesterday" }},
		} {
			r := e.call("POST", "/api/usageEvent?"+v2, ev(tc.mut)).want(t, 400).json(t)
			details, _ := r["details"].([]any)
			if r["code"] != "BadArgument" || r["target"] != "usageEventRequest" || len(details) != 1 || details[0].(map[string]any)["code"] != tc.code {
				t.Errorf("%s: %v", tc.name, r)
			}
		}

		// Batch: per-event statuses, at most 25 events.
		batch := []map[string]any{
			ev(func(m map[string]any) { m["effectiveStartTime"] = at.Add(time.Hour).Format(time.RFC3339) }),
			ev(nil), // duplicate
			ev(func(m map[string]any) { m["dimension"] = "sms" }),
		}
		res := e.call("POST", "/api/batchUsageEvent?"+v2, map[string]any{"request": batch}).want(t, 200).json(t)
		results := res["result"].([]any)
		if res["count"] != 3.0 || len(results) != 3 {
			t.Fatalf("batch = %v", res)
		}
		for i, want := range []string{"Accepted", "Duplicate", "InvalidDimension"} {
			r := results[i].(map[string]any)
			if r["status"] != want || (want != "Accepted" && r["error"] == nil) {
				t.Errorf("batch result %d = %v, want %s", i, r, want)
			}
		}
		var many []map[string]any
		for range 26 {
			many = append(many, ev(nil))
		}
		e.call("POST", "/api/batchUsageEvent?"+v2, map[string]any{"request": many}).want(t, 400)

		// The report: one line per day, resource and dimension.
		lines := e.call("GET", "/api/usageEvents?usageStartDate="+now.AddDate(0, 0, -2).Format(time.DateOnly)+"&"+v2, nil).want(t, 200)
		var got []map[string]any
		_ = jsonUnmarshal(lines.raw, &got)
		total, count := 0.0, 0.0
		for _, l := range got {
			if l["usageResourceId"] == id {
				total += l["submittedQuantity"].(float64)
				count += l["submittedCount"].(float64)
			}
		}
		if total != 11 || count != 2 {
			t.Errorf("report %v: total %v count %v, want 11 and 2", got, total, count)
		}
		e.call("GET", "/api/usageEvents?"+v2, nil).want(t, 400)
	})
}
