package azuremarketplaceapi_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/azemu"
)

// newServer is a server whose emulator delivers webhooks. Its tests run
// on a database of their own (ForEachIsolatedBackend): another server's
// deliverer on a shared database would post this test's webhooks without
// its faults, and stop mid-way when its test ends.
func newServer(t *testing.T, b apitest.Backend) *apitest.Server {
	return apitest.NewServerWith(t, b.DB, apitest.Options{EmulatorJobs: true})
}

// Settings: partial update, the secret never returned, the webhook URL
// handed out, bad shapes refused.
func TestSettings(t *testing.T) {
	t.Parallel()
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		c := apitest.NewServer(t, b.DB).NewSaaS(t)
		got := c.Do(t, "GET", P+"/settings", nil).Want(t, 200).JSON(t)
		apitest.WantFields(t, "fresh settings", got, obj{"tenant_id": "", "client_id": "", "client_secret_set": false,
			"fulfillment_base_url": "", "webhook_url": c.Server.URL + "/azuremarketplace/webhook/" + c.SaaSID})
		c.Do(t, "POST", P+"/subscriptions/resolve", obj{"token": "x"}).WantError(t, 409, "azure_settings_incomplete")
		c.OKEmpty(t, "PUT", P+"/settings", obj{"tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47", "client_secret": "s3cret"})
		c.OKEmpty(t, "PUT", P+"/settings", obj{"client_id": "11111111-2222-3333-4444-555555555555",
			"fulfillment_base_url": "https://marketplaceapi.microsoft.com/api/"})
		got = c.Do(t, "GET", P+"/settings", nil).Want(t, 200).JSON(t)
		apitest.WantFields(t, "settings", got, obj{"tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
			"client_id": "11111111-2222-3333-4444-555555555555", "client_secret_set": true,
			"fulfillment_base_url": "https://marketplaceapi.microsoft.com/api"})
		apitest.WantAbsent(t, "settings", got, "client_secret")
		c.Do(t, "PUT", P+"/settings", obj{"tenant_id": "not-a-guid"}).WantError(t, 400, "invalid_request", "tenant_id")
		c.Do(t, "PUT", P+"/settings", obj{"fulfillment_base_url": "ftp://x"}).WantError(t, 400, "invalid_request", "fulfillment_base_url")
		c.Do(t, "PUT", P+"/settings", obj{"tenant_id": 5}).WantError(t, 400, "invalid_request", "tenant_id")
		c.Do(t, "PUT", P+"/plans", obj{"azure_plan_id": "gold", "plan_id": "nope"}).WantError(t, 400, "invalid_request", "plan_id")
		c.Do(t, "POST", P+"/subscriptions/resolve", obj{"token": "x"}).WantError(t, 409, "azure_credentials_rejected")
	})
}

