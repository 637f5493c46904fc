package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/saasplane/saasplane/internal/attribute"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
)

// The user pool's user attributes, and the tenants' members with their
// roles (migration identity_members).

// UserByLogin is UserCredentials without the password.
func (x identityTx) UserByLogin(ctx context.Context, saasID, emailKey, signInKey string) (identity.User, error) {
	u, _, err := x.UserCredentials(ctx, saasID, emailKey, signInKey)
	return u, err
}

func (x identityTx) SetUserAttributes(ctx context.Context, saasID, id string, attrs map[string]any) error {
	b, err := json.Marshal(attrs)
	if err != nil {
		return err
	}
	return affected(x.t.exec(ctx, `UPDATE identity_users SET attributes = ? WHERE saas_id = ? AND id = ?`, string(b), saasID, id))
}

func (x identityTx) UserAttributes(ctx context.Context, saasID string) ([]identity.UserAttribute, error) {
	return queryRows(ctx, x.t, func(r rowScanner) (identity.UserAttribute, error) {
		var a identity.UserAttribute
		var typ string
		err := r.Scan(&a.Name, &a.DisplayName, &typ, &a.SaaSWide)
		a.Type = attribute.Type(typ)
		return a, err
	}, `SELECT attribute_name, display_name, attribute_type, saas_wide FROM identity_user_attributes WHERE saas_id = ? ORDER BY seq`, saasID)
}

func (x identityTx) InsertUserAttribute(ctx context.Context, saasID string, a identity.UserAttribute) error {
	_, err := x.t.exec(ctx, `INSERT INTO identity_user_attributes (saas_id, attribute_name, display_name, attribute_type, saas_wide, seq)
		VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM identity_user_attributes WHERE saas_id = ?))`,
		saasID, a.Name, a.DisplayName, string(a.Type), a.SaaSWide, saasID)
	return err
}

func (x identityTx) DeleteUserAttribute(ctx context.Context, saasID, name string) error {
	var saasWide bool
	err := x.t.queryRow(ctx, `DELETE FROM identity_user_attributes WHERE saas_id = ? AND attribute_name = ? RETURNING saas_wide`, saasID, name).Scan(&saasWide)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.ErrNotExist
	}
	if err != nil {
		return err
	}
	if saasWide {
		return x.t.dropAttribute(ctx, name,
			`SELECT saas_id, id, attributes FROM identity_users WHERE saas_id = ?`, []any{saasID},
			`UPDATE identity_users SET attributes = ? WHERE saas_id = ? AND id = ?`)
	}
	return x.t.dropAttribute(ctx, name,
		`SELECT saas_id, tenant_id, user_id, attributes FROM identity_members WHERE saas_id = ?`, []any{saasID},
		`UPDATE identity_members SET attributes = ? WHERE saas_id = ? AND tenant_id = ? AND user_id = ?`)
}

// dropAttribute removes key from the JSON attributes of the rows sel
// selects: their key columns, then the attributes. upd sets the
// attributes (its first placeholder) by the same key columns, in order.
// The JSON is edited in Go, so that both dialects share the code.
func (t *Tx) dropAttribute(ctx context.Context, key, sel string, args []any, upd string) error {
	rows, err := t.query(ctx, sel, args...)
	if err != nil {
		return err
	}
	cols, err := rows.Columns()
	if err != nil {
		rows.Close()
		return err
	}
	var changes [][]any
	for rows.Next() {
		vals := make([]string, len(cols))
		dest := make([]any, len(cols))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return err
		}
		m, err := decodeAttributes(vals[len(vals)-1])
		if err != nil {
			rows.Close()
			return err
		}
		if _, ok := m[key]; !ok {
			continue
		}
		delete(m, key)
		b, err := json.Marshal(m)
		if err != nil {
			rows.Close()
			return err
		}
		change := []any{string(b)}
		for _, v := range vals[:len(vals)-1] {
			change = append(change, v)
		}
		changes = append(changes, change)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range changes {
		if _, err := t.exec(ctx, upd, c...); err != nil {
			return err
		}
	}
	return nil
}

