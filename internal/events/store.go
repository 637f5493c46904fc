package events

import (
	"context"
	"time"
)

// Store runs the events' transactions.
type Store interface {
	ReadTx(ctx context.Context, fn func(Tx) error) error
	WriteTx(ctx context.Context, fn func(Tx) error) error
}

// Job is a background job a transaction enqueues (Tx.EnqueueJob): its
// JSON is its arguments, Kind names its worker.
type Job interface{ Kind() string }

// Tx is what the events read and write in one transaction. Reads of one
// missing object answer errs.ErrNotExist.
type Tx interface {
	// Endpoints lists the SaaS's webhook endpoints, oldest first.
	Endpoints(ctx context.Context, saasID string) ([]Endpoint, error)
	Endpoint(ctx context.Context, saasID, id string) (Endpoint, error)
	InsertEndpoint(ctx context.Context, saasID string, e Endpoint) error
	// DeleteEndpoint removes an endpoint with its deliveries.
	DeleteEndpoint(ctx context.Context, saasID, id string) error

	// OpenEvent inserts the event of a request in state open, unless the
	// SaaS has no delivery target or the request's event exists; it
	// reports whether it inserted.
	OpenEvent(ctx context.Context, requestID string, e Event) (bool, error)
	// EventOfRequest returns a request's event.
	EventOfRequest(ctx context.Context, saasID, requestID string) (Event, error)
	// HasTargets reports whether the SaaS has a delivery target.
	HasTargets(ctx context.Context, saasID string) (bool, error)
	// NextSeq takes the SaaS's next event seq, holding its counter until
	// the transaction ends, so seqs follow commit order.
	NextSeq(ctx context.Context, saasID string) (int64, error)
	// CompleteEvent makes an open event ready with its seq, the call's
	// record and the envelope; InsertReadyEvent inserts one ready.
	CompleteEvent(ctx context.Context, e Event) error
	InsertReadyEvent(ctx context.Context, requestID string, e Event) error
	// OpenEvents returns up to limit events still open that were created
	// before the time given, oldest first.
	OpenEvents(ctx context.Context, before time.Time, limit int) ([]Event, error)
	// Events returns the SaaS's ready events, newest first, with a seq
	// below beforeSeq (0: from the newest).
	Events(ctx context.Context, saasID string, beforeSeq int64, limit int) ([]Event, error)

	// QueueDelivery inserts a pending delivery; it reports whether the
	// endpoint had no pending delivery before (its queue was idle).
	QueueDelivery(ctx context.Context, d Delivery) (idle bool, err error)
	// NextDelivery returns the endpoint's pending delivery of the lowest
	// seq, with its event.
	NextDelivery(ctx context.Context, saasID, endpointID string) (Delivery, Event, error)
	UpdateDelivery(ctx context.Context, d Delivery) error
	// Delivery returns an endpoint's delivery of an event (by event id).
	Delivery(ctx context.Context, saasID, endpointID, eventID string) (Delivery, error)
	Deliveries(ctx context.Context, saasID, endpointID string, f DeliveryFilter) ([]Delivery, error)
	// PurgeEvents deletes the events created before the time given
	// whose deliveries are all done (delivered or dead), with those
	// deliveries; it returns how many events went.
	PurgeEvents(ctx context.Context, before time.Time) (int64, error)

	// OutboxStats counts every SaaS's pending and dead deliveries, with
	// the creation time of the oldest pending one's event.
	OutboxStats(ctx context.Context) (OutboxStats, error)

	EnqueueJob(ctx context.Context, job Job) error
}

// OutboxStats is the state of every endpoint's queue, for metrics.
type OutboxStats struct {
	Pending, Dead int64
	Oldest        time.Time // zero when nothing is pending
}
