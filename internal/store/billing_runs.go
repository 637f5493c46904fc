package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/saasplane/saasplane/internal/billing"
	"github.com/saasplane/saasplane/internal/errs"
)

const billingRunColumns = `id, period, started_by, status, tenants, finalized, existing, skipped, failed, failures,
	created_at, COALESCE(started_at, 0), COALESCE(finished_at, 0)`

// nullMicros stores a zero time as NULL.
func nullMicros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return micros(t)
}

func scanBillingRun(sc interface{ Scan(...any) error }) (billing.Run, error) {
	var r billing.Run
	var status, failures string
	var created, started, finished int64
	if err := sc.Scan(&r.ID, &r.Period, &r.Trigger, &status, &r.Tenants, &r.Finalized, &r.Existing, &r.Skipped, &r.Failed,
		&failures, &created, &started, &finished); err != nil {
		return r, err
	}
	r.Status, r.CreatedAt = billing.RunStatus(status), fromMicros(created)
	if started != 0 {
		r.StartedAt = fromMicros(started)
	}
	if finished != 0 {
		r.FinishedAt = fromMicros(finished)
	}
	if err := json.Unmarshal([]byte(failures), &r.Failures); err != nil {
		return r, fmt.Errorf("decode stored run failures: %w", err)
	}
	return r, nil
}

func (x billingTx) InsertRun(ctx context.Context, saasID string, r billing.Run) error {
	failures, err := json.Marshal(r.Failures)
	if err != nil {
		return err
	}
	_, err = x.exec(ctx, `INSERT INTO billing_runs (saas_id, id, period, started_by, status, tenants, finalized, existing, skipped, failed,
		failures, created_at, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		saasID, r.ID, r.Period, r.Trigger, string(r.Status), r.Tenants, r.Finalized, r.Existing, r.Skipped, r.Failed,
		string(failures), micros(r.CreatedAt), nullMicros(r.StartedAt), nullMicros(r.FinishedAt))
	return mapErr(err)
}

func (x billingTx) UpdateRun(ctx context.Context, saasID string, r billing.Run) error {
	failures, err := json.Marshal(r.Failures)
	if err != nil {
		return err
	}
	return affected(x.exec(ctx, `UPDATE billing_runs SET status = ?, tenants = ?, finalized = ?, existing = ?, skipped = ?, failed = ?,
		failures = ?, started_at = ?, finished_at = ? WHERE saas_id = ? AND id = ?`,
		string(r.Status), r.Tenants, r.Finalized, r.Existing, r.Skipped, r.Failed, string(failures),
		nullMicros(r.StartedAt), nullMicros(r.FinishedAt), saasID, r.ID))
}

func (x billingTx) Run(ctx context.Context, saasID, id string) (billing.Run, error) {
	r, err := scanBillingRun(x.queryRow(ctx, `SELECT `+billingRunColumns+` FROM billing_runs WHERE saas_id = ? AND id = ?`, saasID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, errs.ErrNotExist
	}
	return r, err
}

func (x billingTx) Runs(ctx context.Context, saasID, period string, limit int) ([]billing.Run, error) {
	q, args := `SELECT `+billingRunColumns+` FROM billing_runs WHERE saas_id = ?`, []any{saasID}
	if period != "" {
		q += ` AND period = ?`
		args = append(args, period)
	}
	rows, err := x.query(ctx, q+` ORDER BY seq DESC LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []billing.Run{}
	for rows.Next() {
		r, err := scanBillingRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (x billingTx) ActiveRun(ctx context.Context, saasID, period string) (billing.Run, bool, error) {
	r, err := scanBillingRun(x.queryRow(ctx, `SELECT `+billingRunColumns+` FROM billing_runs
		WHERE saas_id = ? AND period = ? AND status IN ('queued', 'running') ORDER BY seq LIMIT 1`, saasID, period))
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

func (x billingTx) LastScheduledRun(ctx context.Context, saasID string, yearly bool) (string, bool, error) {
	n := 7 // YYYY-MM
	if yearly {
		n = 4
	}
	var period string
	err := x.queryRow(ctx, `SELECT period FROM billing_runs WHERE saas_id = ? AND started_by = 'schedule' AND LENGTH(period) = ?
		ORDER BY period DESC LIMIT 1`, saasID, n).Scan(&period)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return period, err == nil, err
}

func (x billingTx) SaaSIDs(ctx context.Context) ([]string, error) {
	return queryStrings(ctx, x.Tx, `SELECT id FROM saas ORDER BY id`)
}

func (x billingTx) InvoicedTenants(ctx context.Context, saasID string) (map[string]bool, error) {
	ids, err := queryStrings(ctx, x.Tx, `SELECT DISTINCT tenant_id FROM billing_invoices WHERE saas_id = ?`, saasID)
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}