// The landing page: resolve, then activate for a new tenant, which gets
// the linked plan; the marketplace shows the subscription Subscribed.
func TestResolveAndActivate(t *testing.T) {
	t.Parallel()
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := newServer(t, b)
		s := newSeller(t, srv)
		token, subID := s.buy(t, "gold", 5)
		r := s.c.Do(t, "POST", P+"/subscriptions/resolve", obj{"token": token}).Want(t, 200).JSON(t)
		sub := r["subscription"].(obj)
		apitest.WantFields(t, "resolved", sub, obj{"id": subID, "offer_id": "contoso", "azure_plan_id": "gold", "quantity": 5,
			"status": "PendingFulfillmentStart"})
		if r["tenant_id"] != "" {
			t.Errorf("tenant_id = %v before activation", r["tenant_id"])
		}
		s.c.Do(t, "POST", P+"/subscriptions/resolve", obj{"token": "forged+token/=="}).WantError(t, 400, "invalid_marketplace_token")
		s.c.Do(t, "POST", P+"/subscriptions/"+subID+"/activate", obj{}).WantError(t, 400, "invalid_request", "tenant_id")

		a := s.c.Do(t, "POST", P+"/subscriptions/"+subID+"/activate", obj{"tenant_name": "Fabrikam"}).Want(t, 200).JSON(t)
		apitest.WantFields(t, "activated", a, obj{"subscription_id": subID, "status": "Subscribed", "azure_plan_id": "gold", "quantity": 5})
		tenantID := a["tenant_id"].(string)
		if got := s.tenantPlan(t, tenantID); got != s.plans["gold"] {
			t.Errorf("tenant plan = %q, want gold's %q", got, s.plans["gold"])
		}
		// Again: the same tenant, nothing activated twice.
		again := s.c.Do(t, "POST", P+"/subscriptions/"+subID+"/activate", obj{"tenant_name": "Other"}).Want(t, 200).JSON(t)
		if again["tenant_id"] != tenantID {
			t.Errorf("second activation linked tenant %v, want %s", again["tenant_id"], tenantID)
		}
		other := s.c.CreateID(t, "/v1/auth/tenants", obj{"name": "Other", "attributes": obj{}, "back_office_staff_email": "a@example.com"})
		s.c.Do(t, "POST", P+"/subscriptions/"+subID+"/activate", obj{"tenant_id": other}).WantError(t, 409, "azure_subscription_already_linked")
		r = s.c.Do(t, "POST", P+"/subscriptions/resolve", obj{"token": token}).Want(t, 200).JSON(t)
		if r["tenant_id"] != tenantID || r["subscription"].(obj)["status"] != "Subscribed" {
			t.Errorf("resolve after activation = %v", r)
		}
		list := s.c.Do(t, "GET", P+"/subscriptions?tenant_id="+tenantID, nil).Want(t, 200).JSON(t)["subscriptions"].([]any)
		if len(list) != 1 {
			t.Errorf("GET /subscriptions = %v, want one", list)
		}
		// An existing tenant, and a plan linked to nothing.
		_, sub2 := s.buy(t, "platinum", 0)
		s.c.Do(t, "POST", P+"/subscriptions/"+sub2+"/activate", obj{"tenant_id": other}).WantError(t, 409, "azure_plan_not_linked")
		_, sub3 := s.buy(t, "silver", 0)
		a = s.c.Do(t, "POST", P+"/subscriptions/"+sub3+"/activate", obj{"tenant_id": other}).Want(t, 200).JSON(t)
		if a["tenant_id"] != other || s.tenantPlan(t, other) != s.plans["silver"] {
			t.Errorf("activation for an existing tenant: %v, plan %q", a, s.tenantPlan(t, other))
		}
		s.c.Do(t, "GET", P+"/subscriptions/"+sub2, nil).WantError(t, 404, "not_found")
	})
}

