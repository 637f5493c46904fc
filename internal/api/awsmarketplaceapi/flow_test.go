package awsmarketplaceapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// The fulfillment URL: what a buyer's browser gets for every kind of
// arrival.
func TestFulfillment(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := apitest.NewServer(t, b.DB)
		tests := []struct {
			name  string
			setup func(t *testing.T, c apitest.Client) (saasID, token string)
			check func(t *testing.T, c apitest.Client, r *apitest.Response)
		}{
			{"saasplane's own sign-up page until sign_up_url is set", func(t *testing.T, c apitest.Client) (string, string) {
				x := seller(t, c)
				return c.SaaSID, apitest.AWSBuy(t, c, x["product"], "basic_month")["marketplace_token"].(string)
			}, func(t *testing.T, c apitest.Client, r *apitest.Response) {
				tok := apitest.AWSRegistrationToken(t, r)
				loc := r.Header.Get("Location")
				if want := c.Server.URL + "/awsmarketplace/sign-up/" + c.SaaSID + "?registration_token="; !strings.HasPrefix(loc, want) {
					t.Fatalf("Location = %q, want %s...", loc, want)
				}
				page := c.Server.Raw(t, "GET", strings.TrimPrefix(loc, c.Server.URL), nil, nil).Want(t, 200)
				if !strings.Contains(string(page.Body), tok) || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
					t.Errorf("sign-up page does not show the token as HTML:\n%s", page.Body)
				}
			}},
			{"the SaaS's sign-up URL, its query kept", func(t *testing.T, c apitest.Client) (string, string) {
				x := seller(t, c)
				okEmpty(t, c, "PUT", "/settings", obj{"sign_up_url": "https://app.example.com/aws?from=mp"})
				return c.SaaSID, apitest.AWSBuy(t, c, x["product"], "basic_month")["marketplace_token"].(string)
			}, func(t *testing.T, c apitest.Client, r *apitest.Response) {
				apitest.AWSRegistrationToken(t, r)
				u, _ := url.Parse(r.Header.Get("Location"))
				if u.Host != "app.example.com" || u.Path != "/aws" || u.Query().Get("from") != "mp" {
					t.Errorf("Location = %s, want https://app.example.com/aws?from=mp&registration_token=...", u)
				}
			}},
			{"a token AWS does not know", func(t *testing.T, c apitest.Client) (string, string) {
				seller(t, c)
				return c.SaaSID, "forged-token"
			}, func(t *testing.T, c apitest.Client, r *apitest.Response) {
				r.WantError(t, 400, "invalid_marketplace_token")
			}},
			{"no token", func(t *testing.T, c apitest.Client) (string, string) {
				seller(t, c)
				return c.SaaSID, ""
			}, func(t *testing.T, c apitest.Client, r *apitest.Response) {
				r.WantError(t, 400, "invalid_request", "x-amzn-marketplace-token")
			}},
			{"a token for another product of the same seller account", func(t *testing.T, c apitest.Client) (string, string) {
				seller(t, c)
				return c.SaaSID, apitest.AWSBuy(t, c, apitest.AWSProductCode(t), "basic_month")["marketplace_token"].(string)
			}, func(t *testing.T, c apitest.Client, r *apitest.Response) {
				r.WantError(t, 400, "wrong_product")
			}},
			{"settings without a role", func(t *testing.T, c apitest.Client) (string, string) {
				return c.SaaSID, apitest.AWSBuy(t, c, apitest.AWSProductCode(t), "basic_month")["marketplace_token"].(string)
			}, func(t *testing.T, c apitest.Client, r *apitest.Response) {
				r.WantError(t, 409, "aws_settings_incomplete")
			}},
			{"an unknown SaaS", func(t *testing.T, c apitest.Client) (string, string) {
				return "no-such-saas", "whatever"
			}, func(t *testing.T, c apitest.Client, r *apitest.Response) {
				r.WantError(t, 404, "not_found")
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				c := srv.NewSaaS(t)
				saasID, tok := tt.setup(t, c)
				tt.check(t, c, apitest.AWSFulfill(t, c, saasID, tok))
			})
		}
	})
}

// Tokens expire: AWS's after an hour in the emulator, saasplane's
// registration tokens after 24 hours.
func TestTokensExpire(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		clk := apitest.NewClock(time.Now().UTC())
		c := apitest.NewServerWith(t, b.DB, apitest.Options{Now: clk.Now}).NewSaaS(t)
		x := seller(t, c)
		stale := apitest.AWSBuy(t, c, x["product"], "basic_month")["marketplace_token"].(string)
		fresh := apitest.AWSBuy(t, c, x["product"], "basic_month")["marketplace_token"].(string)
		tok := apitest.AWSRegistrationToken(t, apitest.AWSFulfill(t, c, c.SaaSID, fresh))
		clk.Add(2 * time.Hour)
		apitest.AWSFulfill(t, c, c.SaaSID, stale).WantError(t, 400, "expired_marketplace_token")
		c.Do(t, "POST", P+"/registration-token/verify", obj{"registration_token": tok}).Want(t, 200)
		clk.Add(23 * time.Hour)
		c.Do(t, "POST", P+"/registration-token/verify", obj{"registration_token": tok}).WantError(t, 400, "invalid_registration_token")
		tenant := newTenant(t, c, "late")
		c.Do(t, "POST", P+"/customers", obj{"tenant_id": tenant, "registration_token": tok}).WantError(t, 400, "invalid_registration_token")
	})
}