func (x identityTx) Tenant(ctx context.Context, saasID, id string) (identity.TenantInfo, error) {
	var t identity.TenantInfo
	err := x.t.queryRow(ctx, `SELECT id, name, back_office_staff_email, COALESCE(plan_id, '') FROM tenants
		WHERE saas_id = ? AND id = ? AND deleted_at IS NULL`, saasID, id).Scan(&t.ID, &t.Name, &t.BackOfficeStaffEmail, &t.PlanID)
	if errors.Is(err, sql.ErrNoRows) {
		return t, errs.ErrNotExist
	}
	return t, err
}

// memberWhere is the WHERE clause (over identity_members m and
// identity_users u) of a filter, and its arguments.
func memberWhere(saasID string, f identity.MemberFilter) (string, []any) {
	var b strings.Builder
	b.WriteString(` WHERE m.saas_id = ?`)
	args := []any{saasID}
	if f.TenantID != "" {
		b.WriteString(` AND m.tenant_id = ?`)
		args = append(args, f.TenantID)
	}
	if f.UserID != "" {
		b.WriteString(` AND m.user_id = ?`)
		args = append(args, f.UserID)
	}
	// substr, not LIKE: a prefix holding '%' or '_' means itself, and
	// both dialects count characters alike.
	if f.EmailPrefix != "" {
		b.WriteString(` AND substr(u.email_key, 1, ?) = ?`)
		args = append(args, utf8.RuneCountInString(f.EmailPrefix), f.EmailPrefix)
	}
	if f.SignInIDPrefix != "" {
		b.WriteString(` AND substr(u.sign_in_key, 1, ?) = ?`)
		args = append(args, utf8.RuneCountInString(f.SignInIDPrefix), f.SignInIDPrefix)
	}
	if f.EnvID != 0 || f.RoleName != "" {
		b.WriteString(` AND EXISTS (SELECT 1 FROM identity_member_roles r
			WHERE r.saas_id = m.saas_id AND r.tenant_id = m.tenant_id AND r.user_id = m.user_id`)
		if f.EnvID != 0 {
			b.WriteString(` AND r.env_id = ?`)
			args = append(args, int64(f.EnvID))
		}
		if f.RoleName != "" {
			b.WriteString(` AND r.role_name = ?`)
			args = append(args, f.RoleName)
		}
		b.WriteString(`)`)
	}
	if f.AfterSeq > 0 {
		b.WriteString(` AND m.seq > ?`)
		args = append(args, f.AfterSeq)
	}
	return b.String(), args
}

