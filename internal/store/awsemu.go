package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/errs"
)

// awsemuStore adapts DB to awsemu.Store. Its transactions are a wrapper of
// Tx (awsemuTx), so the emulator's method names never clash with those of
// the other domains on Tx.
type awsemuStore struct{ db *DB }

// awsemuTx is a Tx seen by the AWS Marketplace emulator.
type awsemuTx struct {
	t *Tx
	faultsTx
}

// AWSEmulator returns the AWS Marketplace emulator's view of the database.
func (db *DB) AWSEmulator() awsemu.Store { return awsemuStore{db} }

var (
	_ awsemu.Store = awsemuStore{}
	_ awsemu.Tx    = awsemuTx{}
)

func (s awsemuStore) ReadTx(ctx context.Context, fn func(awsemu.Tx) error) error {
	return s.db.Read(ctx, func(tx *Tx) error { return fn(awsemuTx{tx, faultsTx{tx, "aws"}}) })
}

func (s awsemuStore) WriteTx(ctx context.Context, fn func(awsemu.Tx) error) error {
	return s.db.Write(ctx, func(tx *Tx) error { return fn(awsemuTx{tx, faultsTx{tx, "aws"}}) })
}

func awsemuNoRow(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.ErrNotExist
	}
	return err
}

func (x awsemuTx) ProductOwner(ctx context.Context, productCode string) (saasID string, err error) {
	err = x.t.queryRow(ctx, `SELECT saas_id FROM awsemu_products WHERE product_code = ?`, productCode).Scan(&saasID)
	return saasID, awsemuNoRow(err)
}

func (x awsemuTx) InsertProduct(ctx context.Context, saasID, productCode string) error {
	_, err := x.t.exec(ctx, `INSERT INTO awsemu_products (product_code, saas_id) VALUES (?, ?)`, productCode, saasID)
	return err
}

func (x awsemuTx) AddDimension(ctx context.Context, productCode, dimension string) error {
	_, err := x.t.exec(ctx, `INSERT INTO awsemu_dimensions (product_code, dimension) VALUES (?, ?)
		ON CONFLICT (product_code, dimension) DO NOTHING`, productCode, dimension)
	return err
}

func (x awsemuTx) HasDimension(ctx context.Context, productCode, dimension string) (bool, error) {
	return x.t.exists(ctx, `SELECT 1 FROM awsemu_dimensions WHERE product_code = ? AND dimension = ?`, productCode, dimension)
}

const awsemuPurchaseColumns = `saas_id, customer_identifier, customer_aws_account_id, license_arn, product_code,
	dimension, quantity, status, created_at, updated_at, expires_at`

func (x awsemuTx) InsertPurchase(ctx context.Context, p awsemu.Purchase) error {
	_, err := x.t.exec(ctx, `INSERT INTO awsemu_purchases (`+awsemuPurchaseColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.SaaSID, p.CustomerIdentifier, p.CustomerAWSAccountID, p.LicenseArn, p.ProductCode,
		p.Dimension, p.Quantity, string(p.Status), micros(p.CreatedAt), micros(p.UpdatedAt), micros(p.ExpiresAt))
	return err
}

func (x awsemuTx) UpdatePurchase(ctx context.Context, p awsemu.Purchase) error {
	return affected(x.t.exec(ctx, `UPDATE awsemu_purchases SET dimension = ?, quantity = ?, status = ?, updated_at = ?
		WHERE saas_id = ? AND customer_identifier = ?`,
		p.Dimension, p.Quantity, string(p.Status), micros(p.UpdatedAt), p.SaaSID, p.CustomerIdentifier))
}

// awsemuIn appends "AND col IN (?, ...)" for a non-empty list.
func awsemuIn(where []string, args []any, col string, vs []string) ([]string, []any) {
	if len(vs) == 0 {
		return where, args
	}
	return append(where, col+` IN (`+placeholders(len(vs))+`)`), stringArgs(args, vs)
}

func (x awsemuTx) Purchases(ctx context.Context, q awsemu.PurchaseQuery) ([]awsemu.Purchase, error) {
	where := []string{"1 = 1"}
	var args []any
	for _, f := range []struct{ col, v string }{
		{"saas_id", q.SaaSID}, {"product_code", q.ProductCode}, {"status", string(q.Status)},
	} {
		if f.v != "" {
			where, args = append(where, f.col+" = ?"), append(args, f.v)
		}
	}
	where, args = awsemuIn(where, args, "customer_identifier", q.CustomerIdentifiers)
	where, args = awsemuIn(where, args, "customer_aws_account_id", q.AccountIDs)
	where, args = awsemuIn(where, args, "dimension", q.Dimensions)
	where, args = awsemuIn(where, args, "license_arn", q.LicenseArns)
	if q.After != "" {
		where, args = append(where, "customer_identifier > ?"), append(args, q.After)
	}
	query := `SELECT ` + awsemuPurchaseColumns + ` FROM awsemu_purchases WHERE ` + strings.Join(where, " AND ") + ` ORDER BY customer_identifier`
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	rows, err := x.t.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []awsemu.Purchase{}
	for rows.Next() {
		var p awsemu.Purchase
		var status string
		var created, updated, expires int64
		if err := rows.Scan(&p.SaaSID, &p.CustomerIdentifier, &p.CustomerAWSAccountID, &p.LicenseArn, &p.ProductCode,
			&p.Dimension, &p.Quantity, &status, &created, &updated, &expires); err != nil {
			return nil, err
		}
		p.Status = awsemu.PurchaseStatus(status)
		p.CreatedAt, p.UpdatedAt, p.ExpiresAt = fromMicros(created), fromMicros(updated), fromMicros(expires)
		out = append(out, p)
	}
	return out, rows.Err()
}

