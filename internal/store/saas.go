package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/saas"
)

var _ saas.Store = (*DB)(nil)

// InsertSaaS stores a new SaaS.
func (db *DB) InsertSaaS(ctx context.Context, s saas.SaaS) error {
	return db.Write(ctx, func(tx *Tx) error {
		return insertSaaS(ctx, tx, s)
	})
}

// insertSaaS adds a SaaS with what every SaaS has from the start: its
// production env (identity.DefaultEnv).
func insertSaaS(ctx context.Context, tx *Tx, s saas.SaaS) error {
	if _, err := tx.exec(ctx, `INSERT INTO saas (id, name, created_at) VALUES (?, ?, ?)`, s.ID, s.Name, micros(s.CreatedAt)); err != nil {
		return err
	}
	return identityTx{tx}.InsertEnv(ctx, s.ID, identity.DefaultEnv)
}

// GetSaaS returns one SaaS.
func (db *DB) GetSaaS(ctx context.Context, id string) (s saas.SaaS, err error) {
	err = db.Read(ctx, func(tx *Tx) error {
		var created int64
		err := tx.queryRow(ctx, `SELECT id, name, created_at FROM saas WHERE id = ?`, id).Scan(&s.ID, &s.Name, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.ErrNotExist
		}
		s.CreatedAt = fromMicros(created)
		return err
	})
	return s, err
}

// ListSaaS returns every SaaS, oldest first.
func (db *DB) ListSaaS(ctx context.Context) (out []saas.SaaS, err error) {
	err = db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, name, created_at FROM saas ORDER BY created_at, id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s saas.SaaS
			var created int64
			if err := rows.Scan(&s.ID, &s.Name, &created); err != nil {
				return err
			}
			s.CreatedAt = fromMicros(created)
			out = append(out, s)
		}
		return rows.Err()
	})
	return out, err
}

// InsertKey stores a new API key.
func (db *DB) InsertKey(ctx context.Context, k saas.Key) error {
	return db.Write(ctx, func(tx *Tx) error { return tx.insertKey(ctx, k) })
}

func (t *Tx) insertKey(ctx context.Context, k saas.Key) error {
	_, err := t.exec(ctx, `INSERT INTO api_keys (api_key, saas_id, secret_key, created_at) VALUES (?, ?, ?, ?)`,
		k.APIKey, k.SaaSID, k.Secret, micros(k.CreatedAt))
	return err
}

const keyColumns = `api_key, saas_id, secret_key, created_at, revoked_at`

func scanKey(row interface{ Scan(...any) error }) (saas.Key, error) {
	var k saas.Key
	var created int64
	var revoked sql.NullInt64
	if err := row.Scan(&k.APIKey, &k.SaaSID, &k.Secret, &created, &revoked); err != nil {
		return k, err
	}
	k.CreatedAt = fromMicros(created)
	if revoked.Valid {
		t := fromMicros(revoked.Int64)
		k.RevokedAt = &t
	}
	return k, nil
}

// Key returns one key with its secret.
func (db *DB) Key(ctx context.Context, apiKey string) (k saas.Key, err error) {
	// A single statement needs no transaction: skip BEGIN/COMMIT on the
	// hottest lookup of the server.
	row := db.read.QueryRowContext(ctx, db.q(`SELECT `+keyColumns+` FROM api_keys WHERE api_key = ?`), apiKey)
	k, err = scanKey(row)
	if errors.Is(err, sql.ErrNoRows) {
		return k, errs.ErrNotExist
	}
	return k, err
}

// ListKeys returns a SaaS's keys, oldest first, secrets included.
func (db *DB) ListKeys(ctx context.Context, saasID string) (out []saas.Key, err error) {
	err = db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE saas_id = ? ORDER BY created_at, api_key`, saasID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k, err := scanKey(rows)
			if err != nil {
				return err
			}
			out = append(out, k)
		}
		return rows.Err()
	})
	return out, err
}

// RevokeKey marks a key revoked; the first revocation time is kept.
func (db *DB) RevokeKey(ctx context.Context, saasID, apiKey string, at time.Time) error {
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE saas_id = ? AND api_key = ?`,
			micros(at), saasID, apiKey)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.ErrNotExist
		}
		return nil
	})
}

// EnsureCredentials creates the SaaS and key if missing. An existing key
// that differs in SaaS or secret, or is revoked, yields errs.ErrDuplicate.
func (db *DB) EnsureCredentials(ctx context.Context, s saas.SaaS, k saas.Key) error {
	return db.Write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM saas WHERE id = ?`, s.ID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			if err := insertSaaS(ctx, tx, s); err != nil {
				return err
			}
		}
		old, err := scanKey(tx.queryRow(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE api_key = ?`, k.APIKey))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return tx.insertKey(ctx, k)
		case err != nil:
			return err
		case old.SaaSID != k.SaaSID || old.Secret != k.Secret || old.RevokedAt != nil:
			return errs.ErrDuplicate
		}
		return nil
	})
}
