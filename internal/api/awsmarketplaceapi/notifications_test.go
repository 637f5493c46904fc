package awsmarketplaceapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// eventually polls cond until it holds or 10 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still not %s after 10 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// subscribe points the emulator's SNS at c's notification endpoint. The
// emulator subscribes it to the topics of each product once that product
// is first bought.
func subscribe(t *testing.T, c apitest.Client) {
	t.Helper()
	endpoint := c.Server.URL + "/awsmarketplace/notifications/" + c.SaaSID
	c.Do(t, "PUT", emu+"/notifications", obj{"endpoint": endpoint}).Want(t, http.StatusOK)
}

// confirmed waits until saasplane has confirmed n subscriptions.
func confirmed(t *testing.T, c apitest.Client, n int) {
	t.Helper()
	eventually(t, "confirmed by saasplane", func() bool {
		b := c.Do(t, "GET", emu+"/notifications", nil).Want(t, http.StatusOK).Body
		return strings.Count(string(b), `"status":"confirmed"`) >= n
	})
}

// The whole AWS Marketplace flow, offline, driven by the emulator's
// notifications: purchase, fulfillment, verification, link, plan, usage
// reported, a contract change the plan follows, and the unsubscription
// that ends it.
func TestEndToEndWithNotifications(t *testing.T) {
	t.Parallel()
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		t0 := time.Now().UTC().Truncate(time.Hour).Add(-3 * time.Hour)
		clk := apitest.NewClock(t0.Add(5 * time.Minute))
		srv := apitest.NewServerWith(t, b.DB, apitest.Options{Now: clk.Now, EmulatorJobs: true, UsageJobs: true})
		c := srv.NewSaaS(t)
		x := seller(t, c)
		c.Do(t, "POST", "/v1/pricing/metering/units", obj{"unit_name": "calls", "display_name": "Calls", "description": "API calls"}).Want(t, http.StatusCreated)
		okEmpty(t, c, "PUT", "/metering-dimensions", obj{"metering_unit_name": "calls", "dimension": "api_calls"})
		c.Do(t, "POST", emu+"/products/"+x["product"]+"/dimensions", obj{"dimensions": []string{"api_calls"}}).Want(t, http.StatusNoContent)
		subscribe(t, c)

		p := apitest.AWSBuy(t, c, x["product"], "basic_month")
		confirmed(t, c, 2)
		customer := p["customer_identifier"].(string)
		tok := apitest.AWSRegistrationToken(t, apitest.AWSFulfill(t, c, c.SaaSID, p["marketplace_token"].(string)))
		c.Do(t, "POST", P+"/registration-token/verify", obj{"registration_token": tok}).Want(t, 200)
		tenantID := newTenant(t, c, "acme")
		c.Do(t, "POST", P+"/customers", obj{"tenant_id": tenantID, "registration_token": tok}).Want(t, http.StatusCreated)
		if got := tenantPlan(t, c, tenantID); got != x["plan"] {
			t.Fatalf("plan after linking = %q, want basic %q", got, x["plan"])
		}

		// Usage in the first hour is reported once that hour has closed.
		c.Do(t, "PUT", fmt.Sprintf("/v1/pricing/metering/tenants/%s/units/calls/timestamp/%d", tenantID, t0.Add(20*time.Minute).Unix()),
			obj{"method": "add", "count": 42}).Want(t, http.StatusOK)
		clk.Set(t0.Add(time.Hour + 15*time.Minute))
		c.Do(t, "POST", P+"/usage-reports/run", nil).Want(t, http.StatusOK)
		var usage struct {
			Records []struct {
				Dimension, Status string
				Quantity          int64
			} `json:"usage_records"`
		}
		_ = json.Unmarshal(c.Do(t, "GET", emu+"/usage", nil).Want(t, http.StatusOK).Body, &usage)
		if len(usage.Records) != 1 || usage.Records[0].Quantity != 42 || usage.Records[0].Status != "Success" {
			t.Fatalf("AWS received %+v, want one record of 42 api_calls", usage.Records)
		}

		okEmpty2(t, c, "PATCH", emu+"/purchases/"+customer, obj{"dimension": "pro_month"})
		eventually(t, "on the pro plan after the contract change", func() bool { return tenantPlan(t, c, tenantID) == x["pro_plan"] })

		okEmpty2(t, c, "POST", emu+"/purchases/"+customer+"/cancel", nil)
		eventually(t, "without a plan after the cancellation", func() bool { return tenantPlan(t, c, tenantID) == "" })
		eventually(t, "unsubscribed", func() bool {
			return c.Do(t, "GET", P+"/customers/"+customer, nil).Want(t, 200).JSON(t)["status"] == "unsubscribed"
		})
		eventually(t, "all delivered", func() bool {
			var ms struct {
				Messages []struct{ Status string } `json:"messages"`
			}
			_ = json.Unmarshal(c.Do(t, "GET", emu+"/notifications/messages", nil).Want(t, 200).Body, &ms)
			for _, m := range ms.Messages {
				if m.Status != "delivered" {
					return false
				}
			}
			return len(ms.Messages) > 0
		})
	})
}

// Messages not signed by SNS (or by the trusted emulator) are refused and
// change nothing; malformed ones are 400.
func TestForgedNotifications(t *testing.T) {
	t.Parallel()
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		c := apitest.NewServer(t, b.DB).NewSaaS(t)
		x := linkedCustomer(t, c)
		post := func(body string) *apitest.Response {
			return c.Server.Raw(t, "POST", "/awsmarketplace/notifications/"+c.SaaSID, []byte(body),
				http.Header{"Content-Type": {"text/plain; charset=UTF-8"}})
		}
		msg, _ := json.Marshal(map[string]string{"action": "unsubscribe-success", "customer-identifier": x["customer"], "product-code": x["product"]})
		forged, _ := json.Marshal(map[string]string{
			"Type": "Notification", "MessageId": "forged-1",
			"TopicArn": "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-" + x["product"],
			"Message":  string(msg), "Timestamp": time.Now().UTC().Format(time.RFC3339),
			"SignatureVersion": "2", "Signature": strings.Repeat("QUFB", 86) + "QQ==",
			"SigningCertURL": c.Server.URL + "/aws/sns/cert.pem",
		})
		post(string(forged)).WantError(t, http.StatusUnauthorized, "invalid_sns_signature")
		post(`{"Type":"Notification"}`).WantError(t, http.StatusBadRequest, "invalid_request")
		post(`not json`).WantError(t, http.StatusBadRequest, "invalid_request")
		if got := tenantPlan(t, c, x["tenant"]); got != x["plan"] {
			t.Errorf("a forged unsubscribe-success changed the plan to %q", got)
		}
	})
}
