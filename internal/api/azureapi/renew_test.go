package azureapi_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// The tests of this file move the clock months ahead while a deliverer
// runs: they use databases of their own (ForEachIsolatedBackend), so that
// no other test's deliverer renews their subscriptions, nor theirs others'.

// term returns a subscription's term (start, end) as the wire shows it.
func term(t *testing.T, sub map[string]any) (start, end time.Time) {
	t.Helper()
	tm, _ := sub["term"].(map[string]any)
	s, err1 := time.Parse(time.RFC3339Nano, tm["startDate"].(string))
	e, err2 := time.Parse(time.RFC3339Nano, tm["endDate"].(string))
	if err1 != nil || err2 != nil {
		t.Fatalf("term %v: %v %v", tm, err1, err2)
	}
	return s, e
}

// nextTerm is the term after one ending on end (monthly plans).
func nextTerm(end time.Time) (start, last time.Time) {
	start = end.AddDate(0, 0, 1)
	return start, start.AddDate(0, 1, -1)
}

// jump moves the clock and gets a new bearer token (the old one expired
// on the emulator's clock).
func (e *env) jump(d time.Duration) {
	e.t.Helper()
	e.clock.Advance(d)
	e.token = e.bearer()
}

// outbox returns the SaaS's webhook messages, oldest first.
func (e *env) outbox() []map[string]any {
	e.t.Helper()
	var out struct {
		Webhooks []map[string]any `json:"webhooks"`
	}
	e.admin.Do(e.t, "GET", "/azure/_emulator/webhooks", nil).Want(e.t, http.StatusOK).Decode(e.t, &out)
	for i, j := 0, len(out.Webhooks)-1; i < j; i, j = i+1, j-1 {
		out.Webhooks[i], out.Webhooks[j] = out.Webhooks[j], out.Webhooks[i]
	}
	return out.Webhooks
}

// checkRenewWebhook checks a Renew webhook: from Azure, Succeeded, showing
// the term from start, with a valid token.
func (e *env) checkRenewWebhook(t *testing.T, c hookCall, subID string, start time.Time) {
	t.Helper()
	b := c.body
	if b["action"] != "Renew" || b["status"] != "Succeeded" || b["operationRequestSource"] != "Azure" || b["subscriptionId"] != subID {
		t.Errorf("renew webhook = %v", b)
	}
	if s, _ := term(t, b["subscription"].(map[string]any)); !s.Equal(start) {
		t.Errorf("renew webhook term starts %s, want %s", s, start)
	}
	e.verifyWebhookToken(t, c.header.Get("Authorization"))
}

