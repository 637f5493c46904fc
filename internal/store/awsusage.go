package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/saasplane/saasplane/internal/marketplace"
	"github.com/saasplane/saasplane/internal/marketplace/aws"
)

func (t *Tx) PutMeterDimension(ctx context.Context, saasID, meterID, dimension string) error {
	_, err := t.exec(ctx, `INSERT INTO aws_meter_dimensions (saas_id, meter_id, dimension) VALUES (?, ?, ?)
		ON CONFLICT (saas_id, meter_id) DO UPDATE SET dimension = excluded.dimension`, saasID, meterID, dimension)
	return err
}

func (t *Tx) DeleteMeterDimension(ctx context.Context, saasID, meterID string) error {
	return affected(t.exec(ctx, `DELETE FROM aws_meter_dimensions WHERE saas_id = ? AND meter_id = ?`, saasID, meterID))
}

func (t *Tx) MeterDimensions(ctx context.Context, saasID string) ([]marketplace.MeterDimension, error) {
	rows, err := t.query(ctx, `SELECT d.meter_id, m.unit_name, d.dimension, m.aggregate_usage FROM aws_meter_dimensions d
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

func (t *Tx) UsageSaaSIDs(ctx context.Context) ([]string, error) {
	return queryStrings(ctx, t, `SELECT DISTINCT saas_id FROM aws_meter_dimensions ORDER BY saas_id`)
}

func (t *Tx) ReportableCustomers(ctx context.Context, saasID string, since time.Time) ([]aws.AWSCustomer, error) {
	rows, err := t.query(ctx, `SELECT `+awsCustomerColumns+` FROM aws_customers WHERE saas_id = ?
		AND (status IN ('subscribed', 'unsubscribe_pending') OR (status = 'unsubscribed' AND updated_at >= ?))
		ORDER BY customer_identifier`, saasID, micros(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []aws.AWSCustomer
	for rows.Next() {
		c, err := scanAWSCustomer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (t *Tx) ReportedHours(ctx context.Context, saasID, customerIdentifier, dimension string, since time.Time) (map[int64]bool, error) {
	rows, err := t.query(ctx, `SELECT hour FROM aws_usage_reports WHERE saas_id = ? AND customer_identifier = ? AND dimension = ? AND hour >= ?`,
		saasID, customerIdentifier, dimension, since.Unix())
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

func (t *Tx) InsertUsageReport(ctx context.Context, saasID string, r aws.UsageReport) error {
	_, err := t.exec(ctx, `INSERT INTO aws_usage_reports (saas_id, customer_identifier, dimension, hour, quantity, status, last_error, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (saas_id, customer_identifier, dimension, hour) DO NOTHING`,
		saasID, r.CustomerIdentifier, r.Dimension, r.Hour.Unix(), r.Quantity, string(r.Status), r.LastError, micros(r.CreatedAt))
	return err
}

const usageReportColumns = `customer_identifier, dimension, hour, quantity, status, result, metering_record_id, attempts, last_error, created_at, sent_at`

func scanUsageReport(row rowScanner) (aws.UsageReport, error) {
	var r aws.UsageReport
	var hour, created int64
	var status string
	var sent sql.NullInt64
	err := row.Scan(&r.CustomerIdentifier, &r.Dimension, &hour, &r.Quantity, &status, &r.Result, &r.MeteringRecordID,
		&r.Attempts, &r.LastError, &created, &sent)
	r.Hour, r.Status, r.CreatedAt = time.Unix(hour, 0).UTC(), marketplace.ReportStatus(status), fromMicros(created)
	if sent.Valid {
		r.SentAt = fromMicros(sent.Int64)
	}
	return r, err
}

func (t *Tx) PendingUsageReports(ctx context.Context, saasID string, now time.Time, limit int) ([]aws.UsageReport, error) {
	return queryRows(ctx, t, scanUsageReport, `SELECT `+usageReportColumns+` FROM aws_usage_reports
		WHERE saas_id = ? AND status = 'pending' AND next_attempt_at <= ? ORDER BY hour, customer_identifier, dimension LIMIT ?`,
		saasID, micros(now), limit)
}

func (t *Tx) UpdateUsageReport(ctx context.Context, saasID string, r aws.UsageReport, retryAt time.Time) error {
	var sent any
	if !r.SentAt.IsZero() {
		sent = micros(r.SentAt)
	}
	next := int64(0)
	if r.Status == marketplace.ReportPending {
		next = micros(retryAt)
	}
	return affected(t.exec(ctx, `UPDATE aws_usage_reports SET status = ?, result = ?, metering_record_id = ?, attempts = ?,
		last_error = ?, sent_at = ?, next_attempt_at = ?
		WHERE saas_id = ? AND customer_identifier = ? AND dimension = ? AND hour = ?`,
		string(r.Status), r.Result, r.MeteringRecordID, r.Attempts, r.LastError, sent, next,
		saasID, r.CustomerIdentifier, r.Dimension, r.Hour.Unix()))
}

func (t *Tx) UsageReports(ctx context.Context, saasID, customer string, limit int) ([]aws.UsageReport, error) {
	q, args := `SELECT `+usageReportColumns+` FROM aws_usage_reports WHERE saas_id = ?`, []any{saasID}
	if customer != "" {
		q, args = q+` AND customer_identifier = ?`, append(args, customer)
	}
	return queryRows(ctx, t, scanUsageReport, q+` ORDER BY hour DESC, customer_identifier, dimension LIMIT ?`, append(args, limit)...)
}