// Every customer-side action reaches the tenant through the webhook,
// confirmed and acknowledged.
func TestCustomerActionsFollowed(t *testing.T) {
	t.Parallel()
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := newServer(t, b)
		s := newSeller(t, srv)
		subID, tenantID := s.activated(t, "gold", 5)

		s.action(t, subID, obj{"action": "ChangeQuantity", "quantity": 7})
		s.waitSub(t, subID, "quantity", 7)

		s.action(t, subID, obj{"action": "ChangePlan", "plan_id": "silver"})
		s.waitSub(t, subID, "azure_plan_id", "silver")
		eventually(t, "tenant on silver", func() bool { return s.tenantPlan(t, tenantID) == s.plans["silver"] })

		// A plan linked to nothing is refused with PATCH Failure.
		s.action(t, subID, obj{"action": "ChangePlan", "plan_id": "platinum"})
		eventually(t, "ChangePlan to platinum rejected", func() bool {
			ops := s.operations(t, subID)
			return len(ops) > 0 && ops[0]["action"] == "ChangePlan" && ops[0]["outcome"] == "rejected"
		})
		if got := s.subscription(t, subID)["azure_plan_id"]; got != "silver" {
			t.Errorf("after a rejected change: azure_plan_id %v, want silver", got)
		}

		s.action(t, subID, obj{"action": "Suspend"})
		s.waitSub(t, subID, "status", "Suspended")
		if got := s.tenantPlan(t, tenantID); got != s.plans["silver"] {
			t.Errorf("suspended: tenant plan %q, want silver's kept", got)
		}
		s.action(t, subID, obj{"action": "Reinstate"})
		s.waitSub(t, subID, "status", "Subscribed")
		s.action(t, subID, obj{"action": "Renew"})
		eventually(t, "Renew recorded", func() bool { return s.operations(t, subID)[0]["action"] == "Renew" })

		s.action(t, subID, obj{"action": "Unsubscribe"})
		s.waitSub(t, subID, "status", "Unsubscribed")
		eventually(t, "tenant without a plan", func() bool { return s.tenantPlan(t, tenantID) == "" })
		s.waitDelivered(t)
		outcomes := map[string]string{}
		for _, op := range s.operations(t, subID) {
			if op["source"] != "webhook" {
				t.Errorf("operation %v: source %v, want webhook", op["operation_id"], op["source"])
			}
			outcomes[op["action"].(string)+"/"+op["outcome"].(string)] = "x"
		}
		for _, want := range []string{"ChangeQuantity/applied", "ChangePlan/applied", "ChangePlan/rejected", "Suspend/applied",
			"Reinstate/applied", "Renew/applied", "Unsubscribe/applied"} {
			if outcomes[want] == "" {
				t.Errorf("no operation %s among %v", want, outcomes)
			}
		}
	})
}

// The same webhook twice, an older one after a newer one, and one of an
// unknown subscription: nothing changes, and the marketplace gets 200.
func TestWebhookFaults(t *testing.T) {
	t.Parallel()
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := newServer(t, b)
		s := newSeller(t, srv)
		subID, tenantID := s.activated(t, "gold", 5)

		// Suspend is lost, Reinstate is delivered: the Suspend, replayed
		// late, is stale.
		s.waitDelivered(t)
		s.c.Do(t, "POST", emu+"/faults", obj{"kind": "drop_webhook"}).Want(t, http.StatusCreated)
		s.action(t, subID, obj{"action": "Suspend"})
		eventually(t, "suspend dropped", func() bool {
			for _, h := range s.waitDelivered(t) {
				if h["status"] == "dropped" {
					return true
				}
			}
			return false
		})
		s.action(t, subID, obj{"action": "Reinstate"})
		eventually(t, "reinstate applied", func() bool {
			ops := s.operations(t, subID)
			return len(ops) > 0 && ops[0]["action"] == "Reinstate"
		})
		var suspendBody, reinstateBody string
		for _, h := range s.waitDelivered(t) {
			switch h["status"] {
			case "dropped":
				suspendBody = h["body"].(string)
			case "delivered":
				reinstateBody = h["body"].(string)
			}
		}
		tok := s.webhookToken(t)
		r := s.postWebhook(t, tok, suspendBody).Want(t, 200).JSON(t)
		if r["outcome"] != "stale" {
			t.Errorf("late Suspend: outcome %v, want stale", r["outcome"])
		}
		if st := s.subscription(t, subID)["status"]; st != "Subscribed" {
			t.Errorf("after a stale Suspend: status %v, want Subscribed", st)
		}
		r = s.postWebhook(t, tok, reinstateBody).Want(t, 200).JSON(t)
		if r["outcome"] != "duplicate" {
			t.Errorf("Reinstate twice: outcome %v, want duplicate", r["outcome"])
		}

		// A subscription linked to no tenant, and one the marketplace does
		// not know.
		_, unlinked := s.buy(t, "silver", 0)
		s.action(t, unlinked, obj{"action": "Unsubscribe"})
		eventually(t, "unknown subscription recorded", func() bool {
			ops := s.operations(t, unlinked)
			return len(ops) == 1 && ops[0]["outcome"] == "unknown_subscription"
		})
		r = s.postWebhook(t, tok, obj{"id": "3f0f0c6e-0000-4000-8000-000000000001", "subscriptionId": subID, "action": "Unsubscribe"}).Want(t, 200).JSON(t)
		if r["outcome"] != "unconfirmed" {
			t.Errorf("an operation the API does not know: outcome %v, want unconfirmed", r["outcome"])
		}
		if st := s.subscription(t, subID)["status"]; st != "Subscribed" || s.tenantPlan(t, tenantID) != s.plans["gold"] {
			t.Errorf("after an unconfirmed webhook: status %v, plan %q", st, s.tenantPlan(t, tenantID))
		}
		s.postWebhook(t, tok, obj{"action": "Suspend"}).WantError(t, 400, "invalid_request", "id")
	})
}

