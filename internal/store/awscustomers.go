package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace/aws"
)

func (t *Tx) PutRegistrationToken(ctx context.Context, saasID, hash string, rt aws.RegistrationToken, at time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO aws_registration_tokens (token_hash, saas_id, customer_identifier, customer_aws_account_id,
		product_code, license_arn, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		hash, saasID, rt.CustomerIdentifier, rt.CustomerAWSAccountID, rt.ProductCode, rt.LicenseArn, micros(at), micros(rt.ExpiresAt))
	return err
}

func (t *Tx) RegistrationToken(ctx context.Context, saasID, hash string) (aws.RegistrationToken, error) {
	var rt aws.RegistrationToken
	var expires int64
	var used sql.NullInt64
	err := t.queryRow(ctx, `SELECT customer_identifier, customer_aws_account_id, product_code, license_arn, expires_at, used_at
		FROM aws_registration_tokens WHERE saas_id = ? AND token_hash = ?`, saasID, hash).Scan(
		&rt.CustomerIdentifier, &rt.CustomerAWSAccountID, &rt.ProductCode, &rt.LicenseArn, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return rt, errs.ErrNotExist
	}
	rt.ExpiresAt, rt.Used = fromMicros(expires), used.Valid
	return rt, mapErr(err)
}

func (t *Tx) UseRegistrationToken(ctx context.Context, saasID, hash string, at time.Time) error {
	return affected(t.exec(ctx, `UPDATE aws_registration_tokens SET used_at = ? WHERE saas_id = ? AND token_hash = ? AND used_at IS NULL`,
		micros(at), saasID, hash))
}

const awsCustomerColumns = `customer_identifier, customer_aws_account_id, product_code, license_arn, tenant_id, status,
	dimension, entitlement_expires_at, created_at, updated_at`

func scanAWSCustomer(row interface{ Scan(...any) error }) (aws.AWSCustomer, error) {
	var c aws.AWSCustomer
	var status string
	var expires sql.NullInt64
	var created, updated int64
	err := row.Scan(&c.CustomerIdentifier, &c.CustomerAWSAccountID, &c.ProductCode, &c.LicenseArn, &c.TenantID, &status,
		&c.Dimension, &expires, &created, &updated)
	c.Status, c.CreatedAt, c.UpdatedAt = aws.CustomerStatus(status), fromMicros(created), fromMicros(updated)
	if expires.Valid {
		c.EntitlementExpires = fromMicros(expires.Int64)
	}
	return c, err
}

func (t *Tx) AWSCustomer(ctx context.Context, saasID, customerIdentifier string) (aws.AWSCustomer, error) {
	c, err := scanAWSCustomer(t.queryRow(ctx, `SELECT `+awsCustomerColumns+` FROM aws_customers
		WHERE saas_id = ? AND customer_identifier = ?`, saasID, customerIdentifier))
	if errors.Is(err, sql.ErrNoRows) {
		return c, errs.ErrNotExist
	}
	return c, mapErr(err)
}

func (t *Tx) AWSCustomers(ctx context.Context, saasID string, tenantIDs ...string) ([]aws.AWSCustomer, error) {
	q := byIDs(`SELECT `+awsCustomerColumns+` FROM aws_customers WHERE saas_id = ?`, "tenant_id", tenantIDs)
	rows, err := t.query(ctx, q, stringArgs([]any{saasID}, tenantIDs)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []aws.AWSCustomer{}
	for rows.Next() {
		c, err := scanAWSCustomer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (t *Tx) PutAWSCustomer(ctx context.Context, saasID string, c aws.AWSCustomer) error {
	var expires any
	if !c.EntitlementExpires.IsZero() {
		expires = micros(c.EntitlementExpires)
	}
	_, err := t.exec(ctx, `INSERT INTO aws_customers (saas_id, `+awsCustomerColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (saas_id, customer_identifier) DO UPDATE SET customer_aws_account_id = excluded.customer_aws_account_id,
		product_code = excluded.product_code, license_arn = excluded.license_arn, tenant_id = excluded.tenant_id,
		status = excluded.status, dimension = excluded.dimension, entitlement_expires_at = excluded.entitlement_expires_at,
		updated_at = excluded.updated_at`,
		saasID, c.CustomerIdentifier, c.CustomerAWSAccountID, c.ProductCode, c.LicenseArn, c.TenantID, string(c.Status),
		c.Dimension, expires, micros(c.CreatedAt), micros(c.UpdatedAt))
	return err
}

func (t *Tx) NotificationSeen(ctx context.Context, saasID, messageID string) (bool, error) {
	return t.exists(ctx, `SELECT 1 FROM aws_notifications WHERE saas_id = ? AND message_id = ?`, saasID, messageID)
}

func (t *Tx) RecordNotification(ctx context.Context, saasID string, n aws.Notification, outcome string, at time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO aws_notifications (saas_id, message_id, topic_arn, action, customer_identifier, outcome, received_at, sent_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (saas_id, message_id) DO NOTHING`,
		saasID, n.MessageID, n.TopicArn, n.Action, n.CustomerIdentifier, outcome, micros(at), micros(n.SentAt))
	return err
}

func (t *Tx) LastSubscriptionNotification(ctx context.Context, saasID, customerIdentifier string) (time.Time, error) {
	var last sql.NullInt64
	err := t.queryRow(ctx, `SELECT MAX(sent_at) FROM aws_notifications
		WHERE saas_id = ? AND customer_identifier = ? AND outcome = 'applied' AND action <> 'entitlement-updated'`,
		saasID, customerIdentifier).Scan(&last)
	if err != nil || !last.Valid {
		return time.Time{}, mapErr(err)
	}
	return fromMicros(last.Int64), nil
}
