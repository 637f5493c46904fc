package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/saasplane/saasplane/internal/tenant"
)

// tenantStore adapts DB to tenant.Store.
type tenantStore struct{ db *DB }

// Tenants returns the tenant domain's view of the database.
func (db *DB) Tenants() tenant.Store { return tenantStore{db} }

var (
	_ tenant.Store = tenantStore{}
	_ tenant.Tx    = (*Tx)(nil)
)

func (s tenantStore) ReadTx(ctx context.Context, fn func(tenant.Tx) error) error {
	return s.db.Read(ctx, func(tx *Tx) error { return fn(tx) })
}

func (s tenantStore) WriteTx(ctx context.Context, fn func(tenant.Tx) error) error {
	return s.db.Write(ctx, func(tx *Tx) error { return fn(tx) })
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullBool(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

func boolPtr(n sql.NullBool) *bool {
	if !n.Valid {
		return nil
	}
	b := n.Bool
	return &b
}

const tenantColumns = `id, name, back_office_staff_email, attributes, billing_info, COALESCE(plan_id, ''),
	COALESCE(next_plan_id, ''), next_plan_at, COALESCE(next_tax_rate_id, ''), next_proration, next_delete_usage, created_at,
	COALESCE(deleted_at, 0)`

func (t *Tx) Tenants(ctx context.Context, saasID string, ids ...string) ([]tenant.Tenant, error) {
	out, _, err := t.tenants(ctx, saasID, false, ids)
	return out, err
}

// tenants reads tenants with their plan history, deleted ones too when
// withDeleted, and when each was deleted (0 for a live one, in micros).
func (t *Tx) tenants(ctx context.Context, saasID string, withDeleted bool, ids []string) ([]tenant.Tenant, []int64, error) {
	q := `SELECT ` + tenantColumns + ` FROM tenants WHERE saas_id = ?`
	if !withDeleted {
		q += ` AND deleted_at IS NULL`
	}
	rows, err := t.query(ctx, byIDs(q, "id", ids)+` ORDER BY seq`, stringArgs([]any{saasID}, ids)...)
	if err != nil {
		return nil, nil, err
	}
	out := []tenant.Tenant{}
	var deleted []int64
	index := map[string]int{}
	for rows.Next() {
		var tn tenant.Tenant
		var attrs string
		var billing sql.NullString
		var nextPlan, nextTax, proration string
		var nextAt sql.NullInt64
		var deleteUsage sql.NullBool
		var created, deletedAt int64
		if err := rows.Scan(&tn.ID, &tn.Name, &tn.BackOfficeStaffEmail, &attrs, &billing, &tn.PlanID,
			&nextPlan, &nextAt, &nextTax, &proration, &deleteUsage, &created, &deletedAt); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if tn.Attributes, err = decodeAttributes(attrs); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if billing.Valid {
			tn.BillingInfo = new(tenant.BillingInfo)
			if err := json.Unmarshal([]byte(billing.String), tn.BillingInfo); err != nil {
				rows.Close()
				return nil, nil, fmt.Errorf("decode stored billing info: %w", err)
			}
		}
		if nextAt.Valid {
			tn.Reservation = &tenant.Reservation{PlanID: nextPlan, At: fromMicros(nextAt.Int64), TaxRateID: nextTax,
				Proration: tenant.Proration(proration), DeleteUsage: boolPtr(deleteUsage)}
		}
		tn.CreatedAt = fromMicros(created)
		tn.History = []tenant.PlanHistory{}
		index[tn.ID] = len(out)
		out = append(out, tn)
		deleted = append(deleted, deletedAt)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, deleted, err
	}
	// Histories of the tenants read: one query, no IN list when all were read.
	q = `SELECT tenant_id, COALESCE(plan_id, ''), applied_at, COALESCE(tax_rate_id, ''), proration_behavior, delete_usage
		FROM tenant_plan_histories WHERE saas_id = ?`
	args := []any{saasID}
	if len(ids) > 0 {
		q += ` AND tenant_id IN (` + placeholders(len(ids)) + `)`
		args = stringArgs(args, ids)
	}
	rows, err = t.query(ctx, q+` ORDER BY tenant_id, position`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var tenantID, proration string
		var h tenant.PlanHistory
		var applied int64
		var deleteUsage sql.NullBool
		if err := rows.Scan(&tenantID, &h.PlanID, &applied, &h.TaxRateID, &proration, &deleteUsage); err != nil {
			return nil, nil, err
		}
		h.AppliedAt, h.Proration, h.DeleteUsage = fromMicros(applied), tenant.Proration(proration), boolPtr(deleteUsage)
		if i, ok := index[tenantID]; ok {
			out[i].History = append(out[i].History, h)
		}
	}
	return out, deleted, rows.Err()
}

func decodeAttributes(s string) (map[string]any, error) {
	if s == "{}" { // most objects carry none: skip the decoder
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	m := map[string]any{}
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode stored attributes: %w", err)
	}
	return m, nil
}

// tenantArgs returns the mutable columns of tn in the order of
// tenantSet.
func tenantArgs(tn tenant.Tenant) ([]any, error) {
	attrs := tn.Attributes
	if attrs == nil {
		attrs = map[string]any{}
	}
	a, err := json.Marshal(attrs)
	if err != nil {
		return nil, err
	}
	var billing any
	if tn.BillingInfo != nil {
		b, err := json.Marshal(tn.BillingInfo)
		if err != nil {
			return nil, err
		}
		billing = string(b)
	}
	var nextPlan, nextAt, nextTax, deleteUsage any
	proration := ""
	if r := tn.Reservation; r != nil {
		nextPlan, nextAt, nextTax = nullString(r.PlanID), micros(r.At), nullString(r.TaxRateID)
		proration, deleteUsage = string(r.Proration), nullBool(r.DeleteUsage)
	}
	return []any{tn.Name, tn.BackOfficeStaffEmail, string(a), billing, nullString(tn.PlanID),
		nextPlan, nextAt, nextTax, proration, deleteUsage}, nil
}

func (t *Tx) InsertTenant(ctx context.Context, saasID string, tn tenant.Tenant) error {
	args, err := tenantArgs(tn)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO tenants (name, back_office_staff_email, attributes, billing_info, plan_id,
		next_plan_id, next_plan_at, next_tax_rate_id, next_proration, next_delete_usage, saas_id, id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, saasID, tn.ID, micros(tn.CreatedAt))...)
	return err
}

func (t *Tx) UpdateTenant(ctx context.Context, saasID string, tn tenant.Tenant) error {
	args, err := tenantArgs(tn)
	if err != nil {
		return err
	}
	return affected(t.exec(ctx, `UPDATE tenants SET name = ?, back_office_staff_email = ?, attributes = ?, billing_info = ?, plan_id = ?,
		next_plan_id = ?, next_plan_at = ?, next_tax_rate_id = ?, next_proration = ?, next_delete_usage = ?
		WHERE saas_id = ? AND id = ? AND deleted_at IS NULL`, append(args, saasID, tn.ID)...))
}

func (t *Tx) AppendHistory(ctx context.Context, saasID, tenantID string, h tenant.PlanHistory) error {
	var n int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM tenant_plan_histories WHERE saas_id = ? AND tenant_id = ?`, saasID, tenantID).Scan(&n); err != nil {
		return err
	}
	_, err := t.exec(ctx, `INSERT INTO tenant_plan_histories (saas_id, tenant_id, position, plan_id, applied_at, tax_rate_id, proration_behavior, delete_usage)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, saasID, tenantID, n, nullString(h.PlanID), micros(h.AppliedAt), nullString(h.TaxRateID),
		string(h.Proration), nullBool(h.DeleteUsage))
	return err
}

