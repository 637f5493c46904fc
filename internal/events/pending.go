package events

import (
	"context"
	"sync"
	"time"
)

// Pending is the event of a request in flight: the HTTP layer makes it
// before the handler runs and puts it in the request's context
// (WithPending); the store opens the event in the request's first write
// transaction that commits (Open), and Complete finishes it.
type Pending struct {
	ID        string // the event's id
	RequestID string // the server's id of the request
	SaaSID    string
	TraceID   string
	CreatedAt time.Time
	// Type names the operation (create_tenant, ...); a func, because the
	// route is known only once the router has run.
	Type func() string
	// Call holds the request's side; Complete adds the response's.
	Call Call
	// RequestBody, when set, gives Call.RequestBody when the event is
	// made (Event): the redaction is paid only for an event that is.
	RequestBody func() string

	mu     sync.Mutex
	opened bool
}

// Opened reports whether a committed transaction has opened the event.
func (p *Pending) Opened() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.opened
}

// MarkOpened records that the transaction that opened the event
// committed; the store calls it after the commit.
func (p *Pending) MarkOpened() {
	p.mu.Lock()
	p.opened = true
	p.mu.Unlock()
}

// Event is the event as it is opened: without seq or body.
func (p *Pending) Event() Event {
	typ := ""
	if p.Type != nil {
		typ = p.Type()
	}
	call := p.Call
	if p.RequestBody != nil {
		call.RequestBody = p.RequestBody()
	}
	return Event{ID: p.ID, SaaSID: p.SaaSID, Type: typ, TraceID: p.TraceID, CreatedAt: p.CreatedAt, Call: call}
}

type pendingKey struct{}

// WithPending returns ctx carrying p.
func WithPending(ctx context.Context, p *Pending) context.Context {
	return context.WithValue(ctx, pendingKey{}, p)
}

// WithoutPending returns ctx carrying no Pending: for the events' own
// transactions, which must not open the request's event.
func WithoutPending(ctx context.Context) context.Context {
	return context.WithValue(ctx, pendingKey{}, (*Pending)(nil))
}

// PendingFrom returns the Pending of ctx's request, or nil.
func PendingFrom(ctx context.Context) *Pending {
	p, _ := ctx.Value(pendingKey{}).(*Pending)
	return p
}
