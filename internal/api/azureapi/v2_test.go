package azureapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestV2Lifecycle drives one subscription through the v2 API end to end:
// resolve, activate, publisher and customer changes, suspension,
// reinstatement, renewal, cancellation, with the webhooks each sends.
func TestV2Lifecycle(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		tok, id := e.purchase("gold", 5)
		if !strings.ContainsAny(tok, "+/=") {
			t.Logf("token %q has no character to URL-decode", tok)
		}

		// Resolve: the landing page URL-decodes the token.
		landing := "https://isv.example/landing?token=" + url.QueryEscape(tok)
		u, _ := url.Parse(landing)
		r := e.call("POST", "/api/saas/subscriptions/resolve?"+v2, nil, "x-ms-marketplace-token", u.Query().Get("token"),
			"x-ms-requestid", "req-1", "x-ms-correlationid", "corr-1").want(t, 200)
		if r.header.Get("x-ms-requestid") != "req-1" || r.header.Get("x-ms-correlationid") != "corr-1" {
			t.Errorf("correlation headers not echoed: %v", r.header)
		}
		res := r.json(t)
		sub, _ := res["subscription"].(map[string]any)
		if res["id"] != id || res["offerId"] != "contoso-app" || res["planId"] != "gold" || res["quantity"] != 5.0 ||
			res["subscriptionName"] != "Fabrikam gold" || sub["saasSubscriptionStatus"] != "PendingFulfillmentStart" {
			t.Errorf("resolve = %v", res)
		}
		// A token sent still URL-encoded is not the token.
		if tok != url.QueryEscape(tok) {
			e.call("POST", "/api/saas/subscriptions/resolve?"+v2, nil, "x-ms-marketplace-token", url.QueryEscape(tok)).want(t, 400)
		}
		e.call("POST", "/api/saas/subscriptions/resolve?"+v2, nil).want(t, 400)

		// Plans: public ones and the current one; a private plan by id.
		plans := e.call("GET", "/api/saas/subscriptions/"+id+"/listAvailablePlans?"+v2, nil).want(t, 200).json(t)["plans"].([]any)
		if len(plans) != 2 || plans[0].(map[string]any)["planId"] != "gold" || plans[1].(map[string]any)["planId"] != "silver" {
			t.Errorf("plans = %v", plans)
		}
		gold := plans[0].(map[string]any)
		dims := gold["planComponents"].(map[string]any)["meteringDimensions"].([]any)
		if gold["isPricePerSeat"] != true || gold["maxQuantity"] != 50.0 || len(dims) != 1 || dims[0].(map[string]any)["id"] != "emails" {
			t.Errorf("gold = %v", gold)
		}
		vip := e.call("GET", "/api/saas/subscriptions/"+id+"/listAvailablePlans?planId=vip&"+v2, nil).want(t, 200).json(t)["plans"].([]any)
		if len(vip) != 1 {
			t.Errorf("private plan by id = %v", vip)
		}

		// Activate: the purchased plan and quantity only, once.
		for _, bad := range []map[string]any{{}, {"planId": "silver"}, {"planId": "gold", "quantity": 4}} {
			e.call("POST", "/api/saas/subscriptions/"+id+"/activate?"+v2, bad).want(t, 400)
		}
		if r := e.call("POST", "/api/saas/subscriptions/"+id+"/activate?"+v2, map[string]any{"planId": "gold", "quantity": 5}).want(t, 200); len(r.raw) != 0 {
			t.Errorf("activate body %q, want none", r.raw)
		}
		e.call("POST", "/api/saas/subscriptions/"+id+"/activate?"+v2, map[string]any{"planId": "gold"}).want(t, 400)
		s := e.subscription(id)
		term := s["term"].(map[string]any)
		if s["saasSubscriptionStatus"] != "Subscribed" || term["termUnit"] != "P1M" || term["startDate"] == nil || term["startDate"] == term["endDate"] {
			t.Errorf("after activate = %v", s)
		}

		// Publisher change of quantity: 202, the operation succeeds, the
		// webhook says so with source Partner.
		r = e.call("PATCH", "/api/saas/subscriptions/"+id+"?"+v2, map[string]any{"quantity": 7}).want(t, 202)
		loc := r.header.Get("Operation-Location")
		if !strings.HasPrefix(loc, e.s.URL+"/api/saas/subscriptions/"+id+"/operations/") || !strings.HasSuffix(loc, "?"+v2) {
			t.Fatalf("Operation-Location %q", loc)
		}
		op := e.call("GET", strings.TrimPrefix(loc, e.s.URL), nil).want(t, 200).json(t)
		if op["status"] != "Succeeded" || op["action"] != "ChangeQuantity" || op["quantity"] != 7.0 || op["operationRequestSource"] != "Partner" {
			t.Errorf("operation = %v", op)
		}
		if q := e.subscription(id)["quantity"]; q != 7.0 {
			t.Errorf("quantity %v, want 7", q)
		}
		calls := e.hook.wait(t, 1)
		c := calls[0].body
		if c["action"] != "ChangeQuantity" || c["status"] != "Succeeded" || c["operationRequestSource"] != "Partner" ||
			c["id"] != op["id"] || c["subscriptionId"] != id || c["subscription"].(map[string]any)["quantity"] != 7.0 {
			t.Errorf("webhook = %v", c)
		}
		if _, ok := c["purchaseToken"]; !ok {
			t.Errorf("webhook has no purchaseToken field")
		}
		e.verifyWebhookToken(t, calls[0].header.Get("Authorization"))
		// Invalid publisher changes.
		for _, bad := range []map[string]any{{}, {"planId": "gold"}, {"planId": "nope"}, {"quantity": 51}, {"quantity": 7},
			{"planId": "silver", "quantity": 2}} {
			e.call("PATCH", "/api/saas/subscriptions/"+id+"?"+v2, bad).want(t, 400)
		}

		// Customer change of plan: InProgress webhook, outstanding, ACK.
		cust := e.customer(id, map[string]any{"action": "ChangePlan", "plan_id": "silver"})
		opID := cust["operation"].(map[string]any)["id"].(string)
		calls = e.hook.wait(t, 2)
		if c := calls[1].body; c["action"] != "ChangePlan" || c["status"] != "InProgress" || c["planId"] != "silver" || c["operationRequestSource"] != "Azure" {
			t.Errorf("webhook = %v", c)
		}
		ops := e.call("GET", "/api/saas/subscriptions/"+id+"/operations?"+v2, nil).want(t, 200).json(t)["operations"].([]any)
		if len(ops) != 1 || ops[0].(map[string]any)["id"] != opID {
			t.Errorf("outstanding = %v", ops)
		}
		// Another change waits for this one.
		e.call("PATCH", "/api/saas/subscriptions/"+id+"?"+v2, map[string]any{"quantity": 8}).want(t, 409)
		e.call("PATCH", "/api/saas/subscriptions/"+id+"/operations/"+opID+"?"+v2, map[string]any{"status": "Maybe"}).want(t, 400)
		e.call("PATCH", "/api/saas/subscriptions/"+id+"/operations/"+opID+"?"+v2, map[string]any{"status": "Success"}).want(t, 200)
		e.call("PATCH", "/api/saas/subscriptions/"+id+"/operations/"+opID+"?"+v2, map[string]any{"status": "Success"}).want(t, 409)
		if s := e.subscription(id); s["planId"] != "silver" || s["quantity"] != nil {
			t.Errorf("after ChangePlan = %v", s)
		}
		ops = e.call("GET", "/api/saas/subscriptions/"+id+"/operations?"+v2, nil).want(t, 200).json(t)["operations"].([]any)
		if len(ops) != 0 {
			t.Errorf("outstanding after ACK = %v", ops)
		}

		// Customer change rejected by the publisher.
		cust = e.customer(id, map[string]any{"action": "ChangePlan", "plan_id": "gold"})
		opID = cust["operation"].(map[string]any)["id"].(string)
		e.call("PATCH", "/api/saas/subscriptions/"+id+"/operations/"+opID+"?"+v2, map[string]any{"status": "Failure"}).want(t, 200)
		if s := e.subscription(id); s["planId"] != "silver" {
			t.Errorf("after a refused change = %v", s)
		}
		if op := e.call("GET", "/api/saas/subscriptions/"+id+"/operations/"+opID+"?"+v2, nil).want(t, 200).json(t); op["status"] != "Failed" {
			t.Errorf("refused operation = %v", op)
		}

		// Customer change never acknowledged: accepted after 10 s.
		cust = e.customer(id, map[string]any{"action": "ChangePlan", "plan_id": "gold"})
		opID = cust["operation"].(map[string]any)["id"].(string)
		e.clock.Advance(9 * time.Second)
		if op := e.call("GET", "/api/saas/subscriptions/"+id+"/operations/"+opID+"?"+v2, nil).json(t); op["status"] != "InProgress" {
			t.Errorf("after 9 s: %v", op)
		}
		e.clock.Advance(2 * time.Second)
		if op := e.call("GET", "/api/saas/subscriptions/"+id+"/operations/"+opID+"?"+v2, nil).json(t); op["status"] != "Succeeded" {
			t.Errorf("after 11 s: %v", op)
		}
		if s := e.subscription(id); s["planId"] != "gold" || s["quantity"] != 1.0 { // back to the plan's minimum
			t.Errorf("after auto-accept = %v", s)
		}

		// Suspend, reinstate, renew: applied at once, notified.
		n := len(e.hook.wait(t, 4))
		e.customer(id, map[string]any{"action": "Suspend"})
		if s := e.subscription(id); s["saasSubscriptionStatus"] != "Suspended" {
			t.Errorf("after Suspend = %v", s)
		}
		e.call("PATCH", "/api/saas/subscriptions/"+id+"?"+v2, map[string]any{"quantity": 9}).want(t, 400)
		e.admin.Do(t, "POST", "/azure/_emulator/subscriptions/"+id+"/actions", map[string]any{"action": "Suspend"}).Want(t, http.StatusConflict)
		e.customer(id, map[string]any{"action": "Reinstate"})
		before := e.subscription(id)["term"].(map[string]any)
		e.customer(id, map[string]any{"action": "Renew"})
		after := e.subscription(id)["term"].(map[string]any)
		if after["startDate"] == before["startDate"] {
			t.Errorf("renew did not roll the term: %v -> %v", before, after)
		}
		calls = e.hook.wait(t, n+3)
		for i, want := range []string{"Suspend", "Reinstate", "Renew"} {
			if c := calls[n+i].body; c["action"] != want || c["status"] != "Succeeded" || c["operationRequestSource"] != "Azure" {
				t.Errorf("webhook %d = %v, want %s Succeeded", i, c, want)
			}
		}
		if st := calls[n].body["subscription"].(map[string]any)["saasSubscriptionStatus"]; st != "Suspended" {
			t.Errorf("suspend webhook subscription status %v", st)
		}

		// Publisher cancellation.
		r = e.call("DELETE", "/api/saas/subscriptions/"+id+"?"+v2, nil).want(t, 202)
		if s := e.subscription(id); s["saasSubscriptionStatus"] != "Unsubscribed" {
			t.Errorf("after DELETE = %v", s)
		}
		calls = e.hook.wait(t, n+4)
		if c := calls[n+3].body; c["action"] != "Unsubscribe" || c["operationRequestSource"] != "Partner" {
			t.Errorf("delete webhook = %v", c)
		}
		e.call("POST", "/api/saas/subscriptions/"+id+"/activate?"+v2, map[string]any{"planId": "gold"}).want(t, 404)
		e.call("DELETE", "/api/saas/subscriptions/"+id+"?"+v2, nil).want(t, 400)
		e.call("GET", "/api/saas/subscriptions/"+id+"/operations/nope?"+v2, nil).want(t, 404)
		if r := e.call("GET", "/api/saas/subscriptions/nope?"+v2, nil).want(t, 404); r.code() != "EntityNotFound" {
			t.Errorf("404 body %s", r.raw)
		}
	})
}

