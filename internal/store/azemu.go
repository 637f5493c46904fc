package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/saasplane/saasplane/internal/azemu"
	"github.com/saasplane/saasplane/internal/errs"
)

// azemuStore adapts DB to azemu.Store; its transactions wrap Tx so the
// emulator's method names never clash with the other domains'.
type azemuStore struct{ db *DB }

// azemuTx is a Tx seen by the Azure Marketplace emulator.
type azemuTx struct {
	t *Tx
	faultsTx
}

// AzureEmulator returns the Azure Marketplace emulator's view of the
// database.
func (db *DB) AzureEmulator() azemu.Store { return azemuStore{db} }

var (
	_ azemu.Store = azemuStore{}
	_ azemu.Tx    = azemuTx{}
)

func (s azemuStore) ReadTx(ctx context.Context, fn func(azemu.Tx) error) error {
	return s.db.Read(ctx, func(tx *Tx) error { return fn(azemuTx{tx, faultsTx{tx, "azure"}}) })
}

func (s azemuStore) WriteTx(ctx context.Context, fn func(azemu.Tx) error) error {
	return s.db.Write(ctx, func(tx *Tx) error { return fn(azemuTx{tx, faultsTx{tx, "azure"}}) })
}

func azemuNoRow(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.ErrNotExist
	}
	return err
}

// ---- identity and settings ----

const azemuIdentityColumns = `saas_id, tenant_id, client_id, client_secret, key_id, key_pem, created_at`

func scanAzemuIdentity(row *sql.Row) (azemu.Identity, error) {
	var id azemu.Identity
	var created int64
	err := row.Scan(&id.SaaSID, &id.TenantID, &id.ClientID, &id.ClientSecret, &id.KeyID, &id.KeyPEM, &created)
	id.CreatedAt = fromMicros(created)
	return id, azemuNoRow(err)
}

func (x azemuTx) Identity(ctx context.Context, saasID string) (azemu.Identity, error) {
	return scanAzemuIdentity(x.t.queryRow(ctx, `SELECT `+azemuIdentityColumns+` FROM azemu_identities WHERE saas_id = ?`, saasID))
}

func (x azemuTx) IdentityByTenant(ctx context.Context, tenantID string) (azemu.Identity, error) {
	return scanAzemuIdentity(x.t.queryRow(ctx, `SELECT `+azemuIdentityColumns+` FROM azemu_identities WHERE tenant_id = ?`, tenantID))
}

