package billing

import (
	"context"

	"github.com/saasplane/saasplane/internal/pricing"
)

// catalog reads the plans, meters and tax rates invoices need, once per
// transaction: a run rates thousands of tenants on a handful of plans,
// and the catalog cannot change under a transaction.
type catalog struct {
	tx     Tx
	saasID string
	plans  map[string]pricing.Plan
	meters map[string]pricing.Meter
	taxes  map[string]pricing.TaxRate
}

func newCatalog(tx Tx, saasID string) *catalog {
	return &catalog{tx: tx, saasID: saasID, plans: map[string]pricing.Plan{}, meters: map[string]pricing.Meter{}, taxes: map[string]pricing.TaxRate{}}
}

// fill puts into in the plans and tax rates its segments name, with the
// meters of those plans' units, reading only what it has not read yet.
// A plan or tax rate that no longer exists is left out (Build says so).
func (c *catalog) fill(ctx context.Context, in *Input) error {
	var plans, taxes []string
	for _, seg := range in.Segments {
		if _, ok := c.plans[seg.PlanID]; !ok {
			plans = append(plans, seg.PlanID)
		}
		if _, ok := c.taxes[seg.TaxRateID]; seg.TaxRateID != "" && !ok {
			taxes = append(taxes, seg.TaxRateID)
		}
	}
	if err := c.load(ctx, plans, taxes); err != nil {
		return err
	}
	in.Plans, in.Meters, in.TaxRates = map[string]pricing.Plan{}, map[string]pricing.Meter{}, map[string]pricing.TaxRate{}
	for _, seg := range in.Segments {
		if p, ok := c.plans[seg.PlanID]; ok {
			in.Plans[p.ID] = p
			for _, m := range p.Menus {
				for _, u := range m.Units {
					if mt, ok := c.meters[u.MeterID]; ok {
						in.Meters[mt.ID] = mt
					}
				}
			}
		}
		if r, ok := c.taxes[seg.TaxRateID]; ok {
			in.TaxRates[r.ID] = r
		}
	}
	return nil
}

func (c *catalog) load(ctx context.Context, planIDs, taxIDs []string) error {
	if len(planIDs) > 0 {
		plans, err := pricing.LoadPlans(ctx, c.tx, c.saasID, planIDs...)
		if err != nil {
			return err
		}
		var meterIDs []string
		for _, p := range plans {
			c.plans[p.ID] = p
			for _, m := range p.Menus {
				for _, u := range m.Units {
					if _, ok := c.meters[u.MeterID]; u.MeterID != "" && !ok {
						meterIDs = append(meterIDs, u.MeterID)
					}
				}
			}
		}
		if len(meterIDs) > 0 {
			ms, err := c.tx.Meters(ctx, c.saasID, meterIDs...)
			if err != nil {
				return err
			}
			for _, m := range ms {
				c.meters[m.ID] = m
			}
		}
	}
	if len(taxIDs) > 0 {
		rs, err := c.tx.TaxRates(ctx, c.saasID, taxIDs...)
		if err != nil {
			return err
		}
		for _, r := range rs {
			c.taxes[r.ID] = r
		}
	}
	return nil
}
