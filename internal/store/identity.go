package store

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

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

func (s identityStore) ReadStatement(ctx context.Context, fn func(identity.Tx) error) error {
	return s.db.ReadStatement(ctx, func(tx *Tx) error { return fn(identityTx{tx}) })
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
	if _, err := x.t.exec(ctx, `DELETE FROM identity_member_roles WHERE saas_id = ? AND env_id = ?`, saasID, int64(id)); err != nil {
		return err
	}
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
	if _, err := x.t.exec(ctx, `DELETE FROM identity_member_roles WHERE saas_id = ? AND role_name = ?`, saasID, name); err != nil {
		return err
	}
	return affected(x.t.exec(ctx, `DELETE FROM identity_roles WHERE saas_id = ? AND name = ?`, saasID, name))
}

const userColumns = `id, email, sign_in_id, attributes, created_at`

func scanUser(r rowScanner) (identity.User, error) {
	var u identity.User
	var attrs string
	var created int64
	if err := r.Scan(&u.ID, &u.Email, &u.SignInID, &attrs, &created); err != nil {
		return u, err
	}
	u.CreatedAt = fromMicros(created)
	dec := json.NewDecoder(strings.NewReader(attrs))
	dec.UseNumber() // numbers stay exact
	if err := dec.Decode(&u.Attributes); err != nil {
		return u, fmt.Errorf("attributes of user %s: %w", u.ID, err)
	}
	if u.Attributes == nil {
		u.Attributes = map[string]any{}
	}
	return u, nil
}

func (x identityTx) Users(ctx context.Context, saasID string) ([]identity.User, error) {
	rows, err := x.t.query(ctx, `SELECT `+userColumns+` FROM identity_users WHERE saas_id = ? ORDER BY seq`, saasID)
	return scanRows(rows, err, scanUser)
}

func (x identityTx) User(ctx context.Context, saasID, id string) (identity.User, error) {
	u, err := scanUser(x.t.queryRow(ctx, `SELECT `+userColumns+` FROM identity_users WHERE saas_id = ? AND id = ?`, saasID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.ErrNotExist
	}
	return u, err
}

func (x identityTx) InsertUser(ctx context.Context, saasID string, u identity.User, p identity.Password) error {
	if u.Attributes == nil {
		u.Attributes = map[string]any{}
	}
	attrs, err := json.Marshal(u.Attributes)
	if err != nil {
		return err
	}
	_, err = x.t.exec(ctx, `INSERT INTO identity_users (saas_id, id, email, email_key, sign_in_id, sign_in_key, password_hash,
		password_temporary_until, password_srp_salt, password_srp_verifier, attributes, created_at, seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM identity_users WHERE saas_id = ?))`,
		saasID, u.ID, u.Email, strings.ToLower(u.Email), u.SignInID, strings.ToLower(u.SignInID),
		p.Hash, optMicros(p.TemporaryUntil), p.SRPSalt, p.SRPVerifier, string(attrs), micros(u.CreatedAt), saasID)
	return err
}

func (x identityTx) SetPassword(ctx context.Context, saasID, id string, p identity.Password) error {
	return affected(x.t.exec(ctx, `UPDATE identity_users SET password_hash = ?, password_temporary_until = ?, password_srp_salt = ?,
		password_srp_verifier = ? WHERE saas_id = ? AND id = ?`, p.Hash, optMicros(p.TemporaryUntil), p.SRPSalt, p.SRPVerifier, saasID, id))
}

func (x identityTx) DeleteUser(ctx context.Context, saasID, id string) error {
	for _, q := range []string{
		`DELETE FROM identity_mfa WHERE saas_id = ? AND user_id = ?`,
		`DELETE FROM identity_email_changes WHERE saas_id = ? AND user_id = ?`,
		`DELETE FROM identity_password_resets WHERE saas_id = ? AND user_id = ?`,
		`DELETE FROM identity_srp_challenges WHERE saas_id = ? AND user_id = ?`,
		`DELETE FROM identity_member_roles WHERE saas_id = ? AND user_id = ?`,
		`DELETE FROM identity_members WHERE saas_id = ? AND user_id = ?`,
	} {
		if _, err := x.t.exec(ctx, q, saasID, id); err != nil {
			return err
		}
	}
	return affected(x.t.exec(ctx, `DELETE FROM identity_users WHERE saas_id = ? AND id = ?`, saasID, id))
}

const sessionColumns = `id, user_id, refresh_hash, created_at, expires_at`

func scanSession(r rowScanner) (identity.Session, error) {
	var s identity.Session
	var hash string
	var created, expires int64
	if err := r.Scan(&s.ID, &s.UserID, &hash, &created, &expires); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return s, errs.ErrNotExist
		}
		return s, err
	}
	var err error
	if s.RefreshHash, err = refreshHash(s.ID, hash); err != nil {
		return s, err
	}
	s.CreatedAt, s.ExpiresAt = fromMicros(created), fromMicros(expires)
	return s, nil
}

// refreshHash reads a stored refresh hash (hex SHA-256).
func refreshHash(sessionID, hash string) (identity.SecretHash, error) {
	var h identity.SecretHash
	b, err := hex.DecodeString(hash)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("session %s: refresh hash %q is not a SHA-256 in hex", sessionID, hash)
	}
	copy(h[:], b)
	return h, nil
}

