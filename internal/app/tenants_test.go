package app_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/app"
	"github.com/saasplane/saasplane/internal/saas"
)

// cliWorld is a served binary (SQLite) with an empty SaaS, and the
// environment of the CLI that talks to it.
type cliWorld struct {
	srv   *server
	creds saas.Credentials
	env   map[string]string
}

func newCLIWorld(t *testing.T, name string) *cliWorld {
	t.Helper()
	c := saas.Credentials{SaaSID: name + "-saas", APIKey: name + "-key", SecretKey: name + "-secret"}
	env := map[string]string{"SAASUS_SAAS_ID": c.SaaSID, "SAASUS_API_KEY": c.APIKey, "SAASUS_SECRET_KEY": c.SecretKey, "SAASPLANE_ACCESS_LOG": "false"}
	w := &cliWorld{srv: serve(t, env, "--data", t.TempDir()), creds: c, env: env}
	env["SAASPLANE_SERVER"] = w.srv.url
	return w
}

// call sends a signed JSON request and requires status want.
func (w *cliWorld) call(t *testing.T, method, path string, body any, want int) map[string]any {
	t.Helper()
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	code, out := do(t, signed(t, w.creds, method, w.srv.url+path, b, nil))
	if code != want {
		t.Fatalf("%s %s = %d %s, want %d", method, path, code, out, want)
	}
	var m map[string]any
	_ = json.Unmarshal([]byte(out), &m)
	return m
}

// runJSON runs a command that must succeed and decodes its JSON output.
func runJSON(t *testing.T, env map[string]string, out any, args ...string) {
	t.Helper()
	s, err := run(t, env, args...)
	if err != nil {
		t.Fatalf("%v = %v", args, err)
	}
	if err := json.Unmarshal([]byte(s), out); err != nil {
		t.Fatalf("%v printed %q, not JSON: %v", args, s, err)
	}
}

type tenantJSON struct {
	ID                string         `json:"id"`
	Name              string         `json:"name"`
	Email             string         `json:"back_office_staff_email"`
	Attributes        map[string]any `json:"attributes"`
	PlanID            string         `json:"plan_id"`
	NextPlanID        *string        `json:"next_plan_id"`
	UsingNextPlanFrom *int64         `json:"using_next_plan_from"`
	NextPlanTaxRateID string         `json:"next_plan_tax_rate_id"`
	PlanHistories     []struct {
		PlanID    string `json:"plan_id"`
		TaxRateID string `json:"tax_rate_id"`
	} `json:"plan_histories"`
}

