package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
)

// Invitations to tenants (migration identity_invitations).

const invitationColumns = `id, tenant_id, email, envs, inviter_id, created_at, expires_at, status, accepted_at`

func scanInvitation(r rowScanner) (identity.Invitation, error) {
	var inv identity.Invitation
	var envs string
	var created, expires, accepted int64
	err := r.Scan(&inv.ID, &inv.TenantID, &inv.Email, &envs, &inv.InviterID, &created, &expires, &inv.Status, &accepted)
	if errors.Is(err, sql.ErrNoRows) {
		return inv, errs.ErrNotExist
	}
	if err != nil {
		return inv, err
	}
	inv.CreatedAt, inv.ExpiresAt, inv.AcceptedAt = fromMicros(created), fromMicros(expires), fromOptMicros(accepted)
	if err := json.Unmarshal([]byte(envs), &inv.Envs); err != nil {
		return inv, fmt.Errorf("envs of invitation %s: %w", inv.ID, err)
	}
	return inv, nil
}

func (x identityTx) Invitations(ctx context.Context, saasID, tenantID string) ([]identity.Invitation, error) {
	return queryRows(ctx, x.t, scanInvitation, `SELECT `+invitationColumns+` FROM identity_invitations
		WHERE saas_id = ? AND tenant_id = ? ORDER BY seq`, saasID, tenantID)
}

func (x identityTx) Invitation(ctx context.Context, saasID, id string) (identity.Invitation, error) {
	return scanInvitation(x.t.queryRow(ctx, `SELECT `+invitationColumns+` FROM identity_invitations WHERE saas_id = ? AND id = ?`, saasID, id))
}

func (x identityTx) InsertInvitation(ctx context.Context, saasID string, inv identity.Invitation) error {
	envs, err := json.Marshal(inv.Envs)
	if err != nil {
		return err
	}
	_, err = x.t.exec(ctx, `INSERT INTO identity_invitations (saas_id, id, tenant_id, email, email_key, envs, inviter_id, created_at, expires_at,
		status, accepted_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM identity_invitations WHERE saas_id = ?))`,
		saasID, inv.ID, inv.TenantID, inv.Email, strings.ToLower(inv.Email), string(envs), inv.InviterID, micros(inv.CreatedAt),
		micros(inv.ExpiresAt), inv.Status, optMicros(inv.AcceptedAt), saasID)
	return err
}

func (x identityTx) UpdateInvitation(ctx context.Context, saasID string, inv identity.Invitation) error {
	return affected(x.t.exec(ctx, `UPDATE identity_invitations SET status = ?, accepted_at = ? WHERE saas_id = ? AND id = ?`,
		inv.Status, optMicros(inv.AcceptedAt), saasID, inv.ID))
}

func (x identityTx) DeleteInvitation(ctx context.Context, saasID, id string) error {
	return affected(x.t.exec(ctx, `DELETE FROM identity_invitations WHERE saas_id = ? AND id = ?`, saasID, id))
}
