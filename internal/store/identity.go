package store

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
)

// identityStore adapts DB to identity.Store; its transactions wrap Tx so
// the user pool's method names never clash with the other domains'.
type identityStore struct{ db *DB }

type identityTx struct{ t *Tx }

// Identity returns the user pools' view of the database.
func (db *DB) Identity() identity.Store { return identityStore{db} }

var (
	_ identity.Store = identityStore{}
	_ identity.Tx    = identityTx{}
)

func (s identityStore) ReadTx(ctx context.Context, fn func(identity.Tx) error) error {
	return s.db.Read(ctx, func(tx *Tx) error { return fn(identityTx{tx}) })
}

func (s identityStore) WriteTx(ctx context.Context, fn func(identity.Tx) error) error {
	return s.db.Write(ctx, func(tx *Tx) error { return fn(identityTx{tx}) })
}

func (x identityTx) SaaSExists(ctx context.Context, saasID string) (bool, error) {
	return x.t.exists(ctx, `SELECT 1 FROM saas WHERE id = ?`, saasID)
}

func (x identityTx) SigningKeys(ctx context.Context, saasID string) ([]identity.SigningKey, error) {
	rows, err := x.t.query(ctx, `SELECT kid, private_key, created_at, active_at FROM identity_signing_keys WHERE saas_id = ?`, saasID)
	return scanRows(rows, err, func(r rowScanner) (identity.SigningKey, error) {
		var k identity.SigningKey
		var der string
		var created, active int64
		if err := r.Scan(&k.ID, &der, &created, &active); err != nil {
			return k, err
		}
		k.CreatedAt, k.ActiveAt = fromMicros(created), fromMicros(active)
		b, err := base64.StdEncoding.DecodeString(der)
		if err != nil {
			return k, fmt.Errorf("signing key %s of SaaS %s: %w", k.ID, saasID, err)
		}
		parsed, err := x509.ParsePKCS8PrivateKey(b)
		if err != nil {
			return k, fmt.Errorf("signing key %s of SaaS %s: %w", k.ID, saasID, err)
		}
		var ok bool
		if k.Private, ok = parsed.(*rsa.PrivateKey); !ok {
			return k, fmt.Errorf("signing key %s of SaaS %s is a %T, not RSA", k.ID, saasID, parsed)
		}
		return k, nil
	})
}

func (x identityTx) InsertSigningKey(ctx context.Context, saasID string, k identity.SigningKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(k.Private)
	if err != nil {
		return fmt.Errorf("signing key %s: %w", k.ID, err)
	}
	_, err = x.t.exec(ctx, `INSERT INTO identity_signing_keys (saas_id, kid, private_key, created_at, active_at) VALUES (?, ?, ?, ?, ?)`,
		saasID, k.ID, base64.StdEncoding.EncodeToString(der), micros(k.CreatedAt), micros(k.ActiveAt))
	return err
}

func (x identityTx) DeleteSigningKeys(ctx context.Context, saasID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := x.t.exec(ctx, byIDs(`DELETE FROM identity_signing_keys WHERE saas_id = ?`, "kid", ids), stringArgs([]any{saasID}, ids)...)
	return err
}

func (x identityTx) Envs(ctx context.Context, saasID string) ([]identity.Env, error) {
	rows, err := x.t.query(ctx, `SELECT id, name, display_name FROM identity_envs WHERE saas_id = ? ORDER BY id`, saasID)
	return scanRows(rows, err, scanEnv)
}

func scanEnv(r rowScanner) (identity.Env, error) {
	var e identity.Env
	var id int64
	err := r.Scan(&id, &e.Name, &e.DisplayName)
	e.ID = uint64(id)
	return e, err
}

func (x identityTx) Env(ctx context.Context, saasID string, id uint64) (identity.Env, error) {
	e, err := scanEnv(x.t.queryRow(ctx, `SELECT id, name, display_name FROM identity_envs WHERE saas_id = ? AND id = ?`, saasID, int64(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return e, errs.ErrNotExist
	}
	return e, err
}

func (x identityTx) InsertEnv(ctx context.Context, saasID string, e identity.Env) error {
	taken, err := x.t.exists(ctx, `SELECT 1 FROM identity_envs WHERE saas_id = ? AND id = ?`, saasID, int64(e.ID))
	if err != nil {
		return err
	}
	if taken {
		return identity.ErrEnvIDTaken
	}
	_, err = x.t.exec(ctx, `INSERT INTO identity_envs (saas_id, id, name, display_name) VALUES (?, ?, ?, ?)`,
		saasID, int64(e.ID), e.Name, e.DisplayName)
	return err
}

func (x identityTx) UpdateEnv(ctx context.Context, saasID string, e identity.Env) error {
	return affected(x.t.exec(ctx, `UPDATE identity_envs SET name = ?, display_name = ? WHERE saas_id = ? AND id = ?`,
		e.Name, e.DisplayName, saasID, int64(e.ID)))
}

func (x identityTx) DeleteEnv(ctx context.Context, saasID string, id uint64) error {
	return affected(x.t.exec(ctx, `DELETE FROM identity_envs WHERE saas_id = ? AND id = ?`, saasID, int64(id)))
}

func (x identityTx) Roles(ctx context.Context, saasID string) ([]identity.Role, error) {
	rows, err := x.t.query(ctx, `SELECT name, display_name FROM identity_roles WHERE saas_id = ? ORDER BY seq`, saasID)
	return scanRows(rows, err, func(r rowScanner) (identity.Role, error) {
		var role identity.Role
		err := r.Scan(&role.Name, &role.DisplayName)
		return role, err
	})
}

func (x identityTx) InsertRole(ctx context.Context, saasID string, r identity.Role) error {
	_, err := x.t.exec(ctx, `INSERT INTO identity_roles (saas_id, name, display_name, seq)
		VALUES (?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM identity_roles WHERE saas_id = ?))`,
		saasID, r.Name, r.DisplayName, saasID)
	return err
}

func (x identityTx) UpdateRole(ctx context.Context, saasID string, r identity.Role) error {
	return affected(x.t.exec(ctx, `UPDATE identity_roles SET display_name = ? WHERE saas_id = ? AND name = ?`, r.DisplayName, saasID, r.Name))
}

func (x identityTx) DeleteRole(ctx context.Context, saasID, name string) error {
	return affected(x.t.exec(ctx, `DELETE FROM identity_roles WHERE saas_id = ? AND name = ?`, saasID, name))
}
