package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/events"
	"github.com/saasplane/saasplane/internal/metering"
)

// meteringStore adapts DB to metering.Store.
type meteringStore struct{ db *DB }

// Metering returns the metering domain's view of the database.
func (db *DB) Metering() metering.Store { return meteringStore{db} }

var (
	_ metering.Store = meteringStore{}
	_ metering.Tx    = (*Tx)(nil)
)

func (s meteringStore) ReadTx(ctx context.Context, fn func(metering.Tx) error) error {
	return s.db.Read(ctx, func(tx *Tx) error { return fn(tx) })
}

func (s meteringStore) WriteTx(ctx context.Context, fn func(metering.Tx) error) error {
	return s.db.Write(ctx, func(tx *Tx) error { return fn(tx) })
}

func (t *Tx) TenantActive(ctx context.Context, saasID, tenantID string) (bool, error) {
	return t.exists(ctx, `SELECT 1 FROM tenants WHERE saas_id = ? AND id = ? AND deleted_at IS NULL`, saasID, tenantID)
}

func (t *Tx) TimeZone(ctx context.Context, saasID string) (string, error) {
	var tz string
	err := t.queryRow(ctx, `SELECT time_zone FROM saas WHERE id = ?`, saasID).Scan(&tz)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return tz, err
}

func (t *Tx) Generation(ctx context.Context, saasID string) (metering.Generation, error) {
	var g metering.Generation
	err := t.queryRow(ctx, `SELECT s.time_zone, COALESCE(v.version, 0), s.tenants_version
		FROM saas s LEFT JOIN catalog_versions v ON v.saas_id = s.id WHERE s.id = ?`, saasID).Scan(&g.TimeZone, &g.Catalog, &g.Tenants)
	if errors.Is(err, sql.ErrNoRows) {
		return metering.Generation{}, nil
	}
	return g, err
}

func (t *Tx) DeleteEntry(ctx context.Context, k metering.Key, ts int64) error {
	_, err := t.exec(ctx, `DELETE FROM metering_entries WHERE saas_id = ? AND tenant_id = ? AND meter_id = ? AND ts = ?`,
		k.SaaSID, k.TenantID, k.MeterID, ts)
	return err
}

func (t *Tx) Entries(ctx context.Context, k metering.Key, from, to int64, limit int) ([]metering.Entry, error) {
	rows, err := t.query(ctx, `SELECT ts, count FROM metering_entries
		WHERE saas_id = ? AND tenant_id = ? AND meter_id = ? AND ts >= ? AND ts <= ? ORDER BY ts LIMIT ?`,
		k.SaaSID, k.TenantID, k.MeterID, from, to, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []metering.Entry{}
	for rows.Next() {
		var e metering.Entry
		if err := rows.Scan(&e.Timestamp, &e.Count); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *Tx) MaxEntry(ctx context.Context, k metering.Key, from, to int64) (int64, error) {
	var n sql.NullInt64
	err := t.queryRow(ctx, `SELECT MAX(count) FROM metering_entries WHERE saas_id = ? AND tenant_id = ? AND meter_id = ? AND ts >= ? AND ts < ?`,
		k.SaaSID, k.TenantID, k.MeterID, from, to).Scan(&n)
	return n.Int64, err
}

func (t *Tx) DeleteDay(ctx context.Context, k metering.Key, d metering.Date) error {
	_, err := t.exec(ctx, `DELETE FROM metering_days WHERE saas_id = ? AND tenant_id = ? AND meter_id = ? AND day = ?`,
		k.SaaSID, k.TenantID, k.MeterID, string(d))
	return err
}

func (t *Tx) Days(ctx context.Context, saasID, tenantID string, from, to metering.Date, meterIDs ...string) (map[string][]metering.Day, error) {
	q := byIDs(`SELECT meter_id, day, sum, max, entries FROM metering_days
		WHERE saas_id = ? AND tenant_id = ? AND day >= ? AND day <= ?`, "meter_id", meterIDs) + ` ORDER BY meter_id, day`
	rows, err := t.query(ctx, q, stringArgs([]any{saasID, tenantID, string(from), string(to)}, meterIDs)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]metering.Day{}
	for rows.Next() {
		var meterID, day string
		var d metering.Day
		if err := rows.Scan(&meterID, &day, &d.Sum, &d.Max, &d.Entries); err != nil {
			return nil, err
		}
		d.Date = metering.Date(day)
		out[meterID] = append(out[meterID], d)
	}
	return out, rows.Err()
}

func (t *Tx) Idempotent(ctx context.Context, saasID, key string, now time.Time) (metering.Idempotent, bool, error) {
	var rec metering.Idempotent
	var result string
	var expires int64
	err := t.queryRow(ctx, `SELECT request_hash, result, expires_at FROM idempotency_keys WHERE saas_id = ? AND key = ? AND expires_at > ?`,
		saasID, key, micros(now)).Scan(&rec.RequestHash, &result, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return rec, false, nil
	}
	if err != nil {
		return rec, false, err
	}
	rec.Expires = fromMicros(expires)
	return rec, true, json.Unmarshal([]byte(result), &rec.Result)
}

// OpenEvents implements metering.Tx.
func (t *Tx) OpenEvents(ctx context.Context, ps []*events.Pending) ([]*events.Pending, error) {
	return eventsTx{t}.openEvents(ctx, ps)
}

func (t *Tx) PutIdempotent(ctx context.Context, saasID, key string, rec metering.Idempotent) error {
	b, err := json.Marshal(rec.Result)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO idempotency_keys (saas_id, key, request_hash, result, expires_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (saas_id, key) DO UPDATE SET request_hash = excluded.request_hash, result = excluded.result, expires_at = excluded.expires_at`,
		saasID, key, rec.RequestHash, string(b), micros(rec.Expires))
	return err
}

func (t *Tx) SetTimeZone(ctx context.Context, saasID, name string) error {
	return affected(t.exec(ctx, `UPDATE saas SET time_zone = ? WHERE id = ?`, name, saasID))
}

func (t *Tx) ScanEntries(ctx context.Context, saasID string, fn func(metering.Key, metering.Entry) error) error {
	rows, err := t.query(ctx, `SELECT tenant_id, meter_id, ts, count FROM metering_entries WHERE saas_id = ?`, saasID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		k := metering.Key{SaaSID: saasID}
		var e metering.Entry
		if err := rows.Scan(&k.TenantID, &k.MeterID, &e.Timestamp, &e.Count); err != nil {
			return err
		}
		if err := fn(k, e); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *Tx) DeleteDays(ctx context.Context, saasID string) error {
	_, err := t.exec(ctx, `DELETE FROM metering_days WHERE saas_id = ?`, saasID)
	return err
}

func (t *Tx) PurgeIdempotent(ctx context.Context, now time.Time, limit int) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM idempotency_keys WHERE (saas_id, key) IN (
		SELECT saas_id, key FROM idempotency_keys WHERE expires_at <= ? LIMIT ?)`, micros(now), limit)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
