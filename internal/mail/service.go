package mail

import (
	"context"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Deliver is the background job that sends one message. A message that
// is sent already is left alone, so a job run twice sends once (but see
// the package doc on a crash in the middle of a send).
type Deliver struct {
	MessageID string `json:"message_id"`
}

// Kind implements the job engine's JobArgs.
func (Deliver) Kind() string { return "mail.deliver" }

// MaxAttempts is how many times a message is tried before it fails: with
// the job engine's backoff (about attempt⁴ seconds), the last try comes
// about three days after the first.
const MaxAttempts = 20

// MaxAttempts implements the store's per-job attempt limit.
func (Deliver) MaxAttempts() int { return MaxAttempts }

// Sender sends a rendered message: the SMTP server's port. A nil Sender
// means none is configured.
type Sender interface {
	Send(ctx context.Context, from, to string, msg []byte) error
}

// Store gives the service transactions over the messages.
type Store interface {
	ReadTx(ctx context.Context, fn func(Tx) error) error
	WriteTx(ctx context.Context, fn func(Tx) error) error
}

// Tx reads and writes messages.
type Tx interface {
	// Message returns one message (of any SaaS), or errs.ErrNotExist.
	Message(ctx context.Context, id string) (Message, error)
	// UpdateDelivery writes a message's status, attempts, errors and
	// times.
	UpdateDelivery(ctx context.Context, m Message) error
	// Messages returns the SaaS's messages, newest first, at most limit
	// ("" saasID: every SaaS's).
	Messages(ctx context.Context, saasID string, limit int) ([]Message, error)
}

// Service delivers and lists messages.
type Service struct {
	store  Store
	sender Sender
	now    func() time.Time
}

// NewService returns the service; sender nil keeps every message stored.
func NewService(store Store, sender Sender, now func() time.Time) *Service {
	return &Service{store: store, sender: sender, now: now}
}

// Deliver sends message id, once: the Deliver job's work. A failed send
// is recorded and returned, so the job is retried; the MaxAttempts-th
// marks the message failed. Without a sender the message becomes Stored.
func (s *Service) Deliver(ctx context.Context, id string) error {
	var m Message
	err := s.store.ReadTx(ctx, func(tx Tx) (err error) {
		m, err = tx.Message(ctx, id)
		return err
	})
	if errors.Is(err, errs.ErrNotExist) {
		return nil // gone with its SaaS: nothing to send
	}
	if err != nil || m.Status == Sent || m.Status == Failed {
		return err
	}
	if s.sender == nil {
		m.Status = Stored
		return s.save(ctx, m)
	}
	raw, err := Render(m)
	if err != nil {
		m.Status, m.LastError = Failed, err.Error()
		return s.save(ctx, m) // a message that cannot be rendered never will be
	}
	m.Attempts++
	m.LastAttemptAt = s.now()
	sendErr := s.sender.Send(ctx, m.From, m.To, raw)
	if sendErr == nil {
		m.Status, m.SentAt, m.LastError = Sent, m.LastAttemptAt, ""
		return s.save(ctx, m)
	}
	m.LastError = sendErr.Error()
	if m.Attempts >= MaxAttempts {
		m.Status = Failed
	}
	if err := s.save(ctx, m); err != nil {
		return err
	}
	return sendErr
}

func (s *Service) save(ctx context.Context, m Message) error {
	return s.store.WriteTx(ctx, func(tx Tx) error { return tx.UpdateDelivery(ctx, m) })
}

// MaxList bounds a listing.
const MaxList = 1000

// List returns the SaaS's latest messages, newest first ("" saasID:
// every SaaS's).
func (s *Service) List(ctx context.Context, saasID string, limit int) (ms []Message, err error) {
	if limit <= 0 || limit > MaxList {
		limit = MaxList
	}
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		ms, err = tx.Messages(ctx, saasID, limit)
		return err
	})
	return ms, err
}
