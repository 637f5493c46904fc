package azuremarketplaceapi_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// P is the mount point of the API; emu the emulator's admin routes.
const (
	P   = "/v1/azuremarketplace"
	emu = "/azure/_emulator"
)

type obj = apitest.Obj

// seller is a SaaS selling the offer "contoso" through the server's own
// emulator: its settings hold the emulator identity, the emulator's
// webhook points at the SaaS's webhook URL, and the Azure plans gold
// (per seat, 1 to 50, dimension emails) and silver are linked to pricing
// plans; platinum exists at the marketplace but is linked to nothing.
type seller struct {
	c     apitest.Client
	plans map[string]string // Azure plan id -> pricing plan id
	id    obj               // the emulator identity
}

func newSeller(t *testing.T, srv *apitest.Server) *seller {
	t.Helper()
	c := srv.NewSaaS(t)
	id := c.Do(t, "GET", emu+"/identity", nil).Want(t, http.StatusOK).JSON(t)
	c.OKEmpty(t, "PUT", P+"/settings", obj{"tenant_id": id["tenant_id"], "client_id": id["client_id"], "client_secret": id["client_secret"]})
	c.Do(t, "POST", emu+"/offers", obj{"offer_id": "contoso", "plans": []obj{
		{"plan_id": "gold", "display_name": "Gold", "is_price_per_seat": true, "min_quantity": 1, "max_quantity": 50,
			"metering_dimensions": []obj{{"id": "emails", "unit_of_measure": "email", "price_per_unit": 0.01, "currency": "USD"}}},
		{"plan_id": "silver", "display_name": "Silver", "is_price_per_seat": false, "metering_dimensions": []obj{}},
		{"plan_id": "platinum", "display_name": "Platinum", "is_price_per_seat": false, "metering_dimensions": []obj{}},
	}}).Want(t, http.StatusCreated)
	st := c.Do(t, "GET", P+"/settings", nil).Want(t, http.StatusOK).JSON(t)
	c.Do(t, "PUT", emu+"/webhook", obj{"url": st["webhook_url"]}).Want(t, http.StatusOK)
	s := &seller{c: c, plans: map[string]string{}, id: id}
	for _, name := range []string{"gold", "silver"} {
		s.plans[name] = c.CreateID(t, "/v1/pricing/plans", obj{"name": name, "display_name": name, "description": name, "menu_ids": []string{}})
		c.OKEmpty(t, "PUT", P+"/plans", obj{"azure_plan_id": name, "plan_id": s.plans[name]})
	}
	return s
}

// buy purchases plan at the emulator and returns the landing token and
// the subscription id.
func (s *seller) buy(t *testing.T, plan string, quantity int) (token, subID string) {
	t.Helper()
	body := obj{"offer_id": "contoso", "plan_id": plan, "subscription_name": "Fabrikam " + plan}
	if quantity > 0 {
		body["quantity"] = quantity
	}
	r := s.c.Do(t, "POST", emu+"/purchases", body).Want(t, http.StatusCreated).JSON(t)
	return r["token"].(string), r["subscription_id"].(string)
}

// activated buys plan and activates it for a new tenant; it returns the
// subscription id and the tenant id.
func (s *seller) activated(t *testing.T, plan string, quantity int) (subID, tenantID string) {
	t.Helper()
	_, subID = s.buy(t, plan, quantity)
	r := s.c.Do(t, "POST", P+"/subscriptions/"+subID+"/activate", obj{"tenant_name": "Fabrikam"}).Want(t, http.StatusOK).JSON(t)
	return subID, r["tenant_id"].(string)
}

// action runs a customer-side action at the emulator.
func (s *seller) action(t *testing.T, subID string, body obj) obj {
	t.Helper()
	return s.c.Do(t, "POST", emu+"/subscriptions/"+subID+"/actions", body).Want(t, http.StatusAccepted).JSON(t)
}

// tenantPlan returns the tenant's current plan id.
func (s *seller) tenantPlan(t *testing.T, tenantID string) string {
	t.Helper()
	d, err := s.c.Server.Tenants.Get(context.Background(), s.c.SaaSID, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	return d.PlanID
}

func (s *seller) subscription(t *testing.T, subID string) obj {
	t.Helper()
	return s.c.Do(t, "GET", P+"/subscriptions/"+subID, nil).Want(t, http.StatusOK).JSON(t)
}

// operations returns the handled operations, newest first.
func (s *seller) operations(t *testing.T, subID string) []obj {
	t.Helper()
	raw, _ := s.c.Do(t, "GET", P+"/operations?subscription_id="+subID, nil).Want(t, http.StatusOK).JSON(t)["operations"].([]any)
	out := make([]obj, len(raw))
	for i, v := range raw {
		out[i] = v.(obj)
	}
	return out
}

// eventually retries cond for up to 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitSub waits until the linked subscription shows field = want.
func (s *seller) waitSub(t *testing.T, subID, field string, want any) obj {
	t.Helper()
	var got obj
	eventually(t, subID+" "+field, func() bool {
		got = s.subscription(t, subID)
		return fmt.Sprint(got[field]) == fmt.Sprint(want)
	})
	return got
}

// waitDelivered waits until the emulator has no webhook left to deliver.
func (s *seller) waitDelivered(t *testing.T) []obj {
	t.Helper()
	var hooks []obj
	eventually(t, "webhooks delivered", func() bool {
		raw, _ := s.c.Do(t, "GET", emu+"/webhooks", nil).Want(t, http.StatusOK).JSON(t)["webhooks"].([]any)
		hooks = hooks[:0]
		for _, v := range raw {
			h := v.(obj)
			if h["status"] == "pending" {
				return false
			}
			hooks = append(hooks, h)
		}
		return true
	})
	return hooks
}

// postWebhook posts body to the SaaS's webhook with the given bearer token
// ("" for none).
func (s *seller) postWebhook(t *testing.T, bearer string, body any) *apitest.Response {
	t.Helper()
	h := http.Header{}
	if bearer != "" {
		h.Set("Authorization", "Bearer "+bearer)
	}
	return s.c.Server.Raw(t, "POST", "/azuremarketplace/webhook/"+s.c.SaaSID, apitest.Encode(t, body), h)
}

// webhookToken is a valid token of the marketplace for the SaaS.
func (s *seller) webhookToken(t *testing.T) string {
	t.Helper()
	tok, err := s.c.Server.AzureEmulator.WebhookToken(context.Background(), s.c.SaaSID)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
