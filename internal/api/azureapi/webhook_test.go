package azureapi_test

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestWebhookDelivery: failed calls are retried with backoff, a 4xx
// answer rejects a change waiting for acknowledgement, a drop fault loses
// a call, and the outbox shows each outcome.
func TestWebhookDelivery(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		id := e.active("gold", 2)

		e.hook.answer(500, 503)
		e.customer(id, map[string]any{"action": "Renew"})
		calls := e.hook.wait(t, 3)
		if calls[0].body["id"] != calls[2].body["id"] {
			t.Errorf("retry posted another message")
		}

		e.hook.answer(400)
		cust := e.customer(id, map[string]any{"action": "ChangeQuantity", "quantity": 4})
		opID := cust["operation"].(map[string]any)["id"].(string)
		e.hook.wait(t, 4)
		deadline := time.Now().Add(5 * time.Second)
		for {
			op := e.call("GET", "/api/saas/subscriptions/"+id+"/operations/"+opID+"?"+v2, nil).want(t, 200).json(t)
			if op["status"] == "Failed" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("operation rejected by a 400 answer = %v", op)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if s := e.subscription(id); s["quantity"] != 2.0 {
			t.Errorf("rejected change applied: %v", s)
		}

		e.admin.Do(t, "POST", "/azure/_emulator/faults", map[string]any{"kind": "drop_webhook"}).Want(t, http.StatusCreated)
		e.customer(id, map[string]any{"action": "Suspend"})
		e.customer(id, map[string]any{"action": "Reinstate"})
		calls = e.hook.wait(t, 5)
		if c := calls[4].body; c["action"] != "Reinstate" {
			t.Errorf("after a dropped Suspend, got %v", c)
		}
		var out struct {
			Webhooks []struct {
				Status   string `json:"status"`
				Attempts int    `json:"attempts"`
				Body     string `json:"body"`
			} `json:"webhooks"`
		}
		// The receiver has the last webhook before the deliverer records it.
		var got string
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			e.admin.Do(t, "GET", "/azure/_emulator/webhooks", nil).Want(t, 200).Decode(t, &out)
			statuses := []string{}
			for _, w := range out.Webhooks {
				statuses = append(statuses, w.Status)
			}
			if got = strings.Join(statuses, ","); got == "delivered,dropped,failed,delivered" || time.Now().After(deadline) {
				break
			}
		}
		if got != "delivered,dropped,failed,delivered" {
			t.Errorf("outbox statuses (newest first) %s", got)
		}
		if out.Webhooks[3].Attempts != 3 {
			t.Errorf("renew webhook attempts %d, want 3", out.Webhooks[3].Attempts)
		}
	})
}

// TestFaults: 429 with Retry-After, 503 and slow answers, each for the
// next calls of the SaaS only.
func TestFaults(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		add := func(f map[string]any) {
			e.admin.Do(t, "POST", "/azure/_emulator/faults", f).Want(t, http.StatusCreated)
		}
		add(map[string]any{"kind": "throttle", "retry_after": 7, "count": 2})
		for range 2 {
			r := e.call("GET", "/api/saas/subscriptions?"+v2, nil).want(t, 429)
			if r.header.Get("Retry-After") != "7" || r.code() != "RequestThrottleId" {
				t.Errorf("throttled: %v %s", r.header, r.raw)
			}
		}
		e.call("GET", "/api/saas/subscriptions?"+v2, nil).want(t, 200)
		add(map[string]any{"kind": "unavailable"})
		e.call("POST", "/api/usageEvent?"+v2, map[string]any{}).want(t, 503)
		add(map[string]any{"kind": "delay", "delay_ms": 300})
		start := time.Now()
		e.call("GET", "/api/saas/subscriptions?"+v2, nil).want(t, 200)
		if d := time.Since(start); d < 300*time.Millisecond {
			t.Errorf("delayed answer took %v", d)
		}
		e.admin.Do(t, "POST", "/azure/_emulator/faults", map[string]any{"kind": "explode"}).Want(t, http.StatusBadRequest)
		add(map[string]any{"kind": "throttle"})
		e.admin.Do(t, "DELETE", "/azure/_emulator/faults", nil).Want(t, 200)
		e.call("GET", "/api/saas/subscriptions?"+v2, nil).want(t, 200)
	})
}

