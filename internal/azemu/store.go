package azemu

import (
	"context"
	"time"

	"github.com/saasplane/saasplane/internal/emufault"
)

// Store gives the service transactions over the emulator's tables.
//
// Tx methods return errs.ErrNotExist for a missing row and errs.ErrDuplicate
// when a uniqueness constraint rejects a write.
type Store interface {
	ReadTx(ctx context.Context, fn func(Tx) error) error
	WriteTx(ctx context.Context, fn func(Tx) error) error
}

// Tx reads and writes the emulator's rows inside one transaction. Every
// method that takes a saasID reads or writes that SaaS's rows only.
type Tx interface {
	// Identity returns a SaaS's identity; IdentityByTenant finds it by
	// tenant id. InsertIdentity stores one unless the SaaS has one already
	// (then it is a no-op).
	Identity(ctx context.Context, saasID string) (Identity, error)
	IdentityByTenant(ctx context.Context, tenantID string) (Identity, error)
	InsertIdentity(ctx context.Context, id Identity) error

	// Settings returns a SaaS's settings; PutSettings inserts or replaces
	// them.
	Settings(ctx context.Context, saasID string) (Settings, error)
	PutSettings(ctx context.Context, s Settings) error

	// PutOffer inserts or replaces an offer and its plans.
	PutOffer(ctx context.Context, o Offer) error
	Offer(ctx context.Context, saasID, offerID string) (Offer, error)
	// Offers returns a SaaS's offers ordered by id.
	Offers(ctx context.Context, saasID string) ([]Offer, error)

	InsertSubscription(ctx context.Context, s Subscription) error
	// UpdateSubscription writes plan, quantity, status, term, auto-renew,
	// dry-run, version and updated_at, when the stored version is
	// s.Version-1 (else errs.ErrNotExist).
	UpdateSubscription(ctx context.Context, s Subscription) error
	Subscription(ctx context.Context, saasID, id string) (Subscription, error)
	// Subscriptions returns a SaaS's subscriptions ordered by id, after
	// after, at most limit.
	Subscriptions(ctx context.Context, saasID, after string, limit int) ([]Subscription, error)

	InsertToken(ctx context.Context, t PurchaseToken) error
	Token(ctx context.Context, token string) (PurchaseToken, error)

	InsertOperation(ctx context.Context, op Operation) error
	// UpdateOperation writes status, plan, quantity, due, error and
	// updated_at of an operation that is still InProgress (else
	// errs.ErrNotExist).
	UpdateOperation(ctx context.Context, op Operation) error
	Operation(ctx context.Context, saasID, id string) (Operation, error)
	// Operations returns a subscription's operations, oldest first; only
	// InProgress ones when inProgress.
	Operations(ctx context.Context, saasID, subscriptionID string, inProgress bool) ([]Operation, error)
	// DueOperations returns at most limit InProgress operations whose due
	// time is set and not after now, oldest first; saasID "" means every
	// SaaS. Concurrent transactions never both complete the same rows: for
	// one SaaS the call waits for a concurrent one, for all SaaS it skips
	// the rows another transaction holds.
	DueOperations(ctx context.Context, saasID string, now time.Time, limit int) ([]Operation, error)
	// DueRenewals returns at most limit Subscribed subscriptions whose
	// term end is set and not after endedBy, earliest term end first;
	// saasID "" means every SaaS. It locks the rows as DueOperations does.
	DueRenewals(ctx context.Context, saasID string, endedBy time.Time, limit int) ([]Subscription, error)

	// AcceptedUsage returns the Accepted event of a resource, dimension
	// and hour.
	AcceptedUsage(ctx context.Context, resourceID, dimension string, hour time.Time) (UsageEvent, error)
	InsertUsage(ctx context.Context, e UsageEvent) error
	// Usage returns a SaaS's accepted events whose hour is in [from, to),
	// oldest first.
	Usage(ctx context.Context, saasID string, from, to time.Time) ([]UsageEvent, error)

	// InsertWebhook appends a message to the outbox.
	InsertWebhook(ctx context.Context, w Webhook) error
	// NextWebhook returns a subscription's oldest pending message;
	// errs.ErrNotExist when none is pending.
	NextWebhook(ctx context.Context, subscriptionID string) (Webhook, error)
	// The injected faults (Service.AddFault).
	emufault.Tx
	// EnqueueJob enqueues a background job in this transaction: it exists
	// if and only if the transaction commits.
	EnqueueJob(ctx context.Context, job Job) error
	// UpdateWebhook writes status, attempts, errors and times of a message
	// that is still pending.
	UpdateWebhook(ctx context.Context, w Webhook) error
	// Webhooks returns a SaaS's messages, newest first, at most limit.
	Webhooks(ctx context.Context, saasID string, limit int) ([]Webhook, error)
}