// Tokens that are not the marketplace's for this app are refused with
// 401, before anything is read.
func TestWebhookTokens(t *testing.T) {
	t.Parallel()
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := newServer(t, b)
		s := newSeller(t, srv)
		subID, _ := s.activated(t, "gold", 5)
		body := obj{"id": "3f0f0c6e-0000-4000-8000-000000000002", "subscriptionId": subID, "action": "Unsubscribe"}
		ctx := context.Background()
		id, err := srv.AzureEmulator.Identity(ctx, s.c.SaaSID)
		if err != nil {
			t.Fatal(err)
		}
		key, err := srv.AzureEmulator.PrivateKey(id)
		if err != nil {
			t.Fatal(err)
		}
		other, _ := rsa.GenerateKey(rand.Reader, 2048)
		now := time.Now()
		claims := func(mod func(*azemu.AccessClaims)) azemu.AccessClaims {
			c := azemu.AccessClaims{RegisteredClaims: jwt.RegisteredClaims{Issuer: azemu.Issuer(id.TenantID),
				Audience: jwt.ClaimStrings{id.ClientID}, IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
				ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}, TenantID: id.TenantID, AppID: azemu.MarketplaceResourceID, Version: "1.0"}
			if mod != nil {
				mod(&c)
			}
			return c
		}
		sign := func(k *rsa.PrivateKey, c azemu.AccessClaims) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
			tok.Header["kid"] = id.KeyID
			out, err := tok.SignedString(k)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		for name, tok := range map[string]string{
			"none":            "",
			"forged":          sign(other, claims(nil)),
			"expired":         sign(key, claims(func(c *azemu.AccessClaims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Minute)) })),
			"wrong audience":  sign(key, claims(func(c *azemu.AccessClaims) { c.Audience = jwt.ClaimStrings{azemu.MarketplaceResourceID} })),
			"wrong app":       sign(key, claims(func(c *azemu.AccessClaims) { c.AppID = id.ClientID })),
			"wrong tenant":    sign(key, claims(func(c *azemu.AccessClaims) { c.TenantID = "00000000-0000-0000-0000-000000000000" })),
			"publisher token": func() string { tok, _, _ := srv.AzureEmulator.IssueAccessToken(ctx, s.c.SaaSID); return tok }(),
			"not a JWT":       "garbage",
		} {
			s.postWebhook(t, tok, body).WantError(t, 401, "invalid_webhook_token")
			_ = name
		}
		if ops := s.operations(t, subID); len(ops) != 0 {
			t.Errorf("refused calls recorded operations: %v", ops)
		}
		r := s.postWebhook(t, sign(key, claims(nil)), body).Want(t, 200).JSON(t)
		if r["outcome"] != "unconfirmed" {
			t.Errorf("a valid token: outcome %v, want unconfirmed", r["outcome"])
		}
	})
}