func (x awsemuTx) InsertToken(ctx context.Context, t awsemu.RegistrationToken) error {
	_, err := x.t.exec(ctx, `INSERT INTO awsemu_tokens (token, saas_id, customer_identifier, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		t.Token, t.SaaSID, t.CustomerIdentifier, micros(t.CreatedAt), micros(t.ExpiresAt))
	return err
}

func (x awsemuTx) Token(ctx context.Context, token string) (awsemu.RegistrationToken, error) {
	t := awsemu.RegistrationToken{Token: token}
	var created, expires int64
	err := x.t.queryRow(ctx, `SELECT saas_id, customer_identifier, created_at, expires_at FROM awsemu_tokens WHERE token = ?`, token).
		Scan(&t.SaaSID, &t.CustomerIdentifier, &created, &expires)
	t.CreatedAt, t.ExpiresAt = fromMicros(created), fromMicros(expires)
	return t, awsemuNoRow(err)
}

func (x awsemuTx) InsertSession(ctx context.Context, s awsemu.Session) error {
	_, err := x.t.exec(ctx, `INSERT INTO awsemu_sessions (access_key_id, secret_access_key, session_token, role_arn,
		role_session_name, external_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		s.AccessKeyID, s.SecretAccessKey, s.SessionToken, s.RoleArn, s.RoleSessionName, s.ExternalID,
		micros(s.CreatedAt), micros(s.ExpiresAt))
	return err
}

func (x awsemuTx) Session(ctx context.Context, accessKeyID string) (awsemu.Session, error) {
	s := awsemu.Session{AccessKeyID: accessKeyID}
	var created, expires int64
	err := x.t.queryRow(ctx, `SELECT secret_access_key, session_token, role_arn, role_session_name, external_id, created_at, expires_at
		FROM awsemu_sessions WHERE access_key_id = ?`, accessKeyID).
		Scan(&s.SecretAccessKey, &s.SessionToken, &s.RoleArn, &s.RoleSessionName, &s.ExternalID, &created, &expires)
	s.CreatedAt, s.ExpiresAt = fromMicros(created), fromMicros(expires)
	return s, awsemuNoRow(err)
}

const awsemuUsageColumns = `metering_record_id, saas_id, product_code, customer_identifier, customer_aws_account_id,
	license_arn, dimension, hour, usage_at, quantity, status, received_at`

func scanAWSEmuUsage(row interface{ Scan(...any) error }) (awsemu.UsageRecord, error) {
	var r awsemu.UsageRecord
	var status string
	var hour, at, received int64
	err := row.Scan(&r.MeteringRecordID, &r.SaaSID, &r.ProductCode, &r.CustomerIdentifier, &r.CustomerAWSAccountID,
		&r.LicenseArn, &r.Dimension, &hour, &at, &r.Quantity, &status, &received)
	r.Status = awsemu.UsageStatus(status)
	r.Hour, r.Timestamp, r.ReceivedAt = fromMicros(hour), fromMicros(at), fromMicros(received)
	return r, err
}

func (x awsemuTx) AcceptedUsage(ctx context.Context, customerIdentifier, dimension string, hour time.Time) (awsemu.UsageRecord, error) {
	r, err := scanAWSEmuUsage(x.t.queryRow(ctx, `SELECT `+awsemuUsageColumns+` FROM awsemu_usage
		WHERE customer_identifier = ? AND dimension = ? AND hour = ? AND status = 'Success'`,
		customerIdentifier, dimension, micros(hour)))
	return r, awsemuNoRow(err)
}

func (x awsemuTx) InsertUsage(ctx context.Context, r awsemu.UsageRecord) error {
	_, err := x.t.exec(ctx, `INSERT INTO awsemu_usage (`+awsemuUsageColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.MeteringRecordID, r.SaaSID, r.ProductCode, r.CustomerIdentifier, r.CustomerAWSAccountID,
		r.LicenseArn, r.Dimension, micros(r.Hour), micros(r.Timestamp), r.Quantity, string(r.Status), micros(r.ReceivedAt))
	return err
}

func (x awsemuTx) Usage(ctx context.Context, saasID string, limit int) ([]awsemu.UsageRecord, error) {
	rows, err := x.t.query(ctx, `SELECT `+awsemuUsageColumns+` FROM awsemu_usage WHERE saas_id = ? ORDER BY seq DESC LIMIT ?`, saasID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []awsemu.UsageRecord{}
	for rows.Next() {
		r, err := scanAWSEmuUsage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
