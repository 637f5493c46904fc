package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/mail"
)

// mailStore adapts DB to mail.Store (migration mail_messages).
type mailStore struct{ db *DB }

type mailTx struct{ t *Tx }

// Mail returns the mail outbox's view of the database.
func (db *DB) Mail() mail.Store { return mailStore{db} }

var (
	_ mail.Store = mailStore{}
	_ mail.Tx    = mailTx{}
)

func (s mailStore) ReadTx(ctx context.Context, fn func(mail.Tx) error) error {
	return s.db.Read(ctx, func(tx *Tx) error { return fn(mailTx{tx}) })
}

func (s mailStore) WriteTx(ctx context.Context, fn func(mail.Tx) error) error {
	return s.db.Write(ctx, func(tx *Tx) error { return fn(mailTx{tx}) })
}

const mailColumns = `id, saas_id, purpose, from_address, reply_to, to_address, subject, body, message_id_header,
	created_at, status, attempts, last_error, last_attempt_at, sent_at`

func scanMail(r rowScanner) (mail.Message, error) {
	var m mail.Message
	var created, lastAttempt, sent int64
	var status string
	err := r.Scan(&m.ID, &m.SaaSID, &m.Purpose, &m.From, &m.ReplyTo, &m.To, &m.Subject, &m.Text, &m.MessageIDHeader,
		&created, &status, &m.Attempts, &m.LastError, &lastAttempt, &sent)
	if errors.Is(err, sql.ErrNoRows) {
		return m, errs.ErrNotExist
	}
	m.CreatedAt, m.Status = fromMicros(created), mail.Status(status)
	m.LastAttemptAt, m.SentAt = fromOptMicros(lastAttempt), fromOptMicros(sent)
	return m, err
}

func (x mailTx) Message(ctx context.Context, id string) (mail.Message, error) {
	return scanMail(x.t.queryRow(ctx, `SELECT `+mailColumns+` FROM mail_messages WHERE id = ?`, id))
}

func (x mailTx) UpdateDelivery(ctx context.Context, m mail.Message) error {
	return affected(x.t.exec(ctx, `UPDATE mail_messages SET status = ?, attempts = ?, last_error = ?, last_attempt_at = ?, sent_at = ? WHERE id = ?`,
		string(m.Status), m.Attempts, m.LastError, optMicros(m.LastAttemptAt), optMicros(m.SentAt), m.ID))
}

func (x mailTx) Messages(ctx context.Context, saasID string, limit int) ([]mail.Message, error) {
	if saasID == "" {
		return queryRows(ctx, x.t, scanMail, `SELECT `+mailColumns+` FROM mail_messages ORDER BY created_at DESC, id LIMIT ?`, limit)
	}
	return queryRows(ctx, x.t, scanMail, `SELECT `+mailColumns+` FROM mail_messages WHERE saas_id = ? ORDER BY created_at DESC, id LIMIT ?`, saasID, limit)
}

// queueMail stores a new message with the job that delivers it, in the
// caller's transaction: the message is sent if and only if its cause
// commits.
func (t *Tx) queueMail(ctx context.Context, m mail.Message) error {
	if _, err := t.exec(ctx, `INSERT INTO mail_messages (`+mailColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.SaaSID, m.Purpose, m.From, m.ReplyTo, m.To, m.Subject, m.Text, m.MessageIDHeader,
		micros(m.CreatedAt), string(mail.Queued), 0, "", 0, 0); err != nil {
		return err
	}
	return t.enqueue(ctx, mail.Deliver{MessageID: m.ID})
}

// QueueMail implements identity.Tx.
func (x identityTx) QueueMail(ctx context.Context, m mail.Message) error {
	return x.t.queueMail(ctx, m)
}