// Members reads the memberships that f selects with their roles, in one
// statement: envs by id, roles in creation order. A page's memberships are
// picked by a subquery, so that its limit counts memberships, not the rows
// of their roles.
func (x identityTx) Members(ctx context.Context, saasID string, f identity.MemberFilter) ([]identity.Member, error) {
	where, args := memberWhere(saasID, f)
	if f.Limit > 0 {
		// seq is unique within a SaaS (identity_members_order).
		where = ` WHERE m.saas_id = ? AND m.seq IN (SELECT m.seq` + memberFrom + where + ` ORDER BY m.seq LIMIT ?)`
		args = append(append([]any{saasID}, args...), f.Limit)
	}
	rows, err := x.t.query(ctx, `SELECT `+memberColumns+roleColumns+memberFrom+memberRoleJoins+where+`
		ORDER BY m.seq, e.id, ro.seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []identity.Member{}
	err = addMemberRows(rows, &out, func(r rowScanner) (identity.Member, error) { return scanMember(r) })
	return out, err
}

const (
	memberColumns = `m.tenant_id, t.name, t.back_office_staff_email, COALESCE(t.plan_id, ''), m.attributes, m.created_at, m.seq,
		u.id, u.email, u.sign_in_id, u.attributes, u.created_at`
	memberFrom = `
		FROM identity_members m
		JOIN tenants t ON t.saas_id = m.saas_id AND t.id = m.tenant_id
		JOIN identity_users u ON u.saas_id = m.saas_id AND u.id = m.user_id`
)

// memberRoleJoins are the roles of each membership m, a row per role.
const memberRoleJoins = `
		LEFT JOIN identity_member_roles r ON r.saas_id = m.saas_id AND r.tenant_id = m.tenant_id AND r.user_id = m.user_id
		LEFT JOIN identity_envs e ON e.saas_id = r.saas_id AND e.id = r.env_id
		LEFT JOIN identity_roles ro ON ro.saas_id = r.saas_id AND ro.name = r.role_name`

const roleColumns = `, COALESCE(e.id, 0), COALESCE(e.name, ''), COALESCE(e.display_name, ''), COALESCE(ro.name, ''), COALESCE(ro.display_name, '')`

// addMemberRows folds rows of memberships, each followed by roleColumns,
// into out. scan reads a row's membership columns from the scanner it is
// given, which also fills the role columns.
func addMemberRows(rows *sql.Rows, out *[]identity.Member, scan func(rowScanner) (identity.Member, error)) error {
	for rows.Next() {
		var e identity.Env
		var envID int64
		var role identity.Role
		m, err := scan(scanWith(rows, &envID, &e.Name, &e.DisplayName, &role.Name, &role.DisplayName))
		if err != nil {
			return err
		}
		if m.Tenant.ID == "" {
			continue // a session's user in no tenant (SessionInfo)
		}
		if n := len(*out); n == 0 || (*out)[n-1].Seq != m.Seq {
			*out = append(*out, m)
		}
		if envID == 0 || role.Name == "" {
			continue // no role, or one of a deleted env or role
		}
		e.ID = uint64(envID)
		last := &(*out)[len(*out)-1]
		if n := len(last.Envs); n == 0 || last.Envs[n-1].ID != e.ID {
			last.Envs = append(last.Envs, identity.EnvRoles{Env: e})
		}
		last.Envs[len(last.Envs)-1].Roles = append(last.Envs[len(last.Envs)-1].Roles, role)
	}
	return rows.Err()
}

// SessionInfo reads a session, its user and the user's memberships with
// their roles in one statement.
func (x identityTx) SessionInfo(ctx context.Context, saasID, id string) (identity.Session, identity.UserInfo, error) {
	rows, err := x.t.query(ctx, `SELECT s.id, s.user_id, s.refresh_hash, s.created_at, s.expires_at,
		COALESCE(m.tenant_id, ''), COALESCE(t.name, ''), COALESCE(t.back_office_staff_email, ''), COALESCE(t.plan_id, ''),
		COALESCE(m.attributes, '{}'), COALESCE(m.created_at, 0), COALESCE(m.seq, 0),
		u.id, u.email, u.sign_in_id, u.attributes, u.created_at`+roleColumns+`
		FROM identity_sessions s
		JOIN identity_users u ON u.saas_id = s.saas_id AND u.id = s.user_id
		LEFT JOIN identity_members m ON m.saas_id = s.saas_id AND m.user_id = s.user_id
		LEFT JOIN tenants t ON t.saas_id = m.saas_id AND t.id = m.tenant_id`+memberRoleJoins+`
		WHERE s.saas_id = ? AND s.id = ?
		ORDER BY m.seq, e.id, ro.seq`, saasID, id)
	if err != nil {
		return identity.Session{}, identity.UserInfo{}, err
	}
	defer rows.Close()
	var sess identity.Session
	var info identity.UserInfo
	info.Tenants = []identity.Member{}
	found := false
	err = addMemberRows(rows, &info.Tenants, func(r rowScanner) (identity.Member, error) {
		var hash string
		var created, expires int64
		m, err := scanMember(scanPrefix(r, &sess.ID, &sess.UserID, &hash, &created, &expires))
		if err != nil {
			return m, err
		}
		if !found {
			found, info.User = true, m.User
			if sess.RefreshHash, err = refreshHash(sess.ID, hash); err != nil {
				return m, err
			}
			sess.CreatedAt, sess.ExpiresAt = fromMicros(created), fromMicros(expires)
		}
		return m, nil
	})
	if err == nil && !found {
		err = errs.ErrNotExist
	}
	return sess, info, err
}

func scanMember(r rowScanner) (identity.Member, error) {
	var m identity.Member
	var attrs, userAttrs string
	var created, userCreated int64
	err := r.Scan(&m.Tenant.ID, &m.Tenant.Name, &m.Tenant.BackOfficeStaffEmail, &m.Tenant.PlanID, &attrs, &created, &m.Seq,
		&m.User.ID, &m.User.Email, &m.User.SignInID, &userAttrs, &userCreated)
	if err != nil {
		return m, err
	}
	m.CreatedAt, m.User.CreatedAt = fromMicros(created), fromMicros(userCreated)
	if m.Attributes, err = decodeAttributes(attrs); err != nil {
		return m, fmt.Errorf("member %s of tenant %s: %w", m.User.ID, m.Tenant.ID, err)
	}
	if m.User.Attributes, err = decodeAttributes(userAttrs); err != nil {
		return m, fmt.Errorf("user %s: %w", m.User.ID, err)
	}
	m.Envs = []identity.EnvRoles{}
	return m, nil
}

func (x identityTx) InsertMember(ctx context.Context, saasID, tenantID, userID string, attrs map[string]any, at time.Time) error {
	b, err := json.Marshal(attrs)
	if err != nil {
		return err
	}
	_, err = x.t.exec(ctx, `INSERT INTO identity_members (saas_id, tenant_id, user_id, attributes, created_at, seq)
		VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM identity_members WHERE saas_id = ?))`,
		saasID, tenantID, userID, string(b), micros(at), saasID)
	return err
}

func (x identityTx) SetMemberAttributes(ctx context.Context, saasID, tenantID, userID string, attrs map[string]any) error {
	b, err := json.Marshal(attrs)
	if err != nil {
		return err
	}
	return affected(x.t.exec(ctx, `UPDATE identity_members SET attributes = ? WHERE saas_id = ? AND tenant_id = ? AND user_id = ?`,
		string(b), saasID, tenantID, userID))
}

func (x identityTx) DeleteMember(ctx context.Context, saasID, tenantID, userID string) error {
	n, err := x.t.dropMembers(ctx, saasID, tenantID, userID)
	if err == nil && n == 0 {
		return errs.ErrNotExist
	}
	return err
}

// dropMembers removes the members of a tenant (only userID's membership
// when it is given) with their roles, and ends the sessions of the users
// who thereby belong to no tenant any more. It counts the memberships
// removed. Tenant deletion and identity.Tx.DeleteMember share it, so the
// rule is written once.
func (t *Tx) dropMembers(ctx context.Context, saasID, tenantID, userID string) (int64, error) {
	which, args := ` AND tenant_id = ?`, []any{saasID, tenantID}
	if userID != "" {
		which, args = which+` AND user_id = ?`, append(args, userID)
	}
	sessionArgs := append([]any{saasID}, args...)
	if _, err := t.exec(ctx, `DELETE FROM identity_sessions WHERE saas_id = ?
		AND user_id IN (SELECT user_id FROM identity_members WHERE saas_id = ?`+which+`)
		AND NOT EXISTS (SELECT 1 FROM identity_members o WHERE o.saas_id = identity_sessions.saas_id
			AND o.user_id = identity_sessions.user_id AND o.tenant_id <> ?)`, append(sessionArgs, tenantID)...); err != nil {
		return 0, err
	}
	if _, err := t.exec(ctx, `DELETE FROM identity_member_roles WHERE saas_id = ?`+which, args...); err != nil {
		return 0, err
	}
	res, err := t.exec(ctx, `DELETE FROM identity_members WHERE saas_id = ?`+which, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (x identityTx) GrantRoles(ctx context.Context, saasID, tenantID, userID string, envID uint64, roles []string) error {
	for _, r := range roles {
		if _, err := x.t.exec(ctx, `INSERT INTO identity_member_roles (saas_id, tenant_id, user_id, env_id, role_name)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, saasID, tenantID, userID, int64(envID), r); err != nil {
			return err
		}
	}
	return nil
}

func (x identityTx) RevokeRole(ctx context.Context, saasID, tenantID, userID string, envID uint64, role string) error {
	return affected(x.t.exec(ctx, `DELETE FROM identity_member_roles WHERE saas_id = ? AND tenant_id = ? AND user_id = ? AND env_id = ? AND role_name = ?`,
		saasID, tenantID, userID, int64(envID), role))
}