// Lost webhooks: POST /reconcile acknowledges a change still waiting and
// applies the suspension it missed.
func TestReconcileRecoversLostWebhooks(t *testing.T) {
	t.Parallel()
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := newServer(t, b)
		s := newSeller(t, srv)
		subID, tenantID := s.activated(t, "gold", 5)
		sub2, tenant2 := s.activated(t, "silver", 0)
		s.waitDelivered(t) // the fault must hit the next webhooks

		s.c.Do(t, "POST", emu+"/faults", obj{"kind": "drop_webhook", "count": 2}).Want(t, http.StatusCreated)
		s.action(t, subID, obj{"action": "ChangePlan", "plan_id": "silver"})
		s.action(t, sub2, obj{"action": "Suspend"})
		s.waitDelivered(t)
		if p, st := s.tenantPlan(t, tenantID), s.subscription(t, sub2)["status"]; p != s.plans["gold"] || st != "Subscribed" {
			t.Fatalf("the lost webhooks changed something: plan %q, status %v; webhooks %v", p, st, s.waitDelivered(t))
		}
		r := s.c.Do(t, "POST", P+"/reconcile", nil).Want(t, 200).JSON(t)
		apitest.WantFields(t, "reconcile", r, obj{"subscriptions": 2, "operations": 1, "changed": 2})
		if got := s.tenantPlan(t, tenantID); got != s.plans["silver"] {
			t.Errorf("after reconcile: tenant plan %q, want silver's", got)
		}
		if got := s.subscription(t, sub2)["status"]; got != "Suspended" {
			t.Errorf("after reconcile: status %v, want Suspended", got)
		}
		ops := s.operations(t, subID)
		if len(ops) != 1 || ops[0]["source"] != "reconcile" || ops[0]["outcome"] != "applied" {
			t.Errorf("operations = %v, want the ChangePlan applied by reconcile", ops)
		}
		// Nothing left: a second run changes nothing.
		r = s.c.Do(t, "POST", P+"/reconcile", nil).Want(t, 200).JSON(t)
		apitest.WantFields(t, "second reconcile", r, obj{"operations": 0, "changed": 0})
		// One subscription.
		s.c.Do(t, "POST", emu+"/faults", obj{"kind": "drop_webhook"}).Want(t, http.StatusCreated)
		s.action(t, sub2, obj{"action": "Reinstate"})
		s.waitDelivered(t)
		got := s.c.Do(t, "POST", P+"/subscriptions/"+sub2+"/sync", nil).Want(t, 200).JSON(t)
		if got["status"] != "Subscribed" || s.tenantPlan(t, tenant2) != s.plans["silver"] {
			t.Errorf("after sync: %v", got)
		}
	})
}

// Throttling and unavailability are retried: nothing is lost.
func TestRetriesThrottlingAndUnavailability(t *testing.T) {
	t.Parallel()
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := newServer(t, b)
		s := newSeller(t, srv)
		token, subID := s.buy(t, "gold", 5)
		s.c.Do(t, "POST", emu+"/faults", obj{"kind": "throttle", "count": 2, "retry_after": 1}).Want(t, http.StatusCreated)
		s.c.Do(t, "POST", P+"/subscriptions/resolve", obj{"token": token}).Want(t, 200)
		s.c.Do(t, "POST", emu+"/faults", obj{"kind": "unavailable", "count": 2}).Want(t, http.StatusCreated)
		a := s.c.Do(t, "POST", P+"/subscriptions/"+subID+"/activate", obj{"tenant_name": "T"}).Want(t, 200).JSON(t)
		if a["status"] != "Subscribed" {
			t.Errorf("activated through faults: %v", a)
		}
		// More failures than retries: 503, and a retry later succeeds.
		s.c.Do(t, "POST", emu+"/faults", obj{"kind": "unavailable", "count": 10}).Want(t, http.StatusCreated)
		s.c.Do(t, "POST", P+"/subscriptions/"+subID+"/sync", nil).WantError(t, 503, "unavailable")
		s.c.Do(t, "DELETE", emu+"/faults", nil).Want(t, 200)
		s.c.Do(t, "POST", P+"/subscriptions/"+subID+"/sync", nil).Want(t, 200)
		// A webhook arriving while the API fails is answered 503 (the
		// marketplace calls again) and applied on the retry.
		s.c.Do(t, "POST", emu+"/faults", obj{"kind": "unavailable", "count": 6}).Want(t, http.StatusCreated)
		s.action(t, subID, obj{"action": "Suspend"})
		s.waitSub(t, subID, "status", "Suspended")
	})
}
