package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace"
)

// What the AWS and Azure Marketplace views read of the rest of a SaaS:
// its pricing plans, its meters and their usage.

var _ marketplace.Tx = (*Tx)(nil)

func (t *Tx) PricingPlanIDs(ctx context.Context, saasID string, ids ...string) ([]string, error) {
	if len(ids) == 0 {
		return []string{}, nil
	}
	rows, err := t.query(ctx, byIDs(`SELECT id FROM pricing_plans WHERE saas_id = ?`, "id", ids), stringArgs([]any{saasID}, ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (t *Tx) MeterID(ctx context.Context, saasID, name string) (string, error) {
	var id string
	err := t.queryRow(ctx, `SELECT id FROM meters WHERE saas_id = ? AND unit_name = ?`, saasID, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.ErrNotExist
	}
	return id, mapErr(err)
}

func (t *Tx) HourUsage(ctx context.Context, saasID, tenantID, meterID string, from, to int64, max bool) (int64, error) {
	agg := "SUM"
	if max {
		agg = "MAX"
	}
	var n sql.NullInt64
	err := t.queryRow(ctx, `SELECT `+agg+`(count) FROM metering_entries WHERE saas_id = ? AND tenant_id = ? AND meter_id = ? AND ts >= ? AND ts < ?`,
		saasID, tenantID, meterID, from, to).Scan(&n)
	return n.Int64, mapErr(err)
}
