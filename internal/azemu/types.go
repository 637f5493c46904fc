// Package azemu is saasplane's built-in Azure Marketplace emulator: the
// offers and plans an ISV configures, the purchases it simulates, the SaaS
// subscriptions and operations the SaaS Fulfillment API (v1 2017-04-15 and
// v2 2018-08-31) serves, the webhooks the marketplace sends to the
// publisher, the usage events the metering API receives, and the offline
// identity (an Entra-like tenant and app per SaaS, RSA-signed JWTs) that
// authenticates both directions.
//
// Rules (see docs/azure-marketplace.md):
//   - Every row belongs to one SaaS; the wire API is scoped by the publisher
//     identity of the bearer token, which is one SaaS's.
//   - A purchase token is valid for TokenTTL and can be resolved any number
//     of times until then.
//   - The subscription state machine is Transition (state.go), a pure
//     function.
//   - One operation at a time per subscription: while one is InProgress,
//     another change is a conflict.
//   - A marketplace-initiated ChangePlan or ChangeQuantity waits for the
//     publisher's PATCH of the operation and is accepted automatically
//     AutoAcceptAfter after its webhook was queued; a publisher-initiated
//     change completes after the SaaS's operation delay, then its webhook
//     is sent.
//   - A usage event is at most UsageMaxAge old; one Accepted event per
//     resource, dimension and hour.
//
// Webhooks are written to an outbox in the transaction of the change and
// posted by a Deliverer (deliver.go), retried with backoff for RetryFor.
package azemu