// TestV2OperationInProgress: with an operation delay, a publisher change
// stays InProgress, blocks other changes (409), and completes later.
func TestV2OperationInProgress(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		e.admin.Do(t, "PUT", "/azure/_emulator/settings", map[string]any{"operation_delay_ms": 5000}).Want(t, 200)
		id := e.active("gold", 2)
		r := e.call("PATCH", "/api/saas/subscriptions/"+id+"?"+v2, map[string]any{"planId": "silver"}).want(t, 202)
		if r.header.Get("Retry-After") != "5" {
			t.Errorf("Retry-After %q, want 5", r.header.Get("Retry-After"))
		}
		path := strings.TrimPrefix(r.header.Get("Operation-Location"), e.s.URL)
		if op := e.call("GET", path, nil).want(t, 200).json(t); op["status"] != "InProgress" {
			t.Errorf("op = %v", op)
		}
		if r := e.call("PATCH", "/api/saas/subscriptions/"+id+"?"+v2, map[string]any{"quantity": 3}).want(t, 409); r.code() != "Conflict" {
			t.Errorf("409 body %s", r.raw)
		}
		e.call("DELETE", "/api/saas/subscriptions/"+id+"?"+v2, nil).want(t, 409)
		// A publisher's own operation takes no acknowledgement.
		opID := path[strings.LastIndex(path, "/")+1 : strings.Index(path, "?")]
		e.call("PATCH", "/api/saas/subscriptions/"+id+"/operations/"+opID+"?"+v2, map[string]any{"status": "Success"}).want(t, 400)
		e.clock.Advance(6 * time.Second)
		if op := e.call("GET", path, nil).want(t, 200).json(t); op["status"] != "Succeeded" {
			t.Errorf("op after the delay = %v", op)
		}
		if s := e.subscription(id); s["planId"] != "silver" {
			t.Errorf("subscription = %v", s)
		}
	})
}

