package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
)

// The user pools' settings (migration identity_settings).

func (x identityTx) Settings(ctx context.Context, saasID string) (identity.Settings, error) {
	var s identity.Settings
	err := x.t.queryRow(ctx, `SELECT callback_url, domain_name, from_email_address, reply_email_address, sign_in_settings, page_settings,
		notification_messages, pool_secret FROM identity_settings WHERE saas_id = ?`, saasID).Scan(&s.CallbackURL, &s.DomainName, &s.FromEmail,
		&s.ReplyEmail, &s.SignIn, &s.Pages, &s.Messages, &s.PoolSecret)
	if errors.Is(err, sql.ErrNoRows) {
		return identity.Settings{}, nil
	}
	return s, err
}

func (x identityTx) SaveSettings(ctx context.Context, saasID string, s identity.Settings) error {
	_, err := x.t.exec(ctx, `INSERT INTO identity_settings (saas_id, callback_url, domain_name, from_email_address, reply_email_address, sign_in_settings, page_settings,
		notification_messages, pool_secret) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (saas_id) DO UPDATE SET callback_url = excluded.callback_url,
		domain_name = excluded.domain_name, from_email_address = excluded.from_email_address, reply_email_address = excluded.reply_email_address,
		sign_in_settings = excluded.sign_in_settings, page_settings = excluded.page_settings, notification_messages = excluded.notification_messages,
		pool_secret = CASE WHEN excluded.pool_secret = '' THEN identity_settings.pool_secret ELSE excluded.pool_secret END`,
		saasID, s.CallbackURL, s.DomainName, s.FromEmail, s.ReplyEmail, s.SignIn, s.Pages, s.Messages, s.PoolSecret)
	return err
}

func (x identityTx) SaaSName(ctx context.Context, saasID string) (string, error) {
	var name string
	err := x.t.queryRow(ctx, `SELECT name FROM saas WHERE id = ?`, saasID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.ErrNotExist
	}
	return name, err
}
