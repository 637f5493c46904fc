package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace"
	"github.com/saasplane/saasplane/internal/marketplace/azure"
)

// saasplane's own Azure Marketplace integration: settings, plan links,
// linked subscriptions, handled operations and usage reports.

// azureMarketplaceStore adapts DB to azure.Store.
type azureMarketplaceStore struct{ db *DB }

// AzureMarketplace returns the Azure Marketplace domain's view of the
// database.
func (db *DB) AzureMarketplace() azure.Store { return azureMarketplaceStore{db} }

var (
	_ azure.Store = azureMarketplaceStore{}
	_ azure.Tx    = (*Tx)(nil)
)

func (s azureMarketplaceStore) ReadTx(ctx context.Context, fn func(azure.Tx) error) error {
	return s.db.Read(ctx, func(tx *Tx) error { return fn(tx) })
}

func (s azureMarketplaceStore) WriteTx(ctx context.Context, fn func(azure.Tx) error) error {
	return s.db.Write(ctx, func(tx *Tx) error { return fn(tx) })
}

func (t *Tx) AzureSettings(ctx context.Context, saasID string) (azure.AzureSettings, error) {
	var s azure.AzureSettings
	err := t.queryRow(ctx, `SELECT COALESCE(a.fulfillment_base_url, ''), COALESCE(a.tenant_id, ''), COALESCE(a.client_id, ''),
		COALESCE(a.client_secret, '') FROM saas s LEFT JOIN azure_settings a ON a.saas_id = s.id WHERE s.id = ?`, saasID).Scan(
		&s.FulfillmentBaseURL, &s.TenantID, &s.ClientID, &s.ClientSecret)
	if errors.Is(err, sql.ErrNoRows) {
		return s, errs.ErrNotExist
	}
	return s, mapErr(err)
}

func (t *Tx) PutAzureSettings(ctx context.Context, saasID string, s azure.AzureSettings) error {
	_, err := t.exec(ctx, `INSERT INTO azure_settings (saas_id, fulfillment_base_url, tenant_id, client_id, client_secret)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (saas_id) DO UPDATE SET fulfillment_base_url = excluded.fulfillment_base_url,
		tenant_id = excluded.tenant_id, client_id = excluded.client_id, client_secret = excluded.client_secret`,
		saasID, s.FulfillmentBaseURL, s.TenantID, s.ClientID, s.ClientSecret)
	return err
}

func (t *Tx) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (t *Tx) AzureSaaSIDs(ctx context.Context) ([]string, error) {
	return t.strings(ctx, `SELECT saas_id FROM azure_settings WHERE tenant_id <> '' AND client_id <> '' AND client_secret <> '' ORDER BY saas_id`)
}

