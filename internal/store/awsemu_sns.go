package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/saasplane/saasplane/internal/awsemu"
)

// The AWS emulator's SNS tables: signing identity, endpoints,
// subscriptions and the outbox (migration aws_emulator_sns).

func (x awsemuTx) Products(ctx context.Context, saasID string) ([]string, error) {
	rows, err := x.t.query(ctx, `SELECT product_code FROM awsemu_products WHERE saas_id = ? ORDER BY product_code`, saasID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (x awsemuTx) SNSIdentity(ctx context.Context) (awsemu.SNSIdentity, error) {
	var id awsemu.SNSIdentity
	var created int64
	err := x.t.queryRow(ctx, `SELECT key_pem, cert_pem, created_at FROM awsemu_sns_identity WHERE id = 1`).
		Scan(&id.KeyPEM, &id.CertPEM, &created)
	id.CreatedAt = fromMicros(created)
	return id, awsemuNoRow(err)
}

func (x awsemuTx) InsertSNSIdentity(ctx context.Context, id awsemu.SNSIdentity) error {
	_, err := x.t.exec(ctx, `INSERT INTO awsemu_sns_identity (id, key_pem, cert_pem, created_at) VALUES (1, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`, id.KeyPEM, id.CertPEM, micros(id.CreatedAt))
	return err
}

func (x awsemuTx) NotificationEndpoint(ctx context.Context, saasID string) (string, time.Time, error) {
	var endpoint string
	var created int64
	err := x.t.queryRow(ctx, `SELECT endpoint, created_at FROM awsemu_sns_endpoints WHERE saas_id = ?`, saasID).Scan(&endpoint, &created)
	return endpoint, fromMicros(created), awsemuNoRow(err)
}

func (x awsemuTx) PutNotificationEndpoint(ctx context.Context, saasID, endpoint string, at time.Time) error {
	_, err := x.t.exec(ctx, `INSERT INTO awsemu_sns_endpoints (saas_id, endpoint, created_at) VALUES (?, ?, ?)
		ON CONFLICT (saas_id) DO UPDATE SET endpoint = excluded.endpoint, created_at = excluded.created_at`,
		saasID, endpoint, micros(at))
	return err
}

func (x awsemuTx) DeleteNotificationEndpoint(ctx context.Context, saasID string) error {
	return affected(x.t.exec(ctx, `DELETE FROM awsemu_sns_endpoints WHERE saas_id = ?`, saasID))
}

const awsemuSubColumns = `subscription_arn, saas_id, topic_arn, endpoint, token, created_at, confirmed_at`

func scanAWSEmuSub(row interface{ Scan(...any) error }) (awsemu.SNSSubscription, error) {
	var s awsemu.SNSSubscription
	var created int64
	var confirmed sql.NullInt64
	err := row.Scan(&s.SubscriptionArn, &s.SaaSID, &s.TopicArn, &s.Endpoint, &s.Token, &created, &confirmed)
	s.CreatedAt = fromMicros(created)
	if confirmed.Valid {
		s.ConfirmedAt = fromMicros(confirmed.Int64)
	}
	return s, err
}

func (x awsemuTx) InsertSNSSubscription(ctx context.Context, s awsemu.SNSSubscription) error {
	var confirmed any
	if s.Confirmed() {
		confirmed = micros(s.ConfirmedAt)
	}
	_, err := x.t.exec(ctx, `INSERT INTO awsemu_sns_subscriptions (`+awsemuSubColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.SubscriptionArn, s.SaaSID, s.TopicArn, s.Endpoint, s.Token, micros(s.CreatedAt), confirmed)
	return err
}

func (x awsemuTx) SNSSubscriptions(ctx context.Context, saasID string) ([]awsemu.SNSSubscription, error) {
	rows, err := x.t.query(ctx, `SELECT `+awsemuSubColumns+` FROM awsemu_sns_subscriptions WHERE saas_id = ? ORDER BY topic_arn`, saasID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []awsemu.SNSSubscription{}
	for rows.Next() {
		s, err := scanAWSEmuSub(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (x awsemuTx) SNSSubscriptionByToken(ctx context.Context, token string) (awsemu.SNSSubscription, error) {
	s, err := scanAWSEmuSub(x.t.queryRow(ctx, `SELECT `+awsemuSubColumns+` FROM awsemu_sns_subscriptions WHERE token = ?`, token))
	return s, awsemuNoRow(err)
}

func (x awsemuTx) ConfirmSNSSubscription(ctx context.Context, subscriptionArn string, at time.Time) error {
	return affected(x.t.exec(ctx, `UPDATE awsemu_sns_subscriptions SET confirmed_at = ? WHERE subscription_arn = ?`,
		micros(at), subscriptionArn))
}

func (x awsemuTx) DeleteSNSSubscription(ctx context.Context, subscriptionArn string) error {
	return affected(x.t.exec(ctx, `DELETE FROM awsemu_sns_subscriptions WHERE subscription_arn = ?`, subscriptionArn))
}

const awsemuMsgColumns = `seq, message_id, saas_id, subscription_arn, endpoint, type, topic_arn, message, token, published_at,
	status, attempts, last_error, last_attempt_at, next_attempt_at, delivered_at`

// optMicros stores a zero time as 0.
func optMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

// fromOptMicros reads 0 as the zero time.
func fromOptMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return fromMicros(us)
}

func scanAWSEmuMsg(row rowScanner) (awsemu.SNSDelivery, error) {
	var d awsemu.SNSDelivery
	var published, lastAttempt, next, delivered int64
	dest := []any{&d.Seq, &d.MessageID, &d.SaaSID, &d.SubscriptionArn, &d.Endpoint, &d.Type, &d.TopicArn, &d.Message,
		&d.Token, &published, &d.Status, &d.Attempts, &d.LastError, &lastAttempt, &next, &delivered}
	err := row.Scan(dest...)
	d.PublishedAt, d.NextAttemptAt = fromMicros(published), fromMicros(next)
	d.LastAttemptAt, d.DeliveredAt = fromOptMicros(lastAttempt), fromOptMicros(delivered)
	return d, err
}

func scanAWSEmuMsgs(rows *sql.Rows, err error) ([]awsemu.SNSDelivery, error) {
	return scanRows(rows, err, scanAWSEmuMsg)
}

func (x awsemuTx) InsertSNSDelivery(ctx context.Context, d awsemu.SNSDelivery) error {
	_, err := x.t.exec(ctx, `INSERT INTO awsemu_sns_messages (message_id, saas_id, subscription_arn, endpoint, type, topic_arn,
		message, token, published_at, status, attempts, last_error, last_attempt_at, next_attempt_at, delivered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.MessageID, d.SaaSID, d.SubscriptionArn, d.Endpoint, d.Type, d.TopicArn, d.Message, d.Token, micros(d.PublishedAt),
		d.Status, d.Attempts, d.LastError, optMicros(d.LastAttemptAt), micros(d.NextAttemptAt), optMicros(d.DeliveredAt))
	return err
}

func (x awsemuTx) NextSNSDelivery(ctx context.Context, subscriptionArn string) (awsemu.SNSDelivery, bool, error) {
	var confirmed bool
	d, err := scanAWSEmuMsg(scanWith(x.t.queryRow(ctx, `SELECT `+prefixed("m.", awsemuMsgColumns)+`, s.confirmed_at IS NOT NULL
		FROM awsemu_sns_messages m JOIN awsemu_sns_subscriptions s ON s.subscription_arn = m.subscription_arn
		WHERE m.subscription_arn = ? AND m.status = 'pending' ORDER BY m.seq LIMIT 1`, subscriptionArn), &confirmed))
	return d, confirmed, awsemuNoRow(err)
}

func (x awsemuTx) EnqueueJob(ctx context.Context, job awsemu.Job) error {
	return x.t.enqueue(ctx, job)
}

func (x awsemuTx) UpdateSNSDelivery(ctx context.Context, d awsemu.SNSDelivery) error {
	_, err := x.t.exec(ctx, `UPDATE awsemu_sns_messages SET status = ?, attempts = ?, last_error = ?, last_attempt_at = ?,
		next_attempt_at = ?, delivered_at = ? WHERE message_id = ? AND status = 'pending'`,
		d.Status, d.Attempts, d.LastError, optMicros(d.LastAttemptAt), micros(d.NextAttemptAt),
		optMicros(d.DeliveredAt), d.MessageID)
	return err
}

func (x awsemuTx) AbandonSNSDeliveries(ctx context.Context, subscriptionArn, reason string, at time.Time) error {
	_, err := x.t.exec(ctx, `UPDATE awsemu_sns_messages SET status = 'failed', last_error = ?
		WHERE subscription_arn = ? AND status = 'pending'`, reason, subscriptionArn)
	_ = at
	return err
}

func (x awsemuTx) SNSDeliveries(ctx context.Context, saasID string, limit int) ([]awsemu.SNSDelivery, error) {
	return scanAWSEmuMsgs(x.t.query(ctx, `SELECT `+awsemuMsgColumns+` FROM awsemu_sns_messages WHERE saas_id = ?
		ORDER BY seq DESC LIMIT ?`, saasID, limit))
}

// prefixed qualifies each column of a comma-separated list.
func prefixed(prefix, columns string) string {
	out := make([]byte, 0, len(columns)+16*len(prefix))
	out = append(out, prefix...)
	for i := 0; i < len(columns); i++ {
		out = append(out, columns[i])
		if columns[i] == ',' {
			j := i + 1
			for j < len(columns) && (columns[j] == ' ' || columns[j] == '\n' || columns[j] == '\t') {
				out = append(out, columns[j])
				j++
			}
			out = append(out, prefix...)
			i = j - 1
		}
	}
	return string(out)
}