// TestV2ListPaging: 100 subscriptions per page, @nextLink to the rest.
func TestV2ListPaging(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		want := map[string]bool{}
		for range 101 {
			_, id := e.purchase("silver", 0)
			want[id] = true
		}
		page := e.call("GET", "/api/saas/subscriptions?"+v2, nil).want(t, 200).json(t)
		first := page["subscriptions"].([]any)
		next, _ := page["@nextLink"].(string)
		if len(first) != 100 || !strings.HasPrefix(next, e.s.URL+"/api/saas/subscriptions?continuationToken=") || !strings.Contains(next, v2) {
			t.Fatalf("first page: %d subscriptions, @nextLink %q", len(first), next)
		}
		page = e.call("GET", strings.TrimPrefix(next, e.s.URL), nil).want(t, 200).json(t)
		second := page["subscriptions"].([]any)
		if _, more := page["@nextLink"]; len(second) != 1 || more {
			t.Fatalf("second page = %v", page)
		}
		for _, s := range append(first, second...) {
			delete(want, s.(map[string]any)["id"].(string))
		}
		if len(want) != 0 {
			t.Errorf("not listed: %v", want)
		}
		e.call("GET", "/api/saas/subscriptions?continuationToken=***&"+v2, nil).want(t, 400)
	})
}

// TestAPIVersion: a missing or unsupported api-version gets Azure's error.
func TestAPIVersion(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		for _, tc := range []struct{ path, code string }{
			{"/api/saas/subscriptions", "ApiVersionUnspecified"},
			{"/api/saas/subscriptions?api-version=2020-01-01", "UnsupportedApiVersion"},
			{"/api/usageEvents?" + v1, "UnsupportedApiVersion"},
			{"/api/usageEvents", "ApiVersionUnspecified"},
		} {
			r := e.call("GET", tc.path, nil).want(t, 400)
			var body struct {
				Error struct{ Code, Message string }
			}
			_ = jsonUnmarshal(r.raw, &body)
			if body.Error.Code != tc.code || body.Error.Message == "" {
				t.Errorf("%s: %s, want %s", tc.path, r.raw, tc.code)
			}
		}
		if r := e.call("GET", "/api/saas/nothing?"+v2, nil).want(t, 404); r.code() != "NotFound" {
			t.Errorf("unknown route: %s", r.raw)
		}
	})
}