func (t *Tx) AzurePlanLinks(ctx context.Context, saasID string) ([]azure.AzurePlanLink, error) {
	rows, err := t.query(ctx, `SELECT azure_plan_id, plan_id FROM azure_plans WHERE saas_id = ?`, saasID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []azure.AzurePlanLink{}
	for rows.Next() {
		var l azure.AzurePlanLink
		if err := rows.Scan(&l.AzurePlanID, &l.PlanID); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (t *Tx) AzurePlanLink(ctx context.Context, saasID, azurePlanID string) (azure.AzurePlanLink, error) {
	l := azure.AzurePlanLink{AzurePlanID: azurePlanID}
	err := t.queryRow(ctx, `SELECT plan_id FROM azure_plans WHERE saas_id = ? AND azure_plan_id = ?`, saasID, azurePlanID).Scan(&l.PlanID)
	if errors.Is(err, sql.ErrNoRows) {
		return l, errs.ErrNotExist
	}
	return l, mapErr(err)
}

func (t *Tx) PutAzurePlanLink(ctx context.Context, saasID string, l azure.AzurePlanLink) error {
	_, err := t.exec(ctx, `INSERT INTO azure_plans (saas_id, azure_plan_id, plan_id) VALUES (?, ?, ?)
		ON CONFLICT (saas_id, azure_plan_id) DO UPDATE SET plan_id = excluded.plan_id`, saasID, l.AzurePlanID, l.PlanID)
	return err
}

const azureSubscriptionColumns = `subscription_id, tenant_id, name, offer_id, azure_plan_id, quantity, status, beneficiary_email,
	last_operation_at, synced_at, created_at, updated_at`

func scanAzureSubscription(row interface{ Scan(...any) error }) (azure.AzureSubscription, error) {
	var s azure.AzureSubscription
	var lastOp, synced, created, updated int64
	err := row.Scan(&s.SubscriptionID, &s.TenantID, &s.Name, &s.OfferID, &s.AzurePlanID, &s.Quantity, &s.Status, &s.BeneficiaryEmail,
		&lastOp, &synced, &created, &updated)
	s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
	if lastOp != 0 {
		s.LastOperationAt = fromMicros(lastOp)
	}
	if synced != 0 {
		s.SyncedAt = fromMicros(synced)
	}
	return s, err
}

func zeroMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

func (t *Tx) AzureSubscription(ctx context.Context, saasID, subscriptionID string) (azure.AzureSubscription, error) {
	s, err := scanAzureSubscription(t.queryRow(ctx, `SELECT `+azureSubscriptionColumns+` FROM azure_subscriptions
		WHERE saas_id = ? AND subscription_id = ?`, saasID, subscriptionID))
	if errors.Is(err, sql.ErrNoRows) {
		return s, errs.ErrNotExist
	}
	return s, mapErr(err)
}

func (t *Tx) AzureSubscriptions(ctx context.Context, saasID string, tenantIDs ...string) ([]azure.AzureSubscription, error) {
	q := byIDs(`SELECT `+azureSubscriptionColumns+` FROM azure_subscriptions WHERE saas_id = ?`, "tenant_id", tenantIDs)
	rows, err := t.query(ctx, q+` ORDER BY created_at, subscription_id`, stringArgs([]any{saasID}, tenantIDs)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []azure.AzureSubscription{}
	for rows.Next() {
		s, err := scanAzureSubscription(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (t *Tx) PutAzureSubscription(ctx context.Context, saasID string, s azure.AzureSubscription) error {
	_, err := t.exec(ctx, `INSERT INTO azure_subscriptions (saas_id, `+azureSubscriptionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (saas_id, subscription_id) DO UPDATE SET tenant_id = excluded.tenant_id, name = excluded.name,
		offer_id = excluded.offer_id, azure_plan_id = excluded.azure_plan_id, quantity = excluded.quantity, status = excluded.status,
		beneficiary_email = excluded.beneficiary_email, last_operation_at = excluded.last_operation_at,
		synced_at = excluded.synced_at, updated_at = excluded.updated_at`,
		saasID, s.SubscriptionID, s.TenantID, s.Name, s.OfferID, s.AzurePlanID, s.Quantity, s.Status, s.BeneficiaryEmail,
		zeroMicros(s.LastOperationAt), zeroMicros(s.SyncedAt), micros(s.CreatedAt), micros(s.UpdatedAt))
	return err
}

func (t *Tx) AzureOperationSeen(ctx context.Context, saasID, operationID string) (bool, error) {
	return t.exists(ctx, `SELECT 1 FROM azure_operations WHERE saas_id = ? AND operation_id = ?`, saasID, operationID)
}

func (t *Tx) RecordAzureOperation(ctx context.Context, saasID string, r azure.AzureOperationRecord) error {
	_, err := t.exec(ctx, `INSERT INTO azure_operations (saas_id, operation_id, subscription_id, action, source, outcome, operation_at, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (saas_id, operation_id) DO NOTHING`,
		saasID, r.OperationID, r.SubscriptionID, r.Action, r.Source, r.Outcome, zeroMicros(r.OperationAt), micros(r.ReceivedAt))
	return err
}

func (t *Tx) AzureOperations(ctx context.Context, saasID, subscriptionID string, limit int) ([]azure.AzureOperationRecord, error) {
	q, args := `SELECT operation_id, subscription_id, action, source, outcome, operation_at, received_at FROM azure_operations WHERE saas_id = ?`, []any{saasID}
	if subscriptionID != "" {
		q, args = q+` AND subscription_id = ?`, append(args, subscriptionID)
	}
	rows, err := t.query(ctx, q+` ORDER BY received_at DESC, operation_id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []azure.AzureOperationRecord{}
	for rows.Next() {
		var r azure.AzureOperationRecord
		var opAt, received int64
		if err := rows.Scan(&r.OperationID, &r.SubscriptionID, &r.Action, &r.Source, &r.Outcome, &opAt, &received); err != nil {
			return nil, err
		}
		if opAt != 0 {
			r.OperationAt = fromMicros(opAt)
		}
		r.ReceivedAt = fromMicros(received)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ---- usage ----

func (t *Tx) PutAzureMeterDimension(ctx context.Context, saasID, meterID, dimension string) error {
	_, err := t.exec(ctx, `INSERT INTO azure_meter_dimensions (saas_id, meter_id, dimension) VALUES (?, ?, ?)
		ON CONFLICT (saas_id, meter_id) DO UPDATE SET dimension = excluded.dimension`, saasID, meterID, dimension)
	return err
}

func (t *Tx) DeleteAzureMeterDimension(ctx context.Context, saasID, meterID string) error {
	return affected(t.exec(ctx, `DELETE FROM azure_meter_dimensions WHERE saas_id = ? AND meter_id = ?`, saasID, meterID))
}

func (t *Tx) AzureMeterDimensions(ctx context.Context, saasID string) ([]marketplace.MeterDimension, error) {
	rows, err := t.query(ctx, `SELECT d.meter_id, m.unit_name, d.dimension, m.aggregate_usage FROM azure_meter_dimensions d
		JOIN meters m ON m.saas_id = d.saas_id AND m.id = d.meter_id WHERE d.saas_id = ? ORDER BY m.unit_name`, saasID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []marketplace.MeterDimension{}
	for rows.Next() {
		var d marketplace.MeterDimension
		var agg string
		if err := rows.Scan(&d.MeterID, &d.MeterName, &d.Dimension, &agg); err != nil {
			return nil, err
		}
		d.Max = agg == "max"
		out = append(out, d)
	}
	return out, rows.Err()
}

func (t *Tx) AzureUsageSaaSIDs(ctx context.Context) ([]string, error) {
	return t.strings(ctx, `SELECT DISTINCT saas_id FROM azure_meter_dimensions ORDER BY saas_id`)
}

func (t *Tx) AzureReportedHours(ctx context.Context, saasID, subscriptionID, dimension string, since time.Time) (map[int64]bool, error) {
	rows, err := t.query(ctx, `SELECT hour FROM azure_usage_reports WHERE saas_id = ? AND subscription_id = ? AND dimension = ? AND hour >= ?`,
		saasID, subscriptionID, dimension, since.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var h int64
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out[h] = true
	}
	return out, rows.Err()
}

func (t *Tx) InsertAzureUsageReport(ctx context.Context, saasID string, r azure.AzureUsageReport) error {
	_, err := t.exec(ctx, `INSERT INTO azure_usage_reports (saas_id, subscription_id, dimension, hour, quantity, plan_id, status, last_error, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (saas_id, subscription_id, dimension, hour) DO NOTHING`,
		saasID, r.SubscriptionID, r.Dimension, r.Hour.Unix(), r.Quantity, r.PlanID, string(r.Status), r.LastError, micros(r.CreatedAt))
	return err
}

const azureUsageColumns = `subscription_id, dimension, hour, quantity, plan_id, status, result, usage_event_id, attempts, last_error, created_at, sent_at`

func scanAzureUsageReport(row rowScanner) (azure.AzureUsageReport, error) {
	var r azure.AzureUsageReport
	var hour, created int64
	var status string
	var sent sql.NullInt64
	err := row.Scan(&r.SubscriptionID, &r.Dimension, &hour, &r.Quantity, &r.PlanID, &status, &r.Result, &r.UsageEventID,
		&r.Attempts, &r.LastError, &created, &sent)
	r.Hour, r.Status, r.CreatedAt = time.Unix(hour, 0).UTC(), marketplace.ReportStatus(status), fromMicros(created)
	if sent.Valid {
		r.SentAt = fromMicros(sent.Int64)
	}
	return r, err
}

func (t *Tx) PendingAzureUsageReports(ctx context.Context, saasID string, now time.Time, limit int) ([]azure.AzureUsageReport, error) {
	return queryRows(ctx, t, scanAzureUsageReport, `SELECT `+azureUsageColumns+` FROM azure_usage_reports
		WHERE saas_id = ? AND status = 'pending' AND next_attempt_at <= ? ORDER BY hour, subscription_id, dimension LIMIT ?`,
		saasID, micros(now), limit)
}

func (t *Tx) UpdateAzureUsageReport(ctx context.Context, saasID string, r azure.AzureUsageReport, retryAt time.Time) error {
	var sent any
	if !r.SentAt.IsZero() {
		sent = micros(r.SentAt)
	}
	next := int64(0)
	if r.Status == marketplace.ReportPending {
		next = micros(retryAt)
	}
	return affected(t.exec(ctx, `UPDATE azure_usage_reports SET status = ?, result = ?, usage_event_id = ?, attempts = ?,
		last_error = ?, sent_at = ?, next_attempt_at = ?
		WHERE saas_id = ? AND subscription_id = ? AND dimension = ? AND hour = ?`,
		string(r.Status), r.Result, r.UsageEventID, r.Attempts, r.LastError, sent, next,
		saasID, r.SubscriptionID, r.Dimension, r.Hour.Unix()))
}

func (t *Tx) AzureUsageReports(ctx context.Context, saasID, subscriptionID string, limit int) ([]azure.AzureUsageReport, error) {
	q, args := `SELECT `+azureUsageColumns+` FROM azure_usage_reports WHERE saas_id = ?`, []any{saasID}
	if subscriptionID != "" {
		q, args = q+` AND subscription_id = ?`, append(args, subscriptionID)
	}
	return queryRows(ctx, t, scanAzureUsageReport, q+` ORDER BY hour DESC, subscription_id, dimension LIMIT ?`, append(args, limit)...)
}
