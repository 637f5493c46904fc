package azureapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestV1Lifecycle drives the 2017-04-15 API: resolve, asynchronous
// subscribe (dry run), operation polling with v1 spellings, 409 while an
// operation runs, eTag and If-Match, change plan, unsubscribe, list, and
// the v1 webhooks in the seed's "table" vocabulary.
func TestV1Lifecycle(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		e.admin.Do(t, "PUT", "/azure/_emulator/settings", map[string]any{"webhook_api_version": "2017-04-15",
			"v1_actions": "table", "operation_delay_ms": 3000}).Want(t, http.StatusOK)
		tok, id := e.purchase("silver", 0)
		res := e.call("POST", "/api/saas/subscriptions/resolve?"+v1, nil, "x-ms-marketplace-token", tok).want(t, 200)
		if res.header.Get("x-ms-activityid") == "" {
			t.Errorf("no x-ms-activityid")
		}
		if m := res.json(t); m["id"] != id || m["subscriptionName"] != "Fabrikam silver" || m["planId"] != "silver" || len(m) != 4 {
			t.Errorf("resolve = %v", m)
		}
		get := func() (map[string]any, string) {
			r := e.call("GET", "/api/saas/subscriptions/"+id+"?"+v1, nil).want(t, 200)
			return r.json(t), r.header.Get("eTag")
		}
		s, etag := get()
		if s["saasSubscriptionStatus"] != "Pending" || s["saasSubscriptionName"] != "Fabrikam silver" || etag == "" {
			t.Errorf("subscription = %v, eTag %q", s, etag)
		}
		e.call("PUT", "/api/saas/subscriptions/"+id+"?"+v1, map[string]any{"planId": "silver"}, "If-Match", `"999"`).want(t, 412)
		r := e.call("PUT", "/api/saas/subscriptions/"+id+"?"+v1, map[string]any{"planId": "silver"},
			"If-Match", etag, "x-ms-marketplace-session-mode", "dryrun").want(t, 202)
		loc := r.header.Get("Operation-Location")
		if !strings.HasPrefix(loc, e.s.URL+"/api/saas/operations/") || r.header.Get("Retry-After") == "" {
			t.Fatalf("Operation-Location %q Retry-After %q", loc, r.header.Get("Retry-After"))
		}
		op := e.call("GET", strings.TrimPrefix(loc, e.s.URL), nil).want(t, 200)
		if m := op.json(t); m["status"] != "In Progress" || op.header.Get("Retry-After") == "" {
			t.Errorf("operation = %v", m)
		}
		e.call("PATCH", "/api/saas/subscriptions/"+id+"?"+v1, map[string]any{"planId": "gold"}).want(t, 409)
		e.clock.Advance(4 * time.Second)
		m := e.call("GET", strings.TrimPrefix(loc, e.s.URL), nil).want(t, 200).json(t)
		if m["status"] != "Succeeded" || !strings.Contains(m["resourceLocation"].(string), "/api/saas/subscriptions/"+id) {
			t.Errorf("operation = %v", m)
		}
		if s, _ := get(); s["saasSubscriptionStatus"] != "Subscribed" {
			t.Errorf("after subscribe = %v", s)
		}
		if v2s := e.subscription(id); v2s["sessionMode"] != "DryRun" {
			t.Errorf("dry run not recorded: %v", v2s)
		}

		r = e.call("PATCH", "/api/saas/subscriptions/"+id+"?"+v1, map[string]any{"planId": "gold"}).want(t, 202)
		e.clock.Advance(4 * time.Second)
		if s, _ := get(); s["planId"] != "gold" {
			t.Errorf("after change = %v", s)
		}
		r = e.call("DELETE", "/api/saas/subscriptions/"+id+"?"+v1, nil).want(t, 202)
		e.clock.Advance(4 * time.Second)
		m = e.call("GET", strings.TrimPrefix(r.header.Get("Operation-Location"), e.s.URL), nil).want(t, 200).json(t)
		if _, has := m["resourceLocation"]; m["status"] != "Succeeded" || has {
			t.Errorf("unsubscribe operation = %v", m)
		}
		var list []map[string]any
		_ = jsonUnmarshal(e.call("GET", "/api/saas/subscriptions?"+v1, nil).want(t, 200).raw, &list)
		if len(list) != 1 || list[0]["saasSubscriptionStatus"] != "Unsubscribed" {
			t.Errorf("list = %v", list)
		}
		// Deactivated is v1's own status.
		id2 := e.active("silver", 0)
		e.customer(id2, map[string]any{"action": "Deactivate"})
		if s := e.call("GET", "/api/saas/subscriptions/"+id2+"?"+v1, nil).want(t, 200).json(t); s["saasSubscriptionStatus"] != "Deactivated" {
			t.Errorf("deactivated = %v", s)
		}
		if s := e.subscription(id2); s["saasSubscriptionStatus"] != "Suspended" {
			t.Errorf("deactivated in v2 = %v", s)
		}

		// Webhooks are in order per subscription; the two subscriptions'
		// may interleave.
		calls := e.hook.wait(t, 4)
		bySub := map[any][]string{}
		for i, call := range calls[:4] {
			c := call.body
			if c["operationRequestSource"] == nil || c["subscriptionId"] == nil || c["subscription"] != nil {
				t.Errorf("v1 webhook %d = %v: want operationRequestSource and subscriptionId, no subscription", i, c)
			}
			action, _ := c["action"].(string)
			bySub[c["subscriptionId"]] = append(bySub[c["subscriptionId"]], action)
		}
		if got := strings.Join(bySub[id], ","); got != "Activate,Update,Delete" {
			t.Errorf("v1 webhooks of %s = %s, want Activate,Update,Delete", id, got)
		}
		if got := strings.Join(bySub[id2], ","); got != "Suspend" {
			t.Errorf("v1 webhooks of %s = %s, want Suspend", id2, got)
		}
	})
}