func (x azemuTx) InsertIdentity(ctx context.Context, id azemu.Identity) error {
	_, err := x.t.exec(ctx, `INSERT INTO azemu_identities (`+azemuIdentityColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (saas_id) DO NOTHING`,
		id.SaaSID, id.TenantID, id.ClientID, id.ClientSecret, id.KeyID, id.KeyPEM, micros(id.CreatedAt))
	return err
}

func (x azemuTx) Settings(ctx context.Context, saasID string) (azemu.Settings, error) {
	st := azemu.Settings{SaaSID: saasID}
	var delayMS, updated int64
	err := x.t.queryRow(ctx, `SELECT webhook_url, webhook_api_version, v1_actions, operation_delay_ms, updated_at
		FROM azemu_settings WHERE saas_id = ?`, saasID).Scan(&st.WebhookURL, &st.WebhookAPIVersion, &st.V1Actions, &delayMS, &updated)
	st.OperationDelay, st.UpdatedAt = time.Duration(delayMS)*time.Millisecond, fromMicros(updated)
	return st, azemuNoRow(err)
}

func (x azemuTx) PutSettings(ctx context.Context, st azemu.Settings) error {
	_, err := x.t.exec(ctx, `INSERT INTO azemu_settings (saas_id, webhook_url, webhook_api_version, v1_actions, operation_delay_ms, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (saas_id) DO UPDATE SET webhook_url = excluded.webhook_url, webhook_api_version = excluded.webhook_api_version,
			v1_actions = excluded.v1_actions, operation_delay_ms = excluded.operation_delay_ms, updated_at = excluded.updated_at`,
		st.SaaSID, st.WebhookURL, st.WebhookAPIVersion, st.V1Actions, st.OperationDelay.Milliseconds(), micros(st.UpdatedAt))
	return err
}

// ---- offers ----

func (x azemuTx) PutOffer(ctx context.Context, o azemu.Offer) error {
	plans, err := json.Marshal(o.Plans)
	if err != nil {
		return err
	}
	_, err = x.t.exec(ctx, `INSERT INTO azemu_offers (saas_id, offer_id, plans, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (saas_id, offer_id) DO UPDATE SET plans = excluded.plans, updated_at = excluded.updated_at`,
		o.SaaSID, o.OfferID, string(plans), micros(o.CreatedAt), micros(o.UpdatedAt))
	return err
}

func scanAzemuOffer(row interface{ Scan(...any) error }) (azemu.Offer, error) {
	var o azemu.Offer
	var plans string
	var created, updated int64
	if err := row.Scan(&o.SaaSID, &o.OfferID, &plans, &created, &updated); err != nil {
		return o, err
	}
	o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
	if err := json.Unmarshal([]byte(plans), &o.Plans); err != nil {
		return o, fmt.Errorf("plans of offer %s: %w", o.OfferID, err)
	}
	return o, nil
}

func (x azemuTx) Offer(ctx context.Context, saasID, offerID string) (azemu.Offer, error) {
	o, err := scanAzemuOffer(x.t.queryRow(ctx, `SELECT saas_id, offer_id, plans, created_at, updated_at FROM azemu_offers
		WHERE saas_id = ? AND offer_id = ?`, saasID, offerID))
	return o, azemuNoRow(err)
}

func (x azemuTx) Offers(ctx context.Context, saasID string) ([]azemu.Offer, error) {
	rows, err := x.t.query(ctx, `SELECT saas_id, offer_id, plans, created_at, updated_at FROM azemu_offers
		WHERE saas_id = ? ORDER BY offer_id`, saasID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []azemu.Offer{}
	for rows.Next() {
		o, err := scanAzemuOffer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// ---- subscriptions and tokens ----

const azemuSubColumns = `id, saas_id, name, offer_id, plan_id, quantity, status, beneficiary_email, beneficiary_oid,
	beneficiary_tid, term_unit, term_start, term_end, auto_renew, dry_run, version, created_at, updated_at`

func scanAzemuSub(row interface{ Scan(...any) error }) (azemu.Subscription, error) {
	var s azemu.Subscription
	var status string
	var start, end, created, updated int64
	err := row.Scan(&s.ID, &s.SaaSID, &s.Name, &s.OfferID, &s.PlanID, &s.Quantity, &status, &s.BeneficiaryEmail,
		&s.BeneficiaryOID, &s.BeneficiaryTID, &s.TermUnit, &start, &end, &s.AutoRenew, &s.DryRun, &s.Version, &created, &updated)
	s.Status = azemu.Status(status)
	s.TermStart, s.TermEnd = fromOptMicros(start), fromOptMicros(end)
	s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
	return s, err
}

func (x azemuTx) InsertSubscription(ctx context.Context, s azemu.Subscription) error {
	_, err := x.t.exec(ctx, `INSERT INTO azemu_subscriptions (`+azemuSubColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.SaaSID, s.Name, s.OfferID, s.PlanID, s.Quantity, string(s.Status), s.BeneficiaryEmail, s.BeneficiaryOID,
		s.BeneficiaryTID, s.TermUnit, optMicros(s.TermStart), optMicros(s.TermEnd), s.AutoRenew, s.DryRun, s.Version,
		micros(s.CreatedAt), micros(s.UpdatedAt))
	return err
}

func (x azemuTx) UpdateSubscription(ctx context.Context, s azemu.Subscription) error {
	return affected(x.t.exec(ctx, `UPDATE azemu_subscriptions SET plan_id = ?, quantity = ?, status = ?, term_start = ?, term_end = ?,
		auto_renew = ?, dry_run = ?, version = ?, updated_at = ? WHERE saas_id = ? AND id = ? AND version = ?`,
		s.PlanID, s.Quantity, string(s.Status), optMicros(s.TermStart), optMicros(s.TermEnd), s.AutoRenew, s.DryRun,
		s.Version, micros(s.UpdatedAt), s.SaaSID, s.ID, s.Version-1))
}

func (x azemuTx) Subscription(ctx context.Context, saasID, id string) (azemu.Subscription, error) {
	s, err := scanAzemuSub(x.t.queryRow(ctx, `SELECT `+azemuSubColumns+` FROM azemu_subscriptions WHERE saas_id = ? AND id = ?`, saasID, id))
	return s, azemuNoRow(err)
}

func (x azemuTx) Subscriptions(ctx context.Context, saasID, after string, limit int) ([]azemu.Subscription, error) {
	rows, err := x.t.query(ctx, `SELECT `+azemuSubColumns+` FROM azemu_subscriptions WHERE saas_id = ? AND id > ?
		ORDER BY id LIMIT ?`, saasID, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []azemu.Subscription{}
	for rows.Next() {
		s, err := scanAzemuSub(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (x azemuTx) InsertToken(ctx context.Context, t azemu.PurchaseToken) error {
	_, err := x.t.exec(ctx, `INSERT INTO azemu_tokens (token, saas_id, subscription_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		t.Token, t.SaaSID, t.SubscriptionID, micros(t.CreatedAt), micros(t.ExpiresAt))
	return err
}

func (x azemuTx) Token(ctx context.Context, token string) (azemu.PurchaseToken, error) {
	t := azemu.PurchaseToken{Token: token}
	var created, expires int64
	err := x.t.queryRow(ctx, `SELECT saas_id, subscription_id, created_at, expires_at FROM azemu_tokens WHERE token = ?`, token).
		Scan(&t.SaaSID, &t.SubscriptionID, &created, &expires)
	t.CreatedAt, t.ExpiresAt = fromMicros(created), fromMicros(expires)
	return t, azemuNoRow(err)
}

// ---- operations ----

const azemuOpColumns = `id, saas_id, subscription_id, activity_id, action, source, plan_id, quantity, status, api_version,
	due_at, error_code, error_message, created_at, updated_at`

func scanAzemuOp(row interface{ Scan(...any) error }) (azemu.Operation, error) {
	var op azemu.Operation
	var action, source, status string
	var due, created, updated int64
	err := row.Scan(&op.ID, &op.SaaSID, &op.SubscriptionID, &op.ActivityID, &action, &source, &op.PlanID, &op.Quantity,
		&status, &op.APIVersion, &due, &op.ErrorCode, &op.ErrorMessage, &created, &updated)
	op.Action, op.Source, op.Status = azemu.Action(action), azemu.Source(source), azemu.OpStatus(status)
	op.DueAt, op.CreatedAt, op.UpdatedAt = fromOptMicros(due), fromMicros(created), fromMicros(updated)
	return op, err
}

func scanAzemuOps(rows *sql.Rows, err error) ([]azemu.Operation, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []azemu.Operation{}
	for rows.Next() {
		op, err := scanAzemuOp(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, op)
	}
	return out, rows.Err()
}

func (x azemuTx) InsertOperation(ctx context.Context, op azemu.Operation) error {
	_, err := x.t.exec(ctx, `INSERT INTO azemu_operations (`+azemuOpColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		op.ID, op.SaaSID, op.SubscriptionID, op.ActivityID, string(op.Action), string(op.Source), op.PlanID, op.Quantity,
		string(op.Status), op.APIVersion, optMicros(op.DueAt), op.ErrorCode, op.ErrorMessage, micros(op.CreatedAt), micros(op.UpdatedAt))
	return err
}

func (x azemuTx) UpdateOperation(ctx context.Context, op azemu.Operation) error {
	return affected(x.t.exec(ctx, `UPDATE azemu_operations SET status = ?, plan_id = ?, quantity = ?, due_at = ?, error_code = ?,
		error_message = ?, updated_at = ? WHERE saas_id = ? AND id = ? AND status = 'InProgress'`,
		string(op.Status), op.PlanID, op.Quantity, optMicros(op.DueAt), op.ErrorCode, op.ErrorMessage, micros(op.UpdatedAt),
		op.SaaSID, op.ID))
}

func (x azemuTx) Operation(ctx context.Context, saasID, id string) (azemu.Operation, error) {
	op, err := scanAzemuOp(x.t.queryRow(ctx, `SELECT `+azemuOpColumns+` FROM azemu_operations WHERE saas_id = ? AND id = ?`, saasID, id))
	return op, azemuNoRow(err)
}

func (x azemuTx) Operations(ctx context.Context, saasID, subscriptionID string, inProgress bool) ([]azemu.Operation, error) {
	q := `SELECT ` + azemuOpColumns + ` FROM azemu_operations WHERE saas_id = ? AND subscription_id = ?`
	if inProgress {
		q += ` AND status = 'InProgress'`
	}
	return scanAzemuOps(x.t.query(ctx, q+` ORDER BY created_at, id`, saasID, subscriptionID))
}

// DueOperations locks the rows on PostgreSQL: for one SaaS (a request
// that must see them completed) it waits for a concurrent settler, whose
// commit then makes this transaction retry; for all SaaS (the background
// settler) it skips locked rows. SQLite has one writer.
func (x azemuTx) DueOperations(ctx context.Context, saasID string, now time.Time, limit int) ([]azemu.Operation, error) {
	q := `SELECT ` + azemuOpColumns + ` FROM azemu_operations WHERE status = 'InProgress' AND due_at > 0 AND due_at <= ?`
	args := []any{micros(now)}
	if saasID != "" {
		q += ` AND saas_id = ?`
		args = append(args, saasID)
	}
	q += ` ORDER BY due_at, id LIMIT ?`
	args = append(args, limit)
	switch {
	case x.t.db.dialect != Postgres:
	case saasID == "":
		q += ` FOR UPDATE SKIP LOCKED`
	default:
		q += ` FOR UPDATE`
	}
	return scanAzemuOps(x.t.query(ctx, q, args...))
}

// DueRenewals locks the rows on PostgreSQL as DueOperations does.
func (x azemuTx) DueRenewals(ctx context.Context, saasID string, endedBy time.Time, limit int) ([]azemu.Subscription, error) {
	q := `SELECT ` + azemuSubColumns + ` FROM azemu_subscriptions WHERE status = 'Subscribed' AND term_end > 0 AND term_end <= ?`
	args := []any{micros(endedBy)}
	if saasID != "" {
		q += ` AND saas_id = ?`
		args = append(args, saasID)
	}
	q += ` ORDER BY term_end, saas_id, id LIMIT ?`
	args = append(args, limit)
	switch {
	case x.t.db.dialect != Postgres:
	case saasID == "":
		q += ` FOR UPDATE SKIP LOCKED`
	default:
		q += ` FOR UPDATE`
	}
	rows, err := x.t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []azemu.Subscription{}
	for rows.Next() {
		s, err := scanAzemuSub(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ---- usage ----

const azemuUsageColumns = `usage_event_id, saas_id, resource_id, offer_id, plan_id, dimension, quantity, effective_start, hour,
	message_time, dry_run`

func scanAzemuUsage(row interface{ Scan(...any) error }) (azemu.UsageEvent, error) {
	var e azemu.UsageEvent
	var start, hour, msg int64
	err := row.Scan(&e.UsageEventID, &e.SaaSID, &e.ResourceID, &e.OfferID, &e.PlanID, &e.Dimension, &e.Quantity, &start, &hour, &msg, &e.DryRun)
	e.EffectiveStartTime, e.Hour, e.MessageTime = fromMicros(start), fromMicros(hour), fromMicros(msg)
	return e, err
}

func (x azemuTx) AcceptedUsage(ctx context.Context, resourceID, dimension string, hour time.Time) (azemu.UsageEvent, error) {
	e, err := scanAzemuUsage(x.t.queryRow(ctx, `SELECT `+azemuUsageColumns+` FROM azemu_usage
		WHERE resource_id = ? AND dimension = ? AND hour = ?`, resourceID, dimension, micros(hour)))
	return e, azemuNoRow(err)
}

func (x azemuTx) InsertUsage(ctx context.Context, e azemu.UsageEvent) error {
	_, err := x.t.exec(ctx, `INSERT INTO azemu_usage (`+azemuUsageColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.UsageEventID, e.SaaSID, e.ResourceID, e.OfferID, e.PlanID, e.Dimension, e.Quantity, micros(e.EffectiveStartTime),
		micros(e.Hour), micros(e.MessageTime), e.DryRun)
	return err
}

func (x azemuTx) Usage(ctx context.Context, saasID string, from, to time.Time) ([]azemu.UsageEvent, error) {
	rows, err := x.t.query(ctx, `SELECT `+azemuUsageColumns+` FROM azemu_usage WHERE saas_id = ? AND hour >= ? AND hour < ?
		ORDER BY hour, usage_event_id`, saasID, micros(from), micros(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []azemu.UsageEvent{}
	for rows.Next() {
		e, err := scanAzemuUsage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ---- webhooks ----

const azemuHookColumns = `seq, id, saas_id, subscription_id, operation_id, endpoint, body, status, attempts, last_error,
	last_status, created_at, last_attempt_at, next_attempt_at, delivered_at`

func scanAzemuHook(row rowScanner) (azemu.Webhook, error) {
	var w azemu.Webhook
	var created, last, next, delivered int64
	err := row.Scan(&w.Seq, &w.ID, &w.SaaSID, &w.SubscriptionID, &w.OperationID, &w.Endpoint, &w.Body, &w.Status,
		&w.Attempts, &w.LastError, &w.LastStatus, &created, &last, &next, &delivered)
	w.CreatedAt, w.NextAttemptAt = fromMicros(created), fromMicros(next)
	w.LastAttemptAt, w.DeliveredAt = fromOptMicros(last), fromOptMicros(delivered)
	return w, err
}

func scanAzemuHooks(rows *sql.Rows, err error) ([]azemu.Webhook, error) {
	ws, err := scanRows(rows, err, scanAzemuHook)
	if ws == nil && err == nil {
		ws = []azemu.Webhook{}
	}
	return ws, err
}

func (x azemuTx) InsertWebhook(ctx context.Context, w azemu.Webhook) error {
	_, err := x.t.exec(ctx, `INSERT INTO azemu_webhooks (id, saas_id, subscription_id, operation_id, endpoint, body, status,
		attempts, last_error, last_status, created_at, last_attempt_at, next_attempt_at, delivered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.ID, w.SaaSID, w.SubscriptionID, w.OperationID, w.Endpoint, w.Body, w.Status, w.Attempts, w.LastError, w.LastStatus,
		micros(w.CreatedAt), optMicros(w.LastAttemptAt), micros(w.NextAttemptAt), optMicros(w.DeliveredAt))
	return err
}

func (x azemuTx) NextWebhook(ctx context.Context, subscriptionID string) (azemu.Webhook, error) {
	w, err := scanAzemuHook(x.t.queryRow(ctx, `SELECT `+azemuHookColumns+` FROM azemu_webhooks
		WHERE subscription_id = ? AND status = 'pending' ORDER BY seq LIMIT 1`, subscriptionID))
	if errors.Is(err, sql.ErrNoRows) {
		return w, errs.ErrNotExist
	}
	return w, err
}

func (x azemuTx) EnqueueJob(ctx context.Context, job azemu.Job) error {
	return x.t.enqueue(ctx, job)
}

func (x azemuTx) UpdateWebhook(ctx context.Context, w azemu.Webhook) error {
	_, err := x.t.exec(ctx, `UPDATE azemu_webhooks SET status = ?, attempts = ?, last_error = ?, last_status = ?, last_attempt_at = ?,
		next_attempt_at = ?, delivered_at = ? WHERE id = ? AND status = 'pending'`,
		w.Status, w.Attempts, w.LastError, w.LastStatus, optMicros(w.LastAttemptAt), micros(w.NextAttemptAt),
		optMicros(w.DeliveredAt), w.ID)
	return err
}

func (x azemuTx) Webhooks(ctx context.Context, saasID string, limit int) ([]azemu.Webhook, error) {
	return scanAzemuHooks(x.t.query(ctx, `SELECT `+azemuHookColumns+` FROM azemu_webhooks WHERE saas_id = ?
		ORDER BY seq DESC LIMIT ?`, saasID, limit))
}