// TestTenantsCommands runs create, list, show, update, plan (now, at a
// time, the end of a plan, a cancellation) and delete against a served
// binary, reading each change back with --json and in the tables.
func TestTenantsCommands(t *testing.T) {
	w := newCLIWorld(t, "tenants")
	env := w.env
	const P = "/v1/pricing"
	w.call(t, "POST", P+"/metering/units", map[string]any{"unit_name": "calls", "display_name": "Calls", "description": "API calls"}, 201)
	unit := w.call(t, "POST", P+"/units", map[string]any{"name": "calls_fee", "display_name": "API calls", "description": "per call", "currency": "JPY",
		"type": "usage", "unit_amount": 3, "upper_count": 0, "metering_unit_name": "calls"}, 201)["id"]
	menu := w.call(t, "POST", P+"/menus", map[string]any{"name": "menu", "display_name": "Menu", "description": "menu", "unit_ids": []any{unit}}, 201)["id"]
	basic := w.call(t, "POST", P+"/plans", map[string]any{"name": "basic", "display_name": "Basic", "description": "plan", "menu_ids": []any{menu}}, 201)["id"].(string)
	pro := w.call(t, "POST", P+"/plans", map[string]any{"name": "pro", "display_name": "Pro", "description": "plan", "menu_ids": []any{menu}}, 201)["id"].(string)
	tax := w.call(t, "POST", P+"/tax-rates", map[string]any{"name": "jct", "display_name": "JCT", "percentage": 10, "inclusive": false, "country": "JP", "description": "10%"}, 201)["id"].(string)
	w.call(t, "POST", "/v1/auth/tenant-attributes", map[string]any{"attribute_name": "region", "display_name": "Region", "attribute_type": "string"}, 201)
	w.call(t, "POST", "/v1/auth/tenant-attributes", map[string]any{"attribute_name": "seats", "display_name": "Seats", "attribute_type": "number"}, 201)

	var created tenantJSON
	runJSON(t, env, &created, "tenants", "create", "--json", "--name", "acme", "--email", "ops@acme.example", "--attr", "region=jp", "--attr", "seats=12")
	if created.ID == "" || created.Name != "acme" || created.Email != "ops@acme.example" || created.Attributes["region"] != "jp" || created.Attributes["seats"] != 12.0 {
		t.Fatalf("tenants create --json = %+v", created)
	}
	id := created.ID
	out, err := run(t, env, "tenants", "create", "--name", "globex", "--email", "ops@globex.example")
	if err != nil || !strings.Contains(out, "Created tenant ") || !hasRow(out, "NAME globex") {
		t.Fatalf("tenants create = %q, %v", out, err)
	}

	var list struct{ Tenants []tenantJSON }
	runJSON(t, env, &list, "tenants", "list", "--json")
	if len(list.Tenants) != 2 || list.Tenants[0].ID != id || list.Tenants[1].Name != "globex" {
		t.Fatalf("tenants list --json = %+v", list)
	}

	// A plan now, by name, with a tax rate by name.
	out, err = run(t, env, "tenants", "plan", id, "basic", "--tax-rate", "jct")
	if err != nil || !strings.Contains(out, "Changed the plan of tenant "+id) || !hasRow(out, "PLAN basic ("+basic+")") {
		t.Fatalf("tenants plan = %q, %v", out, err)
	}
	tenantOut := func(args ...string) tenantJSON { // a fresh value each time: absent fields stay zero
		t.Helper()
		var v tenantJSON
		runJSON(t, env, &v, args...)
		return v
	}
	got := tenantOut("tenants", "show", id, "--json")
	if got.PlanID != basic || len(got.PlanHistories) != 1 || got.PlanHistories[0].TaxRateID != tax || got.NextPlanID != nil {
		t.Fatalf("after plan now: %+v", got)
	}
	out, err = run(t, env, "tenants", "list")
	if err != nil || !strings.HasPrefix(rows(out)[0], "ID NAME PLAN BACK OFFICE EMAIL PLAN SINCE NEXT") ||
		!strings.Contains(rows(out)[1], id+" acme basic ops@acme.example ") || !strings.HasSuffix(rows(out)[2], "globex - ops@globex.example - -") {
		t.Errorf("tenants list =\n%s%v", out, err)
	}

	// A reservation at a time (RFC 3339), by id; then cancelled.
	at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	got = tenantOut("tenants", "plan", id, pro, "--at", at.Format(time.RFC3339), "--json")
	if got.PlanID != basic || got.NextPlanID == nil || *got.NextPlanID != pro || *got.UsingNextPlanFrom != at.Unix() {
		t.Fatalf("tenants plan --at = %+v", got)
	}
	out, err = run(t, env, "tenants", "show", id)
	if err != nil || !hasRow(out, "NEXT PLAN pro from "+at.Format(time.RFC3339)) || !hasRow(out, "ATTRIBUTE region jp") || !hasRow(out, "ATTRIBUTE seats 12") ||
		!hasRow(out, "APPLIED AT PLAN TAX RATE") || !strings.Contains(out, " basic ") {
		t.Errorf("tenants show =\n%s%v", out, err)
	}
	got = tenantOut("tenants", "plan", id, "--none", "--json")
	if got.NextPlanID != nil || got.UsingNextPlanFrom != nil || got.PlanID != basic {
		t.Errorf("tenants plan --none = %+v, want the reservation cancelled", got)
	}
	// The end of the plan at a time (Unix seconds).
	got = tenantOut("tenants", "plan", id, "--none", "--at", strconv.FormatInt(at.Unix(), 10), "--json")
	if got.NextPlanID == nil || *got.NextPlanID != "" || *got.UsingNextPlanFrom != at.Unix() {
		t.Errorf("tenants plan --none --at = %+v, want the end of the plan reserved", got)
	}

	// Update keeps what the flags do not change; NAME= unsets.
	got = tenantOut("tenants", "update", id, "--name", "acme corp", "--attr", "seats=", "--json")
	if got.Name != "acme corp" || got.Email != "ops@acme.example" || got.Attributes["region"] != "jp" || got.Attributes["seats"] != nil {
		t.Errorf("tenants update = %+v", got)
	}

	// The server's refusals are the commands' errors.
	past := strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"tenants", "show", "nope"}, "404 not_found"},
		{[]string{"tenants", "update", "nope", "--name", "x"}, "404 not_found"},
		{[]string{"tenants", "plan", id, "basic", "--at", past}, "400 invalid_request: using_next_plan_from"},
		{[]string{"tenants", "create", "--name", "x", "--email", "not-an-email"}, "400 invalid_request"},
	} {
		if _, err := run(t, env, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v = %v, want the server's %s", c.args, err, c.want)
		}
	}

	out, err = run(t, env, "tenants", "delete", id)
	if err != nil || strings.TrimSpace(out) != "Deleted tenant "+id+"." {
		t.Fatalf("tenants delete = %q, %v", out, err)
	}
	runJSON(t, env, &list, "tenants", "list", "--json")
	if len(list.Tenants) != 1 || list.Tenants[0].Name != "globex" {
		t.Errorf("tenants list after delete = %+v", list)
	}
	if _, err := run(t, env, "tenants", "show", id); err == nil || !strings.Contains(err.Error(), "404 not_found") {
		t.Errorf("show of a deleted tenant = %v, want 404", err)
	}
	var del map[string]any
	runJSON(t, env, &del, "tenants", "delete", id, "--json") // a retried delete succeeds, as the API says
	if del["deleted"] != true {
		t.Errorf("tenants delete --json = %v", del)
	}

	for _, args := range [][]string{
		{"tenants"}, {"tenants", "nope"}, {"tenants", "show"}, {"tenants", "show", "a", "b"},
		{"tenants", "create", "--name", "x"}, {"tenants", "create", "--email", "x@example.com"},
		{"tenants", "create", "--name", "x", "--email", "x@example.com", "--attr", "novalue"},
		{"tenants", "create", "--name", "x", "--email", "x@example.com", "--attr", "colour=red"},
		{"tenants", "create", "--name", "x", "--email", "x@example.com", "--attr", "seats=many"},
		{"tenants", "update", list.Tenants[0].ID}, {"tenants", "plan", id}, {"tenants", "plan", id, "a", "b"},
		{"tenants", "plan", id, "--none", "--tax-rate", "jct"}, {"tenants", "plan", id, "nosuchplan"},
		{"tenants", "plan", id, "basic", "--at", "tomorrow"}, {"tenants", "plan", id, "basic", "--at", "2030-01-01T00:00:00.5Z"},
		{"tenants", "list", "--server", "ftp://x"},
	} {
		if _, err := run(t, env, args...); !errors.Is(err, app.ErrUsage) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
}
