package console_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

const (
	P = "/v1/pricing"
	A = "/v1/auth"
	C = "/v1/communication"
)

type obj = apitest.Obj

// seeded is what seed created, for the test's checks.
type seeded struct {
	starter, pro string // plan ids
	acme, globex string // tenant ids
	feedback     string
	// users page: ann, a member of Acme and admin in prod, her access
	// token (to invite), and her invitation of carol.
	ann, annToken, invitation string
}

// seed fills the client's SaaS through the signed API: meters, units,
// menus, plans, a tax rate, tenants with an attribute and a plan, usage
// over two months, and feedback with a vote and a comment.
func seed(t *testing.T, c apitest.Client, now time.Time) seeded {
	t.Helper()
	var s seeded
	c.Do(t, "POST", P+"/metering/units", obj{"unit_name": "calls", "display_name": "API calls", "description": "calls to the API"}).Want(t, 201)
	c.Do(t, "POST", P+"/metering/units", obj{"unit_name": "seats", "display_name": "Seats", "description": "seats in use", "aggregate_usage": "max"}).Want(t, 201)
	unit := func(body obj) string {
		body["display_name"], body["description"], body["currency"] = "Unit "+body["name"].(string), "a unit", "JPY"
		return c.Do(t, "POST", P+"/units", body).Want(t, 201).JSON(t)["id"].(string)
	}
	base := unit(obj{"name": "base", "type": "fixed", "unit_amount": 1000, "recurring_interval": "month"})
	calls := unit(obj{"name": "calls_fee", "type": "usage", "unit_amount": 2, "upper_count": 0, "metering_unit_name": "calls"})
	proFee := unit(obj{"name": "pro_fee", "type": "fixed", "unit_amount": 3000, "recurring_interval": "month"})
	plan := func(name, display string, unitIDs ...string) string {
		menu := c.Do(t, "POST", P+"/menus", obj{"name": name + "_menu", "display_name": display + " menu", "description": "menu", "unit_ids": unitIDs}).Want(t, 201).JSON(t)["id"].(string)
		return c.Do(t, "POST", P+"/plans", obj{"name": name, "display_name": display, "description": "plan", "menu_ids": []string{menu}}).Want(t, 201).JSON(t)["id"].(string)
	}
	s.starter, s.pro = plan("starter", "Starter", base, calls), plan("pro", "Pro", proFee)
	c.Do(t, "POST", P+"/tax-rates", obj{"name": "jct", "display_name": "Consumption tax", "percentage": 10, "inclusive": false, "country": "JP", "description": "10%"}).Want(t, 201)
	c.Do(t, "POST", A+"/tenant-attributes", obj{"attribute_name": "region", "display_name": "Region", "attribute_type": "string"}).Want(t, 201)
	tenant := func(name, region string) string {
		return c.Do(t, "POST", A+"/tenants", obj{"name": name, "attributes": obj{"region": region}, "back_office_staff_email": "ops@example.com"}).Want(t, 201).JSON(t)["id"].(string)
	}
	s.acme, s.globex = tenant("Acme", "eu"), tenant("Globex", "us")
	for i := range 3 {
		tenant(fmt.Sprintf("Initech %d", i+1), "jp")
	}
	c.Do(t, "PUT", A+"/tenants/"+s.acme+"/plans", obj{"next_plan_id": s.starter}).Want(t, 200)
	// Usage on the first days of this month and of the last one.
	month := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, time.UTC)
	for d := range min(now.Day(), 5) {
		at := month.AddDate(0, 0, d).Unix()
		c.Do(t, "PUT", fmt.Sprintf("%s/metering/tenants/%s/units/calls/timestamp/%d", P, s.acme, at), obj{"method": "add", "count": 10 * (d + 1)}).Want(t, 200)
		c.Do(t, "PUT", fmt.Sprintf("%s/metering/tenants/%s/units/seats/timestamp/%d", P, s.acme, at), obj{"method": "direct", "count": 3 + d}).Want(t, 200)
		c.Do(t, "PUT", fmt.Sprintf("%s/metering/tenants/%s/units/calls/timestamp/%d", P, s.globex, at), obj{"method": "add", "count": 7}).Want(t, 200)
	}
	last := month.AddDate(0, -1, 3).Unix()
	c.Do(t, "PUT", fmt.Sprintf("%s/metering/tenants/%s/units/calls/timestamp/%d", P, s.acme, last), obj{"method": "add", "count": 400}).Want(t, 200)
	ann := c.Do(t, "POST", A+"/users", obj{"sign_in_id": "ann"}).Want(t, 201).JSON(t)["id"].(string)
	bob := c.Do(t, "POST", A+"/users", obj{"sign_in_id": "bob"}).Want(t, 201).JSON(t)["id"].(string)
	s.feedback = c.Do(t, "POST", C+"/feedbacks", obj{"feedback_title": "Dark mode", "feedback_description": "Please add a dark theme.", "user_id": ann}).Want(t, 201).JSON(t)["id"].(string)
	c.Do(t, "POST", C+"/feedbacks", obj{"feedback_title": "CSV export", "feedback_description": "Export invoices as CSV.", "user_id": bob}).Want(t, 201)
	c.Do(t, "POST", C+"/feedbacks/"+s.feedback+"/votes/users", obj{"user_id": bob}).Want(t, 201)
	c.Do(t, "POST", C+"/feedbacks/"+s.feedback+"/comments", obj{"body": "Planned for the next release."}).Want(t, 201)
	// Users: roles, ann a member of Acme with a role in prod (env 3), an
	// email user, and ann's invitation of carol.
	s.ann = ann
	c.Do(t, "POST", A+"/users", obj{"email": "dana@example.com", "password": "Sup3r-secret"}).Want(t, 201)
	c.Do(t, "POST", A+"/roles", obj{"role_name": "admin", "display_name": "Administrator"}).Want(t, 201)
	c.Do(t, "POST", A+"/roles", obj{"role_name": "viewer", "display_name": "Viewer"}).Want(t, 201)
	c.Do(t, "POST", A+"/tenants/"+s.acme+"/users", obj{"sign_in_id": "ann", "attributes": obj{}}).Want(t, 201)
	c.Do(t, "POST", A+"/tenants/"+s.acme+"/users/"+ann+"/envs/3/roles", obj{"role_names": []string{"admin"}}).Want(t, 201)
	tok, err := c.Server.Identity.StartSession(t.Context(), c.SaaSID, ann)
	if err != nil {
		t.Fatal(err)
	}
	s.annToken = tok.AccessToken
	s.invitation = c.Do(t, "POST", A+"/tenants/"+s.acme+"/invitations", obj{"email": "carol@example.com", "access_token": s.annToken,
		"envs": []obj{{"id": 3, "role_names": []string{"viewer"}}}}).Want(t, 201).JSON(t)["id"].(string)
	return s
}
