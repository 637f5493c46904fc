package awsemu

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

// PurchaseQuery selects purchases. Empty fields do not filter; the values
// of a list are OR'ed, the fields AND'ed. Results are ordered by
// CustomerIdentifier, starting after After, at most Limit (0: all).
type PurchaseQuery struct {
	SaaSID              string
	ProductCode         string
	Status              PurchaseStatus
	CustomerIdentifiers []string
	AccountIDs          []string
	Dimensions          []string
	LicenseArns         []string
	After               string
	Limit               int
}

// Tx reads and writes the emulator's rows inside one transaction.
type Tx interface {
	// ProductOwner returns the SaaS that owns a product code.
	ProductOwner(ctx context.Context, productCode string) (string, error)
	InsertProduct(ctx context.Context, saasID, productCode string) error
	// AddDimension records a dimension of a product; adding it again is a
	// no-op.
	AddDimension(ctx context.Context, productCode, dimension string) error
	HasDimension(ctx context.Context, productCode, dimension string) (bool, error)

	InsertPurchase(ctx context.Context, p Purchase) error
	// UpdatePurchase writes dimension, quantity, status and updated_at.
	UpdatePurchase(ctx context.Context, p Purchase) error
	Purchases(ctx context.Context, q PurchaseQuery) ([]Purchase, error)

	InsertToken(ctx context.Context, t RegistrationToken) error
	Token(ctx context.Context, token string) (RegistrationToken, error)

	InsertSession(ctx context.Context, s Session) error
	Session(ctx context.Context, accessKeyID string) (Session, error)

	// AcceptedUsage returns the Success record of a customer, dimension
	// and hour.
	AcceptedUsage(ctx context.Context, customerIdentifier, dimension string, hour time.Time) (UsageRecord, error)
	InsertUsage(ctx context.Context, r UsageRecord) error
	// Usage returns a SaaS's records, newest first, at most limit.
	Usage(ctx context.Context, saasID string, limit int) ([]UsageRecord, error)

	// Products returns the product codes of a SaaS, in order.
	Products(ctx context.Context, saasID string) ([]string, error)

	// SNSIdentity returns the signing identity. InsertSNSIdentity stores
	// one unless one exists already (then it is a no-op).
	SNSIdentity(ctx context.Context) (SNSIdentity, error)
	InsertSNSIdentity(ctx context.Context, id SNSIdentity) error

	NotificationEndpoint(ctx context.Context, saasID string) (endpoint string, createdAt time.Time, err error)
	// PutNotificationEndpoint inserts or replaces the SaaS's endpoint.
	PutNotificationEndpoint(ctx context.Context, saasID, endpoint string, at time.Time) error
	DeleteNotificationEndpoint(ctx context.Context, saasID string) error

	InsertSNSSubscription(ctx context.Context, s SNSSubscription) error
	// SNSSubscriptions returns a SaaS's subscriptions ordered by topic.
	SNSSubscriptions(ctx context.Context, saasID string) ([]SNSSubscription, error)
	SNSSubscriptionByToken(ctx context.Context, token string) (SNSSubscription, error)
	ConfirmSNSSubscription(ctx context.Context, subscriptionArn string, at time.Time) error
	DeleteSNSSubscription(ctx context.Context, subscriptionArn string) error

	// InsertSNSDelivery appends a message to the outbox.
	InsertSNSDelivery(ctx context.Context, d SNSDelivery) error
	// NextSNSDelivery returns a subscription's oldest pending message and
	// whether the subscription is confirmed; errs.ErrNotExist when none is
	// pending.
	NextSNSDelivery(ctx context.Context, subscriptionArn string) (d SNSDelivery, confirmed bool, err error)
	// The injected faults (Service.AddFault).
	emufault.Tx
	// EnqueueJob enqueues a background job in this transaction: it exists
	// if and only if the transaction commits.
	EnqueueJob(ctx context.Context, job Job) error
	// UpdateSNSDelivery writes status, attempts, last error and the times
	// of a message that is still pending.
	UpdateSNSDelivery(ctx context.Context, d SNSDelivery) error
	// AbandonSNSDeliveries fails the pending messages of a subscription.
	AbandonSNSDeliveries(ctx context.Context, subscriptionArn, reason string, at time.Time) error
	// SNSDeliveries returns a SaaS's messages, newest first, at most limit.
	SNSDeliveries(ctx context.Context, saasID string, limit int) ([]SNSDelivery, error)

	// InsertEvent stores an event PutEvents accepted.
	InsertEvent(ctx context.Context, e ReceivedEvent) error
	// Events returns the events of a SaaS's partner source, newest first,
	// at most limit.
	Events(ctx context.Context, saasID string, limit int) ([]ReceivedEvent, error)
}
