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
	"github.com/saasplane/saasplane/internal/metering"
)

// billingStore adapts DB to billing.Store.
type billingStore struct{ db *DB }

// Billing returns the billing domain's view of the database.
func (db *DB) Billing() billing.Store { return billingStore{db} }

// billingTx is a Tx that enqueues billing's jobs.
type billingTx struct{ *Tx }

var (
	_ billing.Store = billingStore{}
	_ billing.Tx    = billingTx{}
)

func (s billingStore) ReadTx(ctx context.Context, fn func(billing.Tx) error) error {
	return s.db.Read(ctx, func(tx *Tx) error { return fn(billingTx{tx}) })
}

func (s billingStore) WriteTx(ctx context.Context, fn func(billing.Tx) error) error {
	return s.db.Write(ctx, func(tx *Tx) error { return fn(billingTx{tx}) })
}

func (x billingTx) EnqueueJob(ctx context.Context, job billing.Job) error { return x.enqueue(ctx, job) }

func (t *Tx) Accounts(ctx context.Context, saasID string, ids ...string) ([]billing.Account, error) {
	ts, deleted, err := t.tenants(ctx, saasID, true, ids)
	if err != nil {
		return nil, err
	}
	out := make([]billing.Account, len(ts))
	for i, tn := range ts {
		out[i].Tenant = tn
		if deleted[i] != 0 {
			out[i].DeletedAt = fromMicros(deleted[i])
		}
	}
	return out, nil
}

func (t *Tx) SumEntries(ctx context.Context, k metering.Key, from, to int64) (int64, error) {
	var n int64
	err := t.queryRow(ctx, `SELECT COALESCE(SUM(count), 0) FROM metering_entries WHERE saas_id = ? AND tenant_id = ? AND meter_id = ? AND ts >= ? AND ts < ?`,
		k.SaaSID, k.TenantID, k.MeterID, from, to).Scan(&n)
	return n, err
}

func (t *Tx) Invoices(ctx context.Context, saasID string, f billing.InvoiceFilter) ([]billing.Invoice, error) {
	q := `SELECT document FROM billing_invoices WHERE saas_id = ?`
	args := []any{saasID}
	if f.TenantID != "" {
		q += ` AND tenant_id = ?`
		args = append(args, f.TenantID)
	}
	if f.Period != "" {
		q += ` AND period = ?`
		args = append(args, f.Period)
	}
	if f.Before > 0 {
		q += ` AND number < ?`
		args = append(args, f.Before)
	}
	q += ` ORDER BY number DESC`
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []billing.Invoice{}
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		inv, err := decodeInvoice(doc)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

func decodeInvoice(doc string) (billing.Invoice, error) {
	var inv billing.Invoice
	if err := json.Unmarshal([]byte(doc), &inv); err != nil {
		return inv, fmt.Errorf("decode stored invoice: %w", err)
	}
	return inv, nil
}

func (t *Tx) Invoice(ctx context.Context, saasID, id string) (billing.Invoice, error) {
	var doc string
	err := t.queryRow(ctx, `SELECT document FROM billing_invoices WHERE saas_id = ? AND id = ?`, saasID, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return billing.Invoice{}, errs.ErrNotExist
	}
	if err != nil {
		return billing.Invoice{}, err
	}
	return decodeInvoice(doc)
}

func (t *Tx) InvoiceNumber(ctx context.Context, saasID string) (int64, error) {
	var n int64
	err := t.queryRow(ctx, `SELECT COALESCE(MAX(number), 0) FROM billing_invoices WHERE saas_id = ?`, saasID).Scan(&n)
	return n, err
}

func (t *Tx) InsertInvoice(ctx context.Context, saasID string, inv billing.Invoice) error {
	if !inv.Finalized() {
		return errs.E(errs.KindInternal, "store: a preview cannot be stored")
	}
	doc, err := json.Marshal(inv)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO billing_invoices (saas_id, id, number, tenant_id, period, period_start, currency, total, finalized_at, document)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		saasID, inv.ID, inv.Number, inv.TenantID, inv.Period, inv.PeriodStart, string(inv.Currency), inv.Total,
		micros(time.Unix(inv.FinalizedAt, 0)), string(doc))
	return mapErr(err)
}
