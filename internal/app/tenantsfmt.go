package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// wireTenant is a tenant as GET /v1/auth/tenants[/{id}] answers it.
type wireTenant struct {
	ID                string                     `json:"id"`
	Name              string                     `json:"name"`
	Attributes        map[string]json.RawMessage `json:"attributes"`
	Email             string                     `json:"back_office_staff_email"`
	PlanID            string                     `json:"plan_id"`
	NextPlanID        *string                    `json:"next_plan_id"`
	UsingNextPlanFrom *int64                     `json:"using_next_plan_from"`
	NextPlanTaxRateID string                     `json:"next_plan_tax_rate_id"`
	PlanHistories     []struct {
		PlanID        string `json:"plan_id"`
		PlanAppliedAt int64  `json:"plan_applied_at"`
		TaxRateID     string `json:"tax_rate_id"`
	} `json:"plan_histories"`
	PeriodStart *int64 `json:"current_plan_period_start"`
	PeriodEnd   *int64 `json:"current_plan_period_end"`
	BillingInfo *struct {
		Name    string `json:"name"`
		Address struct {
			Country string `json:"country"`
		} `json:"address"`
		InvoiceLanguage string `json:"invoice_language"`
	} `json:"billing_info"`
}

// catalogNames maps the SaaS's plan and tax rate ids to their names, so
// tables show names and commands take either.
type catalogNames struct {
	plans, taxRates map[string]string // id -> name
}

func fetchCatalogNames(ctx context.Context, c *client) (catalogNames, error) {
	var plans struct {
		Plans []struct{ ID, Name string } `json:"pricing_plans"`
	}
	var rates struct {
		Rates []struct{ ID, Name string } `json:"tax_rates"`
	}
	if err := c.do(ctx, "GET", "/v1/pricing/plans", nil, &plans); err != nil {
		return catalogNames{}, err
	}
	if err := c.do(ctx, "GET", "/v1/pricing/tax-rates", nil, &rates); err != nil {
		return catalogNames{}, err
	}
	n := catalogNames{plans: map[string]string{}, taxRates: map[string]string{}}
	for _, p := range plans.Plans {
		n.plans[p.ID] = p.Name
	}
	for _, r := range rates.Rates {
		n.taxRates[r.ID] = r.Name
	}
	return n, nil
}

// resolve returns the id that ref names: an id as it is, else the one
// object with that name. Plan names need not be unique: an ambiguous
// name is refused with the ids to choose from.
func (catalogNames) resolve(kind string, byID map[string]string, ref string) (string, error) {
	if _, ok := byID[ref]; ok {
		return ref, nil
	}
	var ids []string
	for id, name := range byID {
		if name == ref {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	switch len(ids) {
	case 1:
		return ids[0], nil
	case 0:
		return "", fmt.Errorf("%w: the SaaS has no %s with the id or name %q", ErrUsage, kind, ref)
	default:
		return "", fmt.Errorf("%w: %d %ss are named %q: give an id (%s)", ErrUsage, len(ids), kind, ref, strings.Join(ids, ", "))
	}
}

// label is an object's name, or its id when it has none we know; "-" for
// no id.
func label(byID map[string]string, id string) string {
	if id == "" {
		return "-"
	}
	if n := byID[id]; n != "" {
		return n
	}
	return id
}

// nextPlan describes a tenant's pending reservation, or "-".
func (t wireTenant) nextPlan(n catalogNames) string {
	if t.UsingNextPlanFrom == nil {
		return "-"
	}
	plan := "no plan"
	if t.NextPlanID != nil && *t.NextPlanID != "" {
		plan = label(n.plans, *t.NextPlanID)
	}
	return plan + " from " + formatUnix(*t.UsingNextPlanFrom)
}

func printTenantList(w io.Writer, ts []wireTenant, n catalogNames) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tPLAN\tBACK OFFICE EMAIL\tPLAN SINCE\tNEXT")
	for _, t := range ts {
		since := "-"
		if k := len(t.PlanHistories); k > 0 && t.PlanID != "" {
			since = formatUnix(t.PlanHistories[k-1].PlanAppliedAt)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, label(n.plans, t.PlanID), t.Email, since, t.nextPlan(n))
	}
	return tw.Flush()
}

func printTenant(w io.Writer, t wireTenant, n catalogNames) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "ID\t%s\n", t.ID)
	fmt.Fprintf(tw, "NAME\t%s\n", t.Name)
	fmt.Fprintf(tw, "BACK OFFICE EMAIL\t%s\n", t.Email)
	plan := label(n.plans, t.PlanID)
	if t.PlanID != "" && plan != t.PlanID {
		plan += " (" + t.PlanID + ")"
	}
	fmt.Fprintf(tw, "PLAN\t%s\n", plan)
	if t.PeriodStart != nil && t.PeriodEnd != nil {
		fmt.Fprintf(tw, "CURRENT PERIOD\t%s – %s\n", formatUnix(*t.PeriodStart), formatUnix(*t.PeriodEnd))
	}
	next := t.nextPlan(n)
	if next != "-" && t.NextPlanTaxRateID != "" {
		next += ", tax rate " + label(n.taxRates, t.NextPlanTaxRateID)
	}
	fmt.Fprintf(tw, "NEXT PLAN\t%s\n", next)
	if b := t.BillingInfo; b != nil {
		fmt.Fprintf(tw, "BILLING\t%s, %s, %s\n", b.Name, b.Address.Country, b.InvoiceLanguage)
	}
	for _, k := range sortedKeys(t.Attributes) {
		fmt.Fprintf(tw, "ATTRIBUTE %s\t%s\n", k, attributeText(t.Attributes[k]))
	}
	fmt.Fprintln(tw, "\nPLAN HISTORY\t\t")
	fmt.Fprintln(tw, "APPLIED AT\tPLAN\tTAX RATE")
	for _, h := range t.PlanHistories {
		plan := "(plan ended)"
		if h.PlanID != "" {
			plan = label(n.plans, h.PlanID)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", formatUnix(h.PlanAppliedAt), plan, label(n.taxRates, h.TaxRateID))
	}
	return tw.Flush()
}

// attributeText writes an attribute value for people: strings without
// their quotes, numbers exactly as sent, null as "-".
func attributeText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if string(raw) == "null" || len(raw) == 0 {
		return "-"
	}
	return string(raw)
}

// formatUnix writes Unix seconds as an RFC 3339 UTC time.
func formatUnix(sec int64) string { return time.Unix(sec, 0).UTC().Format(time.RFC3339) }

// parseTime reads a time given as RFC 3339 or as Unix seconds, and
// returns Unix seconds. A fraction of a second is refused rather than
// rounded: every time the API takes is a whole second.
func parseTime(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, fmt.Errorf("%q is neither RFC 3339 (2026-01-02T15:04:05Z) nor Unix seconds", s)
	}
	if t.Nanosecond() != 0 {
		return 0, fmt.Errorf("%q has a fraction of a second; times are whole seconds", s)
	}
	return t.Unix(), nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