// TenantDeleted reports whether the SaaS has a deleted tenant of that id.
func (t *Tx) TenantDeleted(ctx context.Context, saasID, id string) (bool, error) {
	return t.exists(ctx, `SELECT 1 FROM tenants WHERE saas_id = ? AND id = ? AND deleted_at IS NOT NULL`, saasID, id)
}

// DeleteTenant marks the tenant deleted, removes its members (ending the
// sessions of those it leaves in no tenant), and bumps the SaaS's
// tenants_version, which tells the metering committer to forget the
// tenants it knows to be active.
func (t *Tx) DeleteTenant(ctx context.Context, saasID, id string, at time.Time) error {
	if err := affected(t.exec(ctx, `UPDATE tenants SET deleted_at = ?, next_plan_id = NULL, next_plan_at = NULL,
		next_tax_rate_id = NULL, next_proration = '', next_delete_usage = NULL
		WHERE saas_id = ? AND id = ? AND deleted_at IS NULL`, micros(at), saasID, id)); err != nil {
		return err
	}
	if _, err := t.dropMembers(ctx, saasID, id, ""); err != nil {
		return err
	}
	_, err := t.exec(ctx, `UPDATE saas SET tenants_version = tenants_version + 1 WHERE id = ?`, saasID)
	return err
}

func (t *Tx) OldestDue(ctx context.Context, now time.Time) (time.Time, bool, error) {
	var at sql.NullInt64
	err := t.queryRow(ctx, `SELECT MIN(next_plan_at) FROM tenants
		WHERE next_plan_at IS NOT NULL AND deleted_at IS NULL AND next_plan_at <= ?`, micros(now)).Scan(&at)
	if err != nil || !at.Valid {
		return time.Time{}, false, err
	}
	return fromMicros(at.Int64), true, nil
}

func (t *Tx) DueReservations(ctx context.Context, now time.Time, limit int) ([]tenant.Ref, error) {
	rows, err := t.query(ctx, `SELECT saas_id, id FROM tenants
		WHERE next_plan_at IS NOT NULL AND deleted_at IS NULL AND next_plan_at <= ?
		ORDER BY next_plan_at, seq LIMIT ?`, micros(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tenant.Ref
	for rows.Next() {
		var r tenant.Ref
		if err := rows.Scan(&r.SaaSID, &r.ID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *Tx) Attributes(ctx context.Context, saasID string) ([]tenant.Attribute, error) {
	rows, err := t.query(ctx, `SELECT attribute_name, display_name, attribute_type FROM tenant_attributes WHERE saas_id = ? ORDER BY seq`, saasID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []tenant.Attribute{}
	for rows.Next() {
		var a tenant.Attribute
		var typ string
		if err := rows.Scan(&a.Name, &a.DisplayName, &typ); err != nil {
			return nil, err
		}
		a.Type = tenant.AttributeType(typ)
		out = append(out, a)
	}
	return out, rows.Err()
}

func (t *Tx) InsertAttribute(ctx context.Context, saasID string, a tenant.Attribute) error {
	_, err := t.exec(ctx, `INSERT INTO tenant_attributes (saas_id, attribute_name, display_name, attribute_type) VALUES (?, ?, ?, ?)`,
		saasID, a.Name, a.DisplayName, string(a.Type))
	return err
}

func (t *Tx) DeleteAttribute(ctx context.Context, saasID, name string) error {
	if err := affected(t.exec(ctx, `DELETE FROM tenant_attributes WHERE saas_id = ? AND attribute_name = ?`, saasID, name)); err != nil {
		return err
	}
	return t.dropAttribute(ctx, name, `SELECT saas_id, id, attributes FROM tenants WHERE saas_id = ?`, []any{saasID},
		`UPDATE tenants SET attributes = ? WHERE saas_id = ? AND id = ?`)
}