// TestV1SampleVocabulary: the seed's other v1 action names (its JSON
// sample), v1's Suspended status, a v1 operation that Failed, and the
// admin route's v1 action names.
func TestV1SampleVocabulary(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		e.admin.Do(t, "PUT", "/azure/_emulator/settings", map[string]any{"webhook_api_version": "2017-04-15",
			"v1_actions": "sample"}).Want(t, http.StatusOK)
		_, id := e.purchase("silver", 0)
		e.call("PUT", "/api/saas/subscriptions/"+id+"?"+v1, map[string]any{"planId": "silver"}).want(t, 202)
		e.customer(id, map[string]any{"action": "Suspend"})
		if s := e.call("GET", "/api/saas/subscriptions/"+id+"?"+v1, nil).want(t, 200).json(t); s["saasSubscriptionStatus"] != "Suspended" {
			t.Errorf("suspended = %v", s)
		}
		e.customer(id, map[string]any{"action": "Reinstate"})
		e.customer(id, map[string]any{"action": "Renew"})
		e.customer(id, map[string]any{"action": "Update", "plan_id": "gold"}) // v1's name of ChangePlan
		e.clock.Advance(11 * time.Second)                                     // accepted without an answer
		if s := e.call("GET", "/api/saas/subscriptions/"+id+"?"+v1, nil).want(t, 200).json(t); s["planId"] != "gold" {
			t.Errorf("after Update = %v", s)
		}
		// A publisher change still running when the customer unsubscribes
		// fails.
		e.admin.Do(t, "PUT", "/azure/_emulator/settings", map[string]any{"operation_delay_ms": 5000}).Want(t, http.StatusOK)
		r := e.call("PATCH", "/api/saas/subscriptions/"+id+"?"+v1, map[string]any{"planId": "silver"}).want(t, 202)
		e.customer(id, map[string]any{"action": "Delete"}) // v1's name of Unsubscribe
		if m := e.call("GET", strings.TrimPrefix(r.header.Get("Operation-Location"), e.s.URL), nil).want(t, 200).json(t); m["status"] != "Failed" {
			t.Errorf("operation of an unsubscribed subscription = %v, want Failed", m)
		}
		if s := e.call("GET", "/api/saas/subscriptions/"+id+"?"+v1, nil).want(t, 200).json(t); s["saasSubscriptionStatus"] != "Unsubscribed" || s["planId"] != "gold" {
			t.Errorf("after Delete = %v", s)
		}
		// The failed change is notified too (v1 bodies carry no status).
		var got []string
		for _, c := range e.hook.wait(t, 7) {
			got = append(got, c.body["action"].(string)+"/"+c.body["operationRequestSource"].(string))
		}
		if want := "Subscribe/Partner,Suspend/Azure,Reinstate/Azure,Renew/Azure,ChangePlan/Azure,ChangePlan/Partner,Unsubscribe/Azure"; strings.Join(got, ",") != want {
			t.Errorf("v1 webhooks %s, want %s", strings.Join(got, ","), want)
		}
	})
}
