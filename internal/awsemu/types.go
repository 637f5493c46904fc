// Package awsemu is saasplane's built-in AWS Marketplace emulator: the
// purchases an ISV creates to test its integration offline, the
// registration tokens that ResolveCustomer redeems, the temporary STS
// sessions that sign marketplace calls, and the usage records that
// BatchMeterUsage receives, with the rules AWS applies to them.
//
// Rules (see docs/aws-marketplace.md):
//   - A product code belongs to the SaaS that first created a purchase of
//     it; the wire API is scoped by product code, so one SaaS never sees
//     another's purchases. The product's dimensions are every dimension a
//     purchase of it has had.
//   - A registration token is valid for TokenTTL and can be resolved any
//     number of times until then (AWS allows re-resolving).
//   - An entitlement exists for every active purchase; its ExpirationDate
//     is one month after creation and renews monthly (auto-renew).
//   - A usage record is at most 24 hours old and at most 5 minutes in the
//     future; one Success record per customer, dimension and hour; the same
//     record again is Success with the same MeteringRecordId, a different
//     quantity for the same hour is DuplicateRecord (the first is kept).
//
// Changes to purchases come back as a Change, and the SNS notifications
// AWS would publish for them are written to an outbox in the same
// transaction (sns.go); a Deliverer posts them (deliver.go).
package awsemu

import (
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Durations and limits of the emulator.
const (
	TokenTTL           = time.Hour
	DefaultSessionTTL  = time.Hour
	MinSessionTTL      = 15 * time.Minute
	MaxSessionTTL      = 12 * time.Hour
	UsageMaxAge        = 24 * time.Hour
	UsageMaxFuture     = 5 * time.Minute
	MaxUsageRecords    = 25
	MaxEntitlements    = 25
	MaxQuantity        = 2147483647
	entitlementPeriodM = 1 // months
)

// PurchaseStatus is the state of a purchase.
type PurchaseStatus string

// The purchase states.
const (
	PurchaseActive    PurchaseStatus = "active"
	PurchaseCancelled PurchaseStatus = "cancelled"
	// PurchaseFailed is a subscription whose payment failed (an admin
	// knob): never entitled.
	PurchaseFailed PurchaseStatus = "failed"
)

// Purchase is one buyer's subscription to a product, as AWS Marketplace
// would hold it.
type Purchase struct {
	SaaSID               string
	CustomerIdentifier   string
	CustomerAWSAccountID string
	LicenseArn           string
	ProductCode          string
	Dimension            string
	Quantity             int64
	Status               PurchaseStatus
	CreatedAt            time.Time
	UpdatedAt            time.Time
	ExpiresAt            time.Time // the first ExpirationDate; renews monthly
}

// ExpirationAt returns the entitlement's ExpirationDate as seen at now:
// ExpiresAt, moved on by whole months until it is after now.
func (p Purchase) ExpirationAt(now time.Time) time.Time {
	exp := p.ExpiresAt
	for n := 1; !exp.After(now); n++ {
		exp = p.ExpiresAt.AddDate(0, n*entitlementPeriodM, 0)
	}
	return exp
}

// RegistrationToken is what AWS posts to the fulfillment URL as
// x-amzn-marketplace-token.
type RegistrationToken struct {
	Token              string
	SaaSID             string
	CustomerIdentifier string
	CreatedAt          time.Time
	ExpiresAt          time.Time
}

// Session is a set of temporary credentials issued by AssumeRole.
type Session struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	RoleArn         string
	RoleSessionName string
	ExternalID      string
	CreatedAt       time.Time
	ExpiresAt       time.Time
}

// AssumedRoleID is the AssumedRoleUser.AssumedRoleId of the session.
func (s Session) AssumedRoleID() string {
	return "AROA" + s.AccessKeyID[4:] + ":" + s.RoleSessionName
}

// AssumedRoleArn is the AssumedRoleUser.Arn of the session.
func (s Session) AssumedRoleArn() string {
	m := roleArnRE.FindStringSubmatch(s.RoleArn)
	if m == nil {
		return ""
	}
	name := m[2]
	if i := lastSlash(name); i >= 0 {
		name = name[i+1:]
	}
	return "arn:aws:sts::" + m[1] + ":assumed-role/" + name + "/" + s.RoleSessionName
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// UsageStatus is the outcome of one usage record.
type UsageStatus string

// The BatchMeterUsage result statuses.
const (
	UsageSuccess               UsageStatus = "Success"
	UsageCustomerNotSubscribed UsageStatus = "CustomerNotSubscribed"
	UsageDuplicateRecord       UsageStatus = "DuplicateRecord"
)

// UsageRecord is one record received by BatchMeterUsage, stored with its
// outcome.
type UsageRecord struct {
	MeteringRecordID     string
	SaaSID               string
	ProductCode          string
	CustomerIdentifier   string
	CustomerAWSAccountID string
	LicenseArn           string
	Dimension            string
	Hour                 time.Time // Timestamp truncated to the hour
	Timestamp            time.Time
	Quantity             int64
	Status               UsageStatus
	ReceivedAt           time.Time
}

// ChangeKind says what happened to a purchase.
type ChangeKind string

// The kinds of change.
const (
	ChangeCreated   ChangeKind = "created"
	ChangeUpdated   ChangeKind = "updated"
	ChangeCancelled ChangeKind = "cancelled"
)

// Change is what a write did to a purchase: the input of a future notifier
// (entitlement-updated, unsubscribe-success).
type Change struct {
	Kind     ChangeKind
	Purchase Purchase  // after the change
	Previous *Purchase // before it; nil for ChangeCreated
}

// The AWS error types the emulator answers with. They are the Type of the
// *errs.Error values the service returns.
const (
	ErrTypeInvalidToken          = "InvalidTokenException"
	ErrTypeExpiredToken          = "ExpiredTokenException"
	ErrTypeInvalidParameter      = "InvalidParameterException"
	ErrTypeValidation            = "ValidationException"
	ErrTypeInvalidProductCode    = "InvalidProductCodeException"
	ErrTypeInvalidUsageDimension = "InvalidUsageDimensionException"
	ErrTypeInvalidCustomerID     = "InvalidCustomerIdentifierException"
	ErrTypeInvalidAllocations    = "InvalidUsageAllocationsException"
	ErrTypeTimestampOutOfBounds  = "TimestampOutOfBoundsException"
	ErrTypeThrottling            = "ThrottlingException"
	ErrTypeInternalServiceError  = "InternalServiceErrorException"
)

func awsErr(typ, format string, args ...any) *errs.Error {
	return errs.Invalid(format, args...).WithType(typ)
}