// TestAutoRenewal: at the end of its term a Subscribed subscription with
// autoRenew renews (next term, Renew webhook from Azure), one without is
// unsubscribed (Unsubscribe webhook); missed terms roll one at a time.
func TestAutoRenewal(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		id := e.active("gold", 2)
		sub := e.subscription(id)
		if sub["autoRenew"] != true {
			t.Fatalf("autoRenew by default = %v", sub["autoRenew"])
		}
		_, end := term(t, sub)

		// Not before the end of the term's last day.
		e.jump(time.Until(end.AddDate(0, 0, 1)) - time.Hour) // the last day ends a day after endDate
		if s, _ := term(t, e.subscription(id)); s.After(end) {
			t.Fatalf("renewed before the term ended: %v", e.subscription(id)["term"])
		}

		e.jump(2 * time.Hour)
		sub = e.subscription(id)
		start, end2 := term(t, sub)
		if wantStart, wantEnd := nextTerm(end); !start.Equal(wantStart) || !end2.Equal(wantEnd) || sub["saasSubscriptionStatus"] != "Subscribed" {
			t.Fatalf("after the term = %v, want %s..%s", sub, wantStart, wantEnd)
		}
		calls := e.hook.wait(t, 1)
		e.checkRenewWebhook(t, calls[0], id, start)
		opID, _ := calls[0].body["id"].(string)
		op := e.call("GET", "/api/saas/subscriptions/"+id+"/operations/"+opID+"?"+v2, nil).want(t, 200).json(t)
		if op["action"] != "Renew" || op["status"] != "Succeeded" {
			t.Errorf("renew operation = %v", op)
		}

		// Two terms missed: two renewals, one webhook each, in order.
		e.jump(63 * 24 * time.Hour)
		sub = e.subscription(id)
		s1, e1 := nextTerm(end2)
		s2, e2 := nextTerm(e1)
		if s, en := term(t, sub); !s.Equal(s2) || !en.Equal(e2) {
			t.Fatalf("after two terms = %v, want %s..%s", sub["term"], s2, e2)
		}
		calls = e.hook.wait(t, 3)
		e.checkRenewWebhook(t, calls[1], id, s1)
		e.checkRenewWebhook(t, calls[2], id, s2)
		if calls[1].body["id"] == calls[2].body["id"] {
			t.Errorf("one operation for two renewals")
		}

		// autoRenew false: cancelled at the end of the term.
		var p struct {
			Token          string `json:"token"`
			SubscriptionID string `json:"subscription_id"`
		}
		e.admin.Do(t, "POST", "/azure/_emulator/purchases", map[string]any{"offer_id": "contoso-app", "plan_id": "silver",
			"subscription_name": "No renewal", "auto_renew": false}).Want(t, http.StatusCreated).Decode(t, &p)
		e.call("POST", "/api/saas/subscriptions/resolve?"+v2, nil, "x-ms-marketplace-token", p.Token).want(t, 200)
		e.call("POST", "/api/saas/subscriptions/"+p.SubscriptionID+"/activate?"+v2, map[string]any{"planId": "silver"}).want(t, 200)
		if s := e.subscription(p.SubscriptionID); s["autoRenew"] != false {
			t.Fatalf("autoRenew = %v", s["autoRenew"])
		}
		e.jump(32 * 24 * time.Hour)
		if s := e.subscription(p.SubscriptionID); s["saasSubscriptionStatus"] != "Unsubscribed" {
			t.Errorf("autoRenew false after the term = %v", s)
		}
		calls = e.hook.wait(t, 5) // and the renewal of the first one
		var unsub []hookCall
		for _, c := range calls[3:] {
			if c.body["subscriptionId"] == p.SubscriptionID {
				unsub = append(unsub, c)
			}
		}
		if len(unsub) != 1 || unsub[0].body["action"] != "Unsubscribe" || unsub[0].body["status"] != "Succeeded" ||
			unsub[0].body["operationRequestSource"] != "Azure" {
			t.Fatalf("webhooks of the cancelled subscription = %v", unsub)
		}
		e.verifyWebhookToken(t, unsub[0].header.Get("Authorization"))
		if st := unsub[0].body["subscription"].(map[string]any)["saasSubscriptionStatus"]; st != "Unsubscribed" {
			t.Errorf("unsubscribe webhook status %v", st)
		}
	})
}

// TestAutoRenewalRace: after the clock jumped two terms, concurrent
// requests to two servers over one database, each with its deliverer,
// renew each term exactly once.
func TestAutoRenewalRace(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		other := apitest.NewServerWith(t, b.DB, apitest.Options{Now: e.clock.Now, EmulatorJobs: true})
		id := e.active("gold", 2)
		_, end := term(t, e.subscription(id))
		e.jump(63 * 24 * time.Hour)

		var wg sync.WaitGroup
		errc := make(chan string, 16)
		for i := range 16 {
			base := e.s.URL
			if i%2 == 1 {
				base = other.URL
			}
			wg.Go(func() {
				req, _ := http.NewRequest("GET", base+"/api/saas/subscriptions/"+id+"?"+v2, nil)
				req.Header.Set("Authorization", "Bearer "+e.token)
				resp, err := e.http.Do(req)
				if err != nil {
					errc <- err.Error()
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errc <- resp.Status
				}
			})
		}
		wg.Wait()
		close(errc)
		for msg := range errc {
			t.Errorf("concurrent GET: %s", msg)
		}

		s1, e1 := nextTerm(end)
		s2, e2 := nextTerm(e1)
		if s, en := term(t, e.subscription(id)); !s.Equal(s2) || !en.Equal(e2) {
			t.Fatalf("term %s..%s, want %s..%s", s, en, s2, e2)
		}
		calls := e.hook.wait(t, 2)
		e.checkRenewWebhook(t, calls[0], id, s1)
		e.checkRenewWebhook(t, calls[1], id, s2)
		time.Sleep(300 * time.Millisecond) // the deliverers poll every 25 ms
		if n := len(e.outbox()); n != 2 {
			t.Errorf("%d webhooks queued, want 2 (one per term)", n)
		}
		ops := e.call("GET", "/api/saas/subscriptions/"+id+"/operations?"+v2, nil).want(t, 200).json(t)
		if l, _ := ops["operations"].([]any); len(l) != 0 {
			t.Errorf("outstanding operations %v", l)
		}
		e.hook.mu.Lock()
		n := len(e.hook.calls)
		e.hook.mu.Unlock()
		if n != 2 {
			t.Errorf("%d webhook calls, want 2", n)
		}
	})
}
