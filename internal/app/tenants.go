package app

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// runTenants runs the tenant client commands over the Auth API's tenant
// routes (/v1/auth/tenants) of a running server.
func runTenants(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: tenants needs a subcommand: list, show, create, update, delete or plan", ErrUsage)
	}
	switch args[0] {
	case "list":
		return tenantsList(ctx, args[1:], getenv, stdout, stderr)
	case "show":
		return tenantsShow(ctx, args[1:], getenv, stdout, stderr)
	case "create":
		return tenantsCreate(ctx, args[1:], getenv, stdout, stderr)
	case "update":
		return tenantsUpdate(ctx, args[1:], getenv, stdout, stderr)
	case "delete":
		return tenantsDelete(ctx, args[1:], getenv, stdout, stderr)
	case "plan":
		return tenantsPlan(ctx, args[1:], getenv, stdout, stderr)
	default:
		return fmt.Errorf("%w: unknown tenants subcommand %q: list, show, create, update, delete or plan", ErrUsage, args[0])
	}
}

// tenantCmd holds the flags every tenants subcommand has.
type tenantCmd struct {
	name   string
	fs     *flag.FlagSet
	server *string
	asJSON *bool
}

func newTenantCmd(name string, getenv func(string) string, stderr io.Writer) tenantCmd {
	fs := newFlagSet("tenants "+name, stderr)
	return tenantCmd{name: name, fs: fs,
		server: fs.String("server", envOr(getenv, "SAASPLANE_SERVER", "http://127.0.0.1:8080"), "the saasplane server (env SAASPLANE_SERVER)"),
		asJSON: fs.Bool("json", false, "print the server's JSON instead of tables")}
}

// parseID parses the flags around exactly one tenant id.
func (cmd tenantCmd) parseID(args []string) (string, error) {
	pos, err := parseWithArgs(cmd.fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 || pos[0] == "" {
		return "", fmt.Errorf("%w: tenants %s needs exactly one tenant id", ErrUsage, cmd.name)
	}
	return pos[0], nil
}

// attrFlags collects repeated --attr k=v flags, in order.
type attrFlags []string

func (a *attrFlags) String() string { return strings.Join(*a, ",") }
func (a *attrFlags) Set(v string) error {
	if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
		return fmt.Errorf("want NAME=VALUE, got %q", v)
	}
	*a = append(*a, v)
	return nil
}

// tenantPath is the route of one tenant.
func tenantPath(id string) string { return "/v1/auth/tenants/" + url.PathEscape(id) }