// AWS failing: a few 5xx or throttles are retried away; a longer outage is
// 503 and uses nothing up, so the same call succeeds once AWS is back.
func TestAWSOutages(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		c := apitest.NewServer(t, b.DB).NewSaaS(t)
		x := bought(t, c)
		fault := func(op, typ string, n int) {
			c.Do(t, "POST", emu+"/faults", obj{"operation": op, "error": typ, "count": n}).Want(t, http.StatusCreated)
		}
		link := obj{"tenant_id": x["tenant"], "registration_token": x["token"]}

		fault("GetEntitlements", "InternalServiceErrorException", 10) // more than the client's 4 attempts
		c.Do(t, "POST", P+"/customers", link).WantError(t, 503, "unavailable")
		c.Do(t, "DELETE", emu+"/faults", nil).Want(t, 200)
		c.Do(t, "POST", P+"/registration-token/verify", obj{"registration_token": x["token"]}).Want(t, 200)

		fault("GetEntitlements", "ThrottlingException", 2) // retried away
		c.Do(t, "POST", P+"/customers", link).Want(t, http.StatusCreated)
		if got := tenantPlan(t, c, x["tenant"]); got != x["plan"] {
			t.Errorf("tenant plan = %q, want %q", got, x["plan"])
		}

		fault("ResolveCustomer", "ThrottlingException", 10)
		p := apitest.AWSBuy(t, c, x["product"], "basic_month")
		apitest.AWSFulfill(t, c, c.SaaSID, p["marketplace_token"].(string)).WantError(t, 503, "unavailable")
	})
}

// A buyer's contract drives the tenant's plan: a change moves it, a
// cancellation ends it; the tenant can be linked once.
func TestContractLifecycle(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		c := apitest.NewServer(t, b.DB).NewSaaS(t)
		x := linkedCustomer(t, c)
		sync := func() { c.Do(t, "POST", P+"/customers/"+x["customer"]+"/sync", nil).Want(t, 200) }
		customer := func() obj { return c.Do(t, "GET", P+"/customers/"+x["customer"], nil).Want(t, 200).JSON(t) }

		sync() // nothing changed: no new plan history entry
		hist, _ := c.Do(t, "GET", "/v1/auth/tenants/"+x["tenant"], nil).Want(t, 200).JSON(t)["plan_histories"].([]any)
		if len(hist) != 1 {
			t.Errorf("plan history after an idle sync has %d entries, want 1", len(hist))
		}

		okEmpty2(t, c, "PATCH", emu+"/purchases/"+x["customer"], obj{"dimension": "unlinked_dimension"})
		sync()
		if got := tenantPlan(t, c, x["tenant"]); got != x["plan"] {
			t.Errorf("after a change to a dimension with no linked plan the plan is %q, want it kept (%q)", got, x["plan"])
		}
		apitest.WantFields(t, "customer", customer(), obj{"dimension": "unlinked_dimension", "status": "subscribed"})

		// The same buyer cannot be linked to a second tenant.
		tok := apitest.AWSRegistrationToken(t, apitest.AWSFulfill(t, c, c.SaaSID,
			c.Do(t, "POST", emu+"/purchases/"+x["customer"]+"/token", nil).Want(t, http.StatusCreated).JSON(t)["marketplace_token"].(string)))
		other := newTenant(t, c, "other")
		c.Do(t, "POST", P+"/customers", obj{"tenant_id": other, "registration_token": tok}).WantError(t, 409, "customer_already_linked")

		okEmpty2(t, c, "POST", emu+"/purchases/"+x["customer"]+"/cancel", nil)
		sync()
		if got := tenantPlan(t, c, x["tenant"]); got != "" {
			t.Errorf("after cancellation the plan is %q, want none", got)
		}
		apitest.WantFields(t, "customer", customer(), obj{"dimension": "", "status": "unsubscribed"})

	})
}

// One SaaS cannot see, sync or link with another's buyers and tokens.
func TestCustomerIsolation(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := apitest.NewServer(t, b.DB)
		a, other := srv.NewSaaS(t), srv.NewSaaS(t)
		x := bought(t, a)
		seller(t, other)
		tenantB := newTenant(t, other, "b")
		other.Do(t, "POST", P+"/registration-token/verify", obj{"registration_token": x["token"]}).WantError(t, 400, "invalid_registration_token")
		other.Do(t, "POST", P+"/customers", obj{"tenant_id": tenantB, "registration_token": x["token"]}).WantError(t, 400, "invalid_registration_token")
		a.Do(t, "POST", P+"/customers", obj{"tenant_id": x["tenant"], "registration_token": x["token"]}).Want(t, http.StatusCreated)
		other.Do(t, "GET", P+"/customers/"+x["customer"], nil).WantError(t, 404, "not_found")
		other.Do(t, "POST", P+"/customers/"+x["customer"]+"/sync", nil).WantError(t, 404, "not_found")
		if cs := other.Do(t, "GET", P+"/customers", nil).Want(t, 200).JSON(t)["customers"].([]any); len(cs) != 0 {
			t.Errorf("SaaS B sees customers %v", cs)
		}
		// A's buyer at B's fulfillment URL: B's role cannot resolve A's product's token.
		p := apitest.AWSBuy(t, a, x["product"], "basic_month")
		if r := apitest.AWSFulfill(t, other, other.SaaSID, p["marketplace_token"].(string)); r.Status == http.StatusSeeOther {
			t.Errorf("B's fulfillment URL accepted a token of A's product: %s", r)
		}
	})
}