// TestFaultsHoldAcrossNodes: a fault set through one server is seen and
// consumed by another server over the same database, call by call:
// concurrent calls to both consume a fault of count n exactly n times.
func TestFaultsHoldAcrossNodes(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		other := apitest.NewServerWith(t, b.DB, apitest.Options{Now: e.clock.Now})
		const count, calls = 3, 10
		e.admin.Do(t, "POST", "/azure/_emulator/faults", map[string]any{"kind": "throttle", "count": count}).Want(t, http.StatusCreated)
		var throttled, ok atomic.Int64
		var wg sync.WaitGroup
		for i := range calls {
			base := e.s.URL
			if i%2 == 1 {
				base = other.URL
			}
			wg.Go(func() {
				req, _ := http.NewRequest("GET", base+"/api/saas/subscriptions?"+v2, nil)
				req.Header.Set("Authorization", "Bearer "+e.token)
				resp, err := e.http.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				switch resp.StatusCode {
				case http.StatusTooManyRequests:
					throttled.Add(1)
				case http.StatusOK:
					ok.Add(1)
				default:
					t.Errorf("status %d", resp.StatusCode)
				}
			})
		}
		wg.Wait()
		if throttled.Load() != count || ok.Load() != calls-count {
			t.Errorf("%d throttled and %d answered, want %d and %d", throttled.Load(), ok.Load(), count, calls-count)
		}
		// Set through the other node, listed and cleared through the first.
		c := e.admin
		c.Server = other
		c.Do(t, "POST", "/azure/_emulator/faults", map[string]any{"kind": "unavailable"}).Want(t, http.StatusCreated)
		var list struct {
			Faults []map[string]any `json:"faults"`
		}
		e.admin.Do(t, "GET", "/azure/_emulator/faults", nil).Want(t, 200).Decode(t, &list)
		if len(list.Faults) != 1 || list.Faults[0]["kind"] != "unavailable" {
			t.Errorf("faults seen by the first node: %v", list.Faults)
		}
		e.admin.Do(t, "DELETE", "/azure/_emulator/faults", nil).Want(t, 200)
		e.call("GET", "/api/saas/subscriptions?"+v2, nil).want(t, 200)
	})
}

// TestAdminValidation: admin inputs are checked, with SaaSus error bodies.
func TestAdminValidation(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		for _, tc := range []struct {
			method, path string
			body         any
			status       int
		}{
			{"POST", "/azure/_emulator/offers", map[string]any{"offer_id": "", "plans": []any{}}, 400},
			{"POST", "/azure/_emulator/offers", map[string]any{"offer_id": "o", "plans": []any{map[string]any{"plan_id": "a"}, map[string]any{"plan_id": "a"}}}, 400},
			{"POST", "/azure/_emulator/purchases", map[string]any{"offer_id": "nope", "plan_id": "x"}, 404},
			{"POST", "/azure/_emulator/purchases", map[string]any{"offer_id": "contoso-app", "plan_id": "gold", "quantity": 51}, 400},
			{"POST", "/azure/_emulator/purchases", map[string]any{"offer_id": "contoso-app", "plan_id": "silver", "quantity": 2}, 400},
			{"PUT", "/azure/_emulator/settings", map[string]any{"webhook_url": "ftp://x"}, 400},
			{"PUT", "/azure/_emulator/settings", map[string]any{"webhook_api_version": "2019-01-01"}, 400},
			{"POST", "/azure/_emulator/subscriptions/nope/actions", map[string]any{"action": "Suspend"}, 404},
			{"POST", "/azure/_emulator/subscriptions/nope/actions", map[string]any{"action": "Explode"}, 400},
		} {
			e.admin.Do(t, tc.method, tc.path, tc.body).Want(t, tc.status)
		}
		bad := e.admin
		bad.Secret = "wrong"
		bad.Do(t, "GET", "/azure/_emulator/identity", nil).Want(t, http.StatusUnauthorized)
	})
}