func (x identityTx) InsertSession(ctx context.Context, saasID string, s identity.Session) error {
	_, err := x.t.exec(ctx, `INSERT INTO identity_sessions (saas_id, id, user_id, refresh_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		saasID, s.ID, s.UserID, hex.EncodeToString(s.RefreshHash[:]), micros(s.CreatedAt), micros(s.ExpiresAt))
	return err
}

func (x identityTx) Session(ctx context.Context, saasID, id string) (identity.Session, error) {
	return scanSession(x.t.queryRow(ctx, `SELECT `+sessionColumns+` FROM identity_sessions WHERE saas_id = ? AND id = ?`, saasID, id))
}

func (x identityTx) SessionUser(ctx context.Context, saasID, id string) (identity.Session, identity.User, error) {
	var u identity.User
	var attrs string
	var created int64
	s, err := scanSession(scanWith(x.t.queryRow(ctx, `SELECT s.id, s.user_id, s.refresh_hash, s.created_at, s.expires_at,
		u.email, u.sign_in_id, u.attributes, u.created_at
		FROM identity_sessions s JOIN identity_users u ON u.saas_id = s.saas_id AND u.id = s.user_id
		WHERE s.saas_id = ? AND s.id = ?`, saasID, id), &u.Email, &u.SignInID, &attrs, &created))
	if err != nil {
		return s, u, err
	}
	u.ID, u.CreatedAt = s.UserID, fromMicros(created)
	if u.Attributes, err = decodeAttributes(attrs); err != nil {
		return s, u, fmt.Errorf("user %s: %w", u.ID, err)
	}
	return s, u, nil
}

// SessionVersion reads a session with the versions of its user's
// userinfo answer (migration identity_info_versions), in one statement.
func (x identityTx) SessionVersion(ctx context.Context, saasID, id string) (identity.Session, identity.InfoVersion, error) {
	var v identity.InfoVersion
	s, err := scanSession(scanWith(x.t.queryRow(ctx, `SELECT s.id, s.user_id, s.refresh_hash, s.created_at, s.expires_at,
		COALESCE((SELECT v.version FROM identity_info_versions v WHERE v.saas_id = s.saas_id AND v.user_id = ''), 0),
		COALESCE((SELECT v.version FROM identity_info_versions v WHERE v.saas_id = s.saas_id AND v.user_id = s.user_id), 0)
		FROM identity_sessions s WHERE s.saas_id = ? AND s.id = ?`, saasID, id), &v.SaaS, &v.User))
	return s, v, err
}

func (x identityTx) SessionByRefresh(ctx context.Context, saasID string, hash identity.SecretHash) (identity.Session, error) {
	return scanSession(x.t.queryRow(ctx, `SELECT `+sessionColumns+` FROM identity_sessions WHERE saas_id = ? AND refresh_hash = ?`,
		saasID, hex.EncodeToString(hash[:])))
}

func (x identityTx) DeleteSessions(ctx context.Context, saasID, userID string) error {
	_, err := x.t.exec(ctx, `DELETE FROM identity_sessions WHERE saas_id = ? AND user_id = ?`, saasID, userID)
	return err
}

func (x identityTx) InsertTempCode(ctx context.Context, saasID string, c identity.TempCode) error {
	_, err := x.t.exec(ctx, `INSERT INTO identity_temp_codes (saas_id, code_hash, id_token, access_token, refresh_token, expires_in, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, saasID, hex.EncodeToString(c.Hash[:]), c.Tokens.IDToken, c.Tokens.AccessToken, c.Tokens.RefreshToken,
		int64(c.Tokens.ExpiresIn/time.Second), micros(c.ExpiresAt))
	return err
}

func (x identityTx) TakeTempCode(ctx context.Context, saasID string, hash identity.SecretHash) (identity.TempCode, error) {
	c := identity.TempCode{Hash: hash}
	var expiresIn, expiresAt int64
	err := x.t.queryRow(ctx, `DELETE FROM identity_temp_codes WHERE saas_id = ? AND code_hash = ?
		RETURNING id_token, access_token, refresh_token, expires_in, expires_at`, saasID, hex.EncodeToString(hash[:])).
		Scan(&c.Tokens.IDToken, &c.Tokens.AccessToken, &c.Tokens.RefreshToken, &expiresIn, &expiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return c, errs.ErrNotExist
	}
	c.Tokens.ExpiresIn, c.ExpiresAt = time.Duration(expiresIn)*time.Second, fromMicros(expiresAt)
	return c, err
}

func (x identityTx) PurgeTempCodes(ctx context.Context, saasID string, now time.Time) error {
	_, err := x.t.exec(ctx, `DELETE FROM identity_temp_codes WHERE saas_id = ? AND expires_at <= ?`, saasID, micros(now))
	return err
}

func (x identityTx) PurgeExpiredTempCodes(ctx context.Context, now time.Time) (int64, error) {
	res, err := x.t.exec(ctx, `DELETE FROM identity_temp_codes WHERE expires_at <= ?`, micros(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