// tenantsList prints the SaaS's tenants in creation order.
func tenantsList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := newTenantCmd("list", getenv, stderr)
	if err := parse(cmd.fs, args); err != nil {
		return err
	}
	c, err := newClient(*cmd.server, getenv)
	if err != nil {
		return err
	}
	var raw json.RawMessage
	if err := c.do(ctx, "GET", "/v1/auth/tenants", nil, &raw); err != nil {
		return err
	}
	if *cmd.asJSON {
		_, err := fmt.Fprintf(stdout, "%s\n", raw)
		return err
	}
	var v struct {
		Tenants []wireTenant `json:"tenants"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("read tenants: %w", err)
	}
	names, err := fetchCatalogNames(ctx, c)
	if err != nil {
		return err
	}
	return printTenantList(stdout, v.Tenants, names)
}

// tenantsShow prints one tenant: its fields, attributes, current plan
// and period, pending reservation and plan history.
func tenantsShow(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := newTenantCmd("show", getenv, stderr)
	id, err := cmd.parseID(args)
	if err != nil {
		return err
	}
	c, err := newClient(*cmd.server, getenv)
	if err != nil {
		return err
	}
	return showTenant(ctx, c, id, *cmd.asJSON, stdout)
}

// showTenant reads a tenant and prints it (as is with asJSON).
func showTenant(ctx context.Context, c *client, id string, asJSON bool, stdout io.Writer) error {
	var raw json.RawMessage
	if err := c.do(ctx, "GET", tenantPath(id), nil, &raw); err != nil {
		return err
	}
	if asJSON {
		_, err := fmt.Fprintf(stdout, "%s\n", raw)
		return err
	}
	var t wireTenant
	if err := json.Unmarshal(raw, &t); err != nil {
		return fmt.Errorf("read tenant: %w", err)
	}
	names, err := fetchCatalogNames(ctx, c)
	if err != nil {
		return err
	}
	return printTenant(stdout, t, names)
}

// tenantsCreate creates a tenant and prints it.
func tenantsCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := newTenantCmd("create", getenv, stderr)
	name := cmd.fs.String("name", "", "the tenant's name (required)")
	email := cmd.fs.String("email", "", "the back office staff's email address (required)")
	var attrs attrFlags
	cmd.fs.Var(&attrs, "attr", "a tenant attribute NAME=VALUE, typed as the attribute is declared; repeatable")
	if err := parse(cmd.fs, args); err != nil {
		return err
	}
	if *name == "" || *email == "" {
		return fmt.Errorf("%w: tenants create needs --name and --email", ErrUsage)
	}
	c, err := newClient(*cmd.server, getenv)
	if err != nil {
		return err
	}
	values := map[string]any{}
	if err := setAttributes(ctx, c, values, attrs); err != nil {
		return err
	}
	body, err := json.Marshal(map[string]any{"name": *name, "back_office_staff_email": *email, "attributes": values})
	if err != nil {
		return err
	}
	var created wireTenant
	if err := c.do(ctx, "POST", "/v1/auth/tenants", body, &created); err != nil {
		return err
	}
	if !*cmd.asJSON {
		fmt.Fprintf(stdout, "Created tenant %s.\n\n", created.ID)
	}
	return showTenant(ctx, c, created.ID, *cmd.asJSON, stdout)
}

// tenantsUpdate changes a tenant's name, email or attributes. The API
// replaces all three at once, so the command reads the tenant and sends
// it back with the flags' changes.
func tenantsUpdate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := newTenantCmd("update", getenv, stderr)
	name := cmd.fs.String("name", "", "the new name")
	email := cmd.fs.String("email", "", "the new back office staff email address")
	var attrs attrFlags
	cmd.fs.Var(&attrs, "attr", "set a tenant attribute NAME=VALUE (NAME= unsets it); repeatable")
	id, err := cmd.parseID(args)
	if err != nil {
		return err
	}
	if *name == "" && *email == "" && len(attrs) == 0 {
		return fmt.Errorf("%w: tenants update needs --name, --email or --attr", ErrUsage)
	}
	c, err := newClient(*cmd.server, getenv)
	if err != nil {
		return err
	}
	var cur struct {
		Name       string                     `json:"name"`
		Email      string                     `json:"back_office_staff_email"`
		Attributes map[string]json.RawMessage `json:"attributes"`
	}
	if err := c.do(ctx, "GET", tenantPath(id), nil, &cur); err != nil {
		return err
	}
	if *name != "" {
		cur.Name = *name
	}
	if *email != "" {
		cur.Email = *email
	}
	values := map[string]any{}
	for k, v := range cur.Attributes {
		values[k] = v
	}
	if err := setAttributes(ctx, c, values, attrs); err != nil {
		return err
	}
	body, err := json.Marshal(map[string]any{"name": cur.Name, "back_office_staff_email": cur.Email, "attributes": values})
	if err != nil {
		return err
	}
	if err := c.do(ctx, "PATCH", tenantPath(id), body, nil); err != nil {
		return err
	}
	if !*cmd.asJSON {
		fmt.Fprintf(stdout, "Updated tenant %s.\n\n", id)
	}
	return showTenant(ctx, c, id, *cmd.asJSON, stdout)
}

// tenantsDelete deletes a tenant.
func tenantsDelete(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := newTenantCmd("delete", getenv, stderr)
	id, err := cmd.parseID(args)
	if err != nil {
		return err
	}
	c, err := newClient(*cmd.server, getenv)
	if err != nil {
		return err
	}
	if err := c.do(ctx, "DELETE", tenantPath(id), nil, nil); err != nil {
		return err
	}
	if *cmd.asJSON {
		b, _ := json.Marshal(map[string]any{"id": id, "deleted": true})
		_, err := fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	_, err = fmt.Fprintf(stdout, "Deleted tenant %s.\n", id)
	return err
}

// tenantsPlan changes a tenant's plan now, reserves a change (or the end
// of the plan) for a time, or cancels the pending reservation:
//
//	plan ID PLAN [--tax-rate T]        switch now
//	plan ID PLAN --at TIME [--tax-rate T]  switch at TIME
//	plan ID --none --at TIME           end the plan at TIME
//	plan ID --none                     cancel the pending reservation
//
// PLAN and T are ids or names.
func tenantsPlan(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := newTenantCmd("plan", getenv, stderr)
	at := cmd.fs.String("at", "", "reserve the change for this time: RFC 3339 or Unix seconds (default: now)")
	taxRate := cmd.fs.String("tax-rate", "", "the next plan's tax rate (id or name)")
	none := cmd.fs.Bool("none", false, "no next plan: with --at, end the plan then; without, cancel the pending reservation")
	pos, err := parseWithArgs(cmd.fs, args)
	if err != nil {
		return err
	}
	switch {
	case *none && len(pos) != 1, !*none && len(pos) != 2:
		return fmt.Errorf("%w: tenants plan needs a tenant id and a plan (or --none)", ErrUsage)
	case *none && *taxRate != "":
		return fmt.Errorf("%w: tenants plan --none takes no --tax-rate", ErrUsage)
	}
	id := pos[0]
	body := map[string]any{"next_plan_id": ""}
	if *at != "" {
		t, err := parseTime(*at)
		if err != nil {
			return fmt.Errorf("%w: --at: %v", ErrUsage, err)
		}
		body["using_next_plan_from"] = t
	}
	c, err := newClient(*cmd.server, getenv)
	if err != nil {
		return err
	}
	if !*none {
		names, err := fetchCatalogNames(ctx, c)
		if err != nil {
			return err
		}
		if body["next_plan_id"], err = names.resolve("plan", names.plans, pos[1]); err != nil {
			return err
		}
		if *taxRate != "" {
			if body["next_plan_tax_rate_id"], err = names.resolve("tax rate", names.taxRates, *taxRate); err != nil {
				return err
			}
		}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	if err := c.do(ctx, "PUT", tenantPath(id)+"/plans", b, nil); err != nil {
		return err
	}
	if !*cmd.asJSON {
		var what string
		switch {
		case *none && *at == "":
			what = "Cancelled the pending plan change of tenant %s."
		case *none:
			what = "Reserved the end of the plan of tenant %s."
		case *at == "":
			what = "Changed the plan of tenant %s."
		default:
			what = "Reserved a plan change for tenant %s."
		}
		fmt.Fprintf(stdout, what+"\n\n", id)
	}
	return showTenant(ctx, c, id, *cmd.asJSON, stdout)
}

// setAttributes puts the NAME=VALUE pairs into values, each value typed
// as the SaaS declares its attribute (GET /v1/auth/tenant-attributes): a
// number stays the exact JSON number written, a bool is true or false, a
// string or a date is a string. An empty VALUE is null (not set).
func setAttributes(ctx context.Context, c *client, values map[string]any, pairs []string) error {
	if len(pairs) == 0 {
		return nil
	}
	var v struct {
		Attributes []struct {
			Name string `json:"attribute_name"`
			Type string `json:"attribute_type"`
		} `json:"tenant_attributes"`
	}
	if err := c.do(ctx, "GET", "/v1/auth/tenant-attributes", nil, &v); err != nil {
		return err
	}
	types := map[string]string{}
	for _, a := range v.Attributes {
		types[a.Name] = a.Type
	}
	for _, p := range pairs {
		k, val, _ := strings.Cut(p, "=")
		typ, ok := types[k]
		switch {
		case !ok:
			return fmt.Errorf("%w: --attr %s: the SaaS has no tenant attribute %q (declared: %s)", ErrUsage, p, k, strings.Join(sortedKeys(types), ", "))
		case val == "":
			values[k] = nil
		case typ == "number":
			var n json.Number
			if err := json.Unmarshal([]byte(val), &n); err != nil {
				return fmt.Errorf("%w: --attr %s: %q is a number attribute, and %q is not a number", ErrUsage, p, k, val)
			}
			values[k] = n
		case typ == "bool":
			if val != "true" && val != "false" {
				return fmt.Errorf("%w: --attr %s: %q is a bool attribute: true or false", ErrUsage, p, k)
			}
			values[k] = val == "true"
		default:
			values[k] = val
		}
	}
	return nil
}
