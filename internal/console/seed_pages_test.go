package console_test

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/apilog"
)

// The data of the invoices, marketplace and API log pages.

// shiftClock is the domain services' clock: the real time, shifted while
// the seed makes plan history in the past.
type shiftClock struct{ shift atomic.Int64 }

func (c *shiftClock) Now() time.Time { return time.Now().Add(time.Duration(c.shift.Load())) }

// at runs fn with the clock at at.
func (c *shiftClock) at(at time.Time, fn func()) {
	c.shift.Store(int64(time.Until(at)))
	defer c.shift.Store(0)
	fn()
}

// newConsoleServer is a server over SQLite whose calls are recorded in the
// API log, with clock as its domain services' clock.
func newConsoleServer(t *testing.T, clock *shiftClock) *apitest.Server {
	t.Helper()
	return apitest.NewServerWith(t, apitest.OpenSQLite(t), apitest.Options{Now: clock.Now, APILog: &apilog.RecorderConfig{},
		EventJobs: true, BillingJobs: true, Jobs: registerReportJob})
}

// seededPages is what seedPages created, for the e2e.
type seededPages struct {
	invoice     string // Globex's invoice of the month before last (finalized directly)
	lastInvoice string // Globex's invoice of last month (by the run)
	run         string // the invoice run of last month
	monthBefore string // periods: YYYY-MM
	lastMonth   string
	awsCustomer string // the AWS buyer linked to Initech 2
	azureSub    string // the Azure subscription of Initech 3
	trace       string // the trace id of the call that finalized invoice
}

// seedPages gives the pages their data, after seed: Globex on Starter since
// the start of the month before last and Initech 1 on Pro since last
// month's (both with the 10% tax), Globex's invoice of the month before
// last finalized directly and last month's invoices by an invoice run; an
// AWS Marketplace buyer linked to Initech 2 and an Azure Marketplace
// subscription of Initech 3 (through the server's own emulators) with one
// operation; and a call with a known trace id in the API log.
func seedPages(t *testing.T, c apitest.Client, clock *shiftClock, s seeded, now time.Time) seededPages {
	t.Helper()
	var out seededPages
	ids := map[string]string{}
	for _, v := range c.Do(t, "GET", A+"/tenants", nil).Want(t, 200).JSON(t)["tenants"].([]any) {
		ids[v.(obj)["name"].(string)] = v.(obj)["id"].(string)
	}
	var tax string
	for _, v := range c.Do(t, "GET", P+"/tax-rates", nil).Want(t, 200).JSON(t)["tax_rates"].([]any) {
		if v.(obj)["name"] == "jct" {
			tax = v.(obj)["id"].(string)
		}
	}
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	m1, m2 := month.AddDate(0, -1, 0), month.AddDate(0, -2, 0)
	out.lastMonth, out.monthBefore = m1.Format("2006-01"), m2.Format("2006-01")
	clock.at(m2, func() {
		c.Do(t, "PUT", A+"/tenants/"+s.globex+"/plans", obj{"next_plan_id": s.starter, "next_plan_tax_rate_id": tax}).Want(t, 200)
	})
	clock.at(m1, func() {
		c.Do(t, "PUT", A+"/tenants/"+ids["Initech 1"]+"/plans", obj{"next_plan_id": s.pro, "next_plan_tax_rate_id": tax}).Want(t, 200)
	})
	at := m1.AddDate(0, 0, 9).Add(12 * time.Hour).Unix()
	c.Do(t, "PUT", P+"/metering/tenants/"+s.globex+"/units/calls/timestamp/"+strconv.FormatInt(at, 10), obj{"method": "add", "count": 250}).Want(t, 200)

	out.trace = "e2e-finalize-" + uuid.NewString()[:8]
	out.invoice = c.Send(t, apitest.Request{Method: "POST", Path: "/v1/billing/invoices", Body: obj{"tenant_id": s.globex, "period": out.monthBefore},
		Header: http.Header{"X-Saasus-Trace-Id": {out.trace}}}).Want(t, 201).JSON(t)["invoice_id"].(string)
	out.run = c.Do(t, "POST", "/v1/billing/invoice-runs", obj{"period": out.lastMonth}).Want(t, 202).JSON(t)["run_id"].(string)
	if err := c.Server.Billing.WorkRun(t.Context(), c.SaaSID, out.run); err != nil {
		t.Fatal(err)
	}
	for _, v := range c.Do(t, "GET", "/v1/billing/invoices?tenant_id="+s.globex+"&period="+out.lastMonth, nil).Want(t, 200).JSON(t)["invoices"].([]any) {
		out.lastInvoice = v.(obj)["invoice_id"].(string)
	}

	// AWS Marketplace: a buyer of basic_month (Starter), linked to Initech 2.
	product := apitest.AWSSell(t, c)
	c.OKEmpty(t, "PUT", "/v1/awsmarketplace/plans", obj{"plan_id": s.starter, "plan_name": "basic_month"})
	p := apitest.AWSBuy(t, c, product, "basic_month")
	out.awsCustomer = p["customer_identifier"].(string)
	tok := apitest.AWSRegistrationToken(t, apitest.AWSFulfill(t, c, c.SaaSID, p["marketplace_token"].(string)))
	c.Do(t, "POST", "/v1/awsmarketplace/customers", obj{"tenant_id": ids["Initech 2"], "registration_token": tok}).Want(t, 201)

	// Azure Marketplace: 5 seats of gold (Pro) for Initech 3, then 8.
	const az, emu = "/v1/azuremarketplace", "/azure/_emulator"
	id := c.Do(t, "GET", emu+"/identity", nil).Want(t, 200).JSON(t)
	c.OKEmpty(t, "PUT", az+"/settings", obj{"tenant_id": id["tenant_id"], "client_id": id["client_id"], "client_secret": id["client_secret"]})
	c.Do(t, "POST", emu+"/offers", obj{"offer_id": "initech-suite", "plans": []obj{
		{"plan_id": "gold", "display_name": "Gold", "is_price_per_seat": true, "min_quantity": 1, "max_quantity": 50, "metering_dimensions": []obj{}},
	}}).Want(t, 201)
	c.OKEmpty(t, "PUT", az+"/plans", obj{"azure_plan_id": "gold", "plan_id": s.pro})
	buy := c.Do(t, "POST", emu+"/purchases", obj{"offer_id": "initech-suite", "plan_id": "gold", "subscription_name": "Initech seats", "quantity": 5}).Want(t, 201).JSON(t)
	out.azureSub = buy["subscription_id"].(string)
	c.Do(t, "POST", az+"/subscriptions/"+out.azureSub+"/activate", obj{"tenant_id": ids["Initech 3"]}).Want(t, 200)
	c.Do(t, "POST", emu+"/subscriptions/"+out.azureSub+"/actions", obj{"action": "ChangeQuantity", "quantity": 8}).Want(t, 202)
	c.Do(t, "POST", az+"/subscriptions/"+out.azureSub+"/sync", nil).Want(t, 200)
	return out
}