import (
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Durations and limits of the emulator.
const (
	TokenTTL          = time.Hour // purchase (landing page) tokens
	AccessTokenTTL    = time.Hour // bearer tokens of the identity
	AutoAcceptAfter   = 10 * time.Second
	PageSize          = 100
	MaxBatch          = 25
	UsageMaxAge       = 24 * time.Hour
	MaxQuantity       = 1000000
	RetryFor          = 8 * time.Hour // how long a webhook is retried
	MaxOperationDelay = 10 * time.Minute
)

// MarketplaceResourceID is the fixed application id of the "Marketplace
// SaaS API": the audience of the publisher's tokens and the appid of the
// marketplace's webhook tokens.
const MarketplaceResourceID = "20e940b3-4c77-4b0b-9a53-9e16a1b010a7"

// The API versions.
const (
	APIVersionV1 = "2017-04-15"
	APIVersionV2 = "2018-08-31"
)

// Status is a subscription's saasSubscriptionStatus (v2 names).
// StatusDeactivated is the v1 "Deactivated" (the buyer's Azure
// subscription was suspended); v2 shows it as Suspended.
type Status string

// The subscription states.
const (
	StatusPending      Status = "PendingFulfillmentStart"
	StatusSubscribed   Status = "Subscribed"
	StatusSuspended    Status = "Suspended"
	StatusDeactivated  Status = "Deactivated"
	StatusUnsubscribed Status = "Unsubscribed"
)

// AllStatuses lists every state, for tables.
var AllStatuses = []Status{StatusPending, StatusSubscribed, StatusSuspended, StatusDeactivated, StatusUnsubscribed}

// V2 is the status as API version 2018-08-31 shows it.
func (s Status) V2() string {
	if s == StatusDeactivated {
		return string(StatusSuspended)
	}
	return string(s)
}

// V1 is the status as API version 2017-04-15 shows it.
func (s Status) V1() string {
	if s == StatusPending {
		return "Pending"
	}
	return string(s)
}

// Action is what an operation does (the webhook's "action").
type Action string

// The operation actions. ActionSubscribe is v1's PUT (v2 activates
// synchronously, without an operation).
const (
	ActionSubscribe      Action = "Subscribe"
	ActionChangePlan     Action = "ChangePlan"
	ActionChangeQuantity Action = "ChangeQuantity"
	ActionSuspend        Action = "Suspend"
	ActionDeactivate     Action = "Deactivate"
	ActionReinstate      Action = "Reinstate"
	ActionRenew          Action = "Renew"
	ActionUnsubscribe    Action = "Unsubscribe"
)

// NeedsAck reports whether the publisher acknowledges the operation with a
// PATCH when the marketplace initiated it.
func (a Action) NeedsAck() bool { return a == ActionChangePlan || a == ActionChangeQuantity }

// OpStatus is an operation's status (v2 names).
type OpStatus string

// The operation states.
const (
	OpInProgress OpStatus = "InProgress"
	OpSucceeded  OpStatus = "Succeeded"
	OpFailed     OpStatus = "Failed"
	OpConflict   OpStatus = "Conflict"
)

// V1 is the status as API version 2017-04-15 spells it.
func (s OpStatus) V1() string {
	if s == OpInProgress {
		return "In Progress"
	}
	if s == OpConflict {
		return string(OpFailed)
	}
	return string(s)
}

// Source says who requested an operation (operationRequestSource).
type Source string

// The sources.
const (
	SourceAzure   Source = "Azure"   // the customer, in the marketplace
	SourcePartner Source = "Partner" // the publisher, through the API
)

// Dimension is a metering dimension of a plan.
type Dimension struct {
	ID            string  `json:"id"`
	UnitOfMeasure string  `json:"unit_of_measure"`
	PricePerUnit  float64 `json:"price_per_unit"`
	Currency      string  `json:"currency"`
	DisplayName   string  `json:"display_name,omitempty"`
}

// Plan is a plan of an offer.
type Plan struct {
	PlanID         string      `json:"plan_id"`
	DisplayName    string      `json:"display_name"`
	Description    string      `json:"description,omitempty"`
	IsPricePerSeat bool        `json:"is_price_per_seat"`
	MinQuantity    int64       `json:"min_quantity,omitempty"`
	MaxQuantity    int64       `json:"max_quantity,omitempty"`
	IsPrivate      bool        `json:"is_private,omitempty"`
	TermUnit       string      `json:"term_unit,omitempty"` // P1M (default) or P1Y
	Price          float64     `json:"price,omitempty"`
	Currency       string      `json:"currency,omitempty"`
	Dimensions     []Dimension `json:"metering_dimensions"`
}

// Dimension returns the plan's dimension with that id.
func (p Plan) Dimension(id string) (Dimension, bool) {
	for _, d := range p.Dimensions {
		if d.ID == id {
			return d, true
		}
	}
	return Dimension{}, false
}

// Offer is an offer and its plans.
type Offer struct {
	SaaSID    string
	OfferID   string
	Plans     []Plan
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Plan returns the offer's plan with that id.
func (o Offer) Plan(id string) (Plan, bool) {
	for _, p := range o.Plans {
		if p.PlanID == id {
			return p, true
		}
	}
	return Plan{}, false
}

// Subscription is one SaaS subscription, as the marketplace holds it.
type Subscription struct {
	ID               string
	SaaSID           string
	Name             string
	OfferID          string
	PlanID           string
	Quantity         int64 // 0: not a per-seat plan
	Status           Status
	BeneficiaryEmail string
	BeneficiaryOID   string
	BeneficiaryTID   string
	TermUnit         string
	TermStart        time.Time // zero until activated
	TermEnd          time.Time
	AutoRenew        bool
	DryRun           bool // v1 x-ms-marketplace-session-mode: dryrun
	Version          int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// PurchaseToken is the token the marketplace appends to the landing page
// URL; resolve redeems it.
type PurchaseToken struct {
	Token          string
	SaaSID         string
	SubscriptionID string
	CreatedAt      time.Time
	ExpiresAt      time.Time
}

// Operation is an asynchronous change of a subscription.
type Operation struct {
	ID             string
	SaaSID         string
	SubscriptionID string
	ActivityID     string
	Action         Action
	Source         Source
	PlanID         string // the plan after the change
	Quantity       int64  // the quantity after the change
	Status         OpStatus
	APIVersion     string    // the version of the request that created it ("" for the marketplace's)
	DueAt          time.Time // when an InProgress operation completes by itself; zero: never
	ErrorCode      string
	ErrorMessage   string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Settings are a SaaS's emulator settings.
type Settings struct {
	SaaSID string
	// WebhookURL is the publisher's connection webhook; empty: no webhooks.
	WebhookURL string
	// WebhookAPIVersion chooses the webhook body: APIVersionV2 (default) or
	// APIVersionV1.
	WebhookAPIVersion string
	// V1Actions chooses the v1 webhook vocabulary: "sample"
	// (Subscribe, Unsubscribe, ChangePlan...) or "table" (Activate, Delete,
	// Update...).
	V1Actions string
	// OperationDelay is how long a publisher-initiated operation stays
	// InProgress.
	OperationDelay time.Duration
	UpdatedAt      time.Time
}

// The v1 webhook vocabularies.
const (
	V1ActionsSample = "sample"
	V1ActionsTable  = "table"
)

// Identity is a SaaS's publisher identity: an Entra-like tenant, an app
// registration with a client secret, and the RSA key its tokens are signed
// with.
type Identity struct {
	SaaSID       string
	TenantID     string
	ClientID     string
	ClientSecret string
	KeyID        string
	KeyPEM       string
	CreatedAt    time.Time
}

// UsageStatus is the outcome of one usage event.
type UsageStatus string

// The usage event statuses.
const (
	UsageAccepted              UsageStatus = "Accepted"
	UsageExpired               UsageStatus = "Expired"
	UsageDuplicate             UsageStatus = "Duplicate"
	UsageError                 UsageStatus = "Error"
	UsageResourceNotFound      UsageStatus = "ResourceNotFound"
	UsageResourceNotAuthorized UsageStatus = "ResourceNotAuthorized"
	UsageResourceNotActive     UsageStatus = "ResourceNotActive"
	UsageInvalidDimension      UsageStatus = "InvalidDimension"
	UsageInvalidQuantity       UsageStatus = "InvalidQuantity"
	UsageBadArgument           UsageStatus = "BadArgument"
)

// UsageEvent is one accepted usage event.
type UsageEvent struct {
	UsageEventID       string
	SaaSID             string
	ResourceID         string
	OfferID            string
	PlanID             string
	Dimension          string
	Quantity           float64
	EffectiveStartTime time.Time
	Hour               time.Time
	MessageTime        time.Time
	DryRun             bool
}

// The webhook delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"  // retried for RetryFor, or rejected
	DeliveryDropped   = "dropped" // lost on purpose by a fault
)

// Webhook is one outbox message to the publisher's webhook.
type Webhook struct {
	Seq            int64 // outbox order; set by the store
	ID             string
	SaaSID         string
	SubscriptionID string
	OperationID    string
	Endpoint       string
	Body           string
	Status         string
	Attempts       int
	LastError      string
	LastStatus     int
	CreatedAt      time.Time
	LastAttemptAt  time.Time
	NextAttemptAt  time.Time
	DeliveredAt    time.Time
}

// The Azure error codes the emulator answers with; they are the Type of the
// *errs.Error values of the service.
const (
	CodeBadArgument      = "BadArgument"
	CodeBadRequest       = "BadRequest"
	CodeNotFound         = "EntityNotFound"
	CodeConflict         = "Conflict"
	CodeInvalidToken     = "InvalidToken"
	CodeHeaderNotPresent = "HeaderNotPresent"
	CodePreconditionFail = "PreconditionFailed"
)

func badArg(format string, args ...any) *errs.Error {
	return errs.Invalid(format, args...).WithType(CodeBadArgument)
}

func badRequest(format string, args ...any) *errs.Error {
	return errs.Invalid(format, args...).WithType(CodeBadRequest)
}

func notFound(format string, args ...any) *errs.Error {
	return errs.NotFound(format, args...).WithType(CodeNotFound)
}

func conflict(format string, args ...any) *errs.Error {
	return errs.Conflict(format, args...).WithType(CodeConflict)
}
