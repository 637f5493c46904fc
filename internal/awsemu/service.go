package awsemu

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/saasplane/saasplane/internal/idgen"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Service is the emulator. Admin methods take the id of the SaaS the
// caller authenticated as; wire methods are scoped by product code or
// registration token, whose owner is one SaaS.
type Service struct {
	store    Store
	now      func() time.Time
	ids      *idgen.Source
	log      *slog.Logger
	identity identityCache
}

// NewService builds a Service. now is the clock of every rule (token and
// session expiry, the usage time window, entitlement renewal).
// ids is where its random ids, tokens, secrets and keys come from
// (idgen.Crypto in production).
func NewService(store Store, now func() time.Time, ids *idgen.Source, log *slog.Logger) *Service {
	return &Service{store: store, now: now, ids: ids, log: log}
}

// RequestID returns a fresh id for a response's request-id header: a
// random UUID from the service's source.
func (s *Service) RequestID() string { return s.ids.UUID() }

// Now is the service's clock, in UTC.
func (s *Service) Now() time.Time { return s.now().UTC() }

var (
	productCodeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	dimensionRE   = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)
	// roleArnRE captures the account and the role name with its path.
	roleArnRE      = regexp.MustCompile(`^arn:aws:iam::([0-9]{12}):role/((?:[\x21-\x7e]*/)?[A-Za-z0-9+=,.@_-]{1,64})$`)
	sessionNameRE  = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{2,64}$`)
	externalIDRE   = regexp.MustCompile(`^[A-Za-z0-9+=,.@:/_-]+$`) // 2 to 1224 long
	errNoSuchBuyer = "purchase %q not found"
)

// PurchaseInput is the body of a new purchase.
type PurchaseInput struct {
	ProductCode string
	Dimension   string
	Quantity    int64
	// Fail simulates a failed subscription (payment declined): the
	// purchase is created as failed, with no entitlement, and
	// subscribe-fail is published instead of subscribe-success.
	Fail bool
}

// Validate reports every invalid field.
func (in PurchaseInput) Validate() error {
	var fe errs.FieldErrors
	if !productCodeRE.MatchString(in.ProductCode) {
		fe.Add("product_code", "must be 1 to 64 letters, digits, '_' or '-'")
	}
	if !dimensionRE.MatchString(in.Dimension) {
		fe.Add("dimension", "must be 1 to 100 letters, digits, '_', '.' or '-'")
	}
	if in.Quantity < 1 || in.Quantity > MaxQuantity {
		fe.Add("quantity", "must be an integer from 1 to %d", MaxQuantity)
	}
	return fe.Err()
}

// PurchaseUpdate changes a purchase; nil fields stay as they are.
type PurchaseUpdate struct {
	Dimension *string
	Quantity  *int64
}

// Validate reports every invalid field.
func (u PurchaseUpdate) Validate() error {
	var fe errs.FieldErrors
	if u.Dimension == nil && u.Quantity == nil {
		return errs.Invalid("nothing to change: send dimension and/or quantity")
	}
	if u.Dimension != nil && !dimensionRE.MatchString(*u.Dimension) {
		fe.Add("dimension", "must be 1 to 100 letters, digits, '_', '.' or '-'")
	}
	if u.Quantity != nil && (*u.Quantity < 1 || *u.Quantity > MaxQuantity) {
		fe.Add("quantity", "must be an integer from 1 to %d", MaxQuantity)
	}
	return fe.Err()
}

// CreatePurchase records a new active purchase and issues its first
// registration token. The product code becomes the SaaS's if no SaaS owns
// it yet; a product code of another SaaS is a conflict.
func (s *Service) CreatePurchase(ctx context.Context, saasID string, in PurchaseInput) (RegistrationToken, Change, error) {
	if err := in.Validate(); err != nil {
		return RegistrationToken{}, Change{}, err
	}
	now := s.Now()
	p := Purchase{
		SaaSID: saasID, CustomerIdentifier: s.newCustomerIdentifier(), CustomerAWSAccountID: s.newAccountID(),
		LicenseArn: s.newLicenseArn(), ProductCode: in.ProductCode, Dimension: in.Dimension, Quantity: in.Quantity,
		Status: PurchaseActive, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.AddDate(0, entitlementPeriodM, 0),
	}
	if in.Fail {
		p.Status = PurchaseFailed
	}
	c := Change{Kind: ChangeCreated, Purchase: p}
	tok := RegistrationToken{Token: s.newRegistrationToken(), SaaSID: saasID, CustomerIdentifier: p.CustomerIdentifier,
		CreatedAt: now, ExpiresAt: now.Add(TokenTTL)}
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		if err := s.claimProduct(ctx, tx, saasID, p.ProductCode); err != nil {
			return err
		}
		if err := tx.AddDimension(ctx, p.ProductCode, p.Dimension); err != nil {
			return err
		}
		if err := tx.InsertPurchase(ctx, p); err != nil {
			return err
		}
		if err := tx.InsertToken(ctx, tok); err != nil {
			return err
		}
		return s.publish(ctx, tx, c)
	})
	if err != nil {
		return RegistrationToken{}, Change{}, err
	}
	return tok, c, nil
}

// claimProduct makes productCode saasID's, or fails when another SaaS has it.
func (s *Service) claimProduct(ctx context.Context, tx Tx, saasID, productCode string) error {
	owner, err := tx.ProductOwner(ctx, productCode)
	switch {
	case errors.Is(err, errs.ErrNotExist):
		return tx.InsertProduct(ctx, saasID, productCode)
	case err != nil:
		return err
	case owner != saasID:
		return errs.Conflict("product code %q belongs to another SaaS of this saasplane; choose another", productCode).
			WithType("product_code_taken")
	}
	return nil
}

// AddDimensions declares dimensions of a product, as its AWS listing does:
// the usage dimensions BatchMeterUsage accepts beside the contract
// dimensions of its purchases. The product becomes the SaaS's if no SaaS
// owns it yet.
func (s *Service) AddDimensions(ctx context.Context, saasID, productCode string, dimensions []string) error {
	var fe errs.FieldErrors
	if !productCodeRE.MatchString(productCode) {
		fe.Add("product_code", "must be 1 to 64 letters, digits, '-' or '_'")
	}
	if len(dimensions) == 0 {
		fe.Add("dimensions", "must list at least one dimension")
	}
	for i, d := range dimensions {
		if !dimensionRE.MatchString(d) {
			fe.Add(fmt.Sprintf("dimensions[%d]", i), "must be 1 to 100 letters, digits, '_', '-' or '.'")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		if err := s.claimProduct(ctx, tx, saasID, productCode); err != nil {
			return err
		}
		for _, d := range dimensions {
			if err := tx.AddDimension(ctx, productCode, d); err != nil {
				return err
			}
		}
		return nil
	})
}

// ListPurchases returns the SaaS's purchases, ordered by customer identifier.
func (s *Service) ListPurchases(ctx context.Context, saasID string) (ps []Purchase, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		ps, err = tx.Purchases(ctx, PurchaseQuery{SaaSID: saasID})
		return err
	})
	return ps, err
}

// purchase reads one of the SaaS's purchases.
func purchase(ctx context.Context, tx Tx, saasID, customerID string) (Purchase, error) {
	ps, err := tx.Purchases(ctx, PurchaseQuery{SaaSID: saasID, CustomerIdentifiers: []string{customerID}})
	if err != nil {
		return Purchase{}, err
	}
	if len(ps) == 0 {
		return Purchase{}, errs.NotFound(errNoSuchBuyer, customerID)
	}
	return ps[0], nil
}

// UpdatePurchase changes an active purchase's dimension and/or quantity
// (an upgrade or downgrade).
func (s *Service) UpdatePurchase(ctx context.Context, saasID, customerID string, u PurchaseUpdate) (Change, error) {
	if err := u.Validate(); err != nil {
		return Change{}, err
	}
	var c Change
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		p, err := purchase(ctx, tx, saasID, customerID)
		if err != nil {
			return err
		}
		if p.Status != PurchaseActive {
			return errs.Conflict("purchase %q is %s and cannot change", customerID, p.Status)
		}
		prev := p
		if u.Dimension != nil {
			p.Dimension = *u.Dimension
			if err := tx.AddDimension(ctx, p.ProductCode, p.Dimension); err != nil {
				return err
			}
		}
		if u.Quantity != nil {
			p.Quantity = *u.Quantity
		}
		p.UpdatedAt = s.Now()
		c = Change{Kind: ChangeUpdated, Purchase: p, Previous: &prev}
		if err := tx.UpdatePurchase(ctx, p); err != nil {
			return err
		}
		return s.publish(ctx, tx, c)
	})
	return c, err
}

// CancelPurchase ends an active purchase: its entitlement disappears and
// its usage records become CustomerNotSubscribed.
func (s *Service) CancelPurchase(ctx context.Context, saasID, customerID string) (Change, error) {
	var c Change
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		p, err := purchase(ctx, tx, saasID, customerID)
		if err != nil {
			return err
		}
		if p.Status != PurchaseActive {
			return errs.Conflict("purchase %q is already %s", customerID, p.Status)
		}
		prev := p
		p.Status, p.UpdatedAt = PurchaseCancelled, s.Now()
		c = Change{Kind: ChangeCancelled, Purchase: p, Previous: &prev}
		if err := tx.UpdatePurchase(ctx, p); err != nil {
			return err
		}
		return s.publish(ctx, tx, c)
	})
	return c, err
}

// NewToken issues a fresh registration token for an active purchase (the
// buyer clicked "Set up your account" again). Earlier tokens stay valid
// until they expire.
func (s *Service) NewToken(ctx context.Context, saasID, customerID string) (RegistrationToken, error) {
	now := s.Now()
	tok := RegistrationToken{Token: s.newRegistrationToken(), SaaSID: saasID, CustomerIdentifier: customerID,
		CreatedAt: now, ExpiresAt: now.Add(TokenTTL)}
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		p, err := purchase(ctx, tx, saasID, customerID)
		if err != nil {
			return err
		}
		if p.Status != PurchaseActive {
			return errs.Conflict("purchase %q is %s: no registration token", customerID, p.Status)
		}
		return tx.InsertToken(ctx, tok)
	})
	return tok, err
}

// ListUsage returns the usage records received for the SaaS's products,
// newest first, at most limit (1..1000, default 100).
func (s *Service) ListUsage(ctx context.Context, saasID string, limit int) (rs []UsageRecord, err error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		rs, err = tx.Usage(ctx, saasID, limit)
		return err
	})
	return rs, err
}

// ---- STS ----

// AssumeRoleInput are the AssumeRole parameters the emulator checks.
type AssumeRoleInput struct {
	RoleArn         string
	RoleSessionName string
	ExternalID      string
	DurationSeconds int // 0: DefaultSessionTTL
}

// Validate reports the first invalid parameter, in STS's words.
func (in AssumeRoleInput) Validate() error {
	switch {
	case !roleArnRE.MatchString(in.RoleArn):
		return awsErr(ErrTypeValidation, "RoleArn %q is not a role ARN of the form arn:aws:iam::<12 digits>:role/<name>", in.RoleArn)
	case !sessionNameRE.MatchString(in.RoleSessionName):
		return awsErr(ErrTypeValidation, "RoleSessionName must be 2 to 64 characters of [\\w+=,.@-]")
	case in.ExternalID == "":
		return awsErr(ErrTypeValidation, "ExternalId is required by the emulated role's trust policy")
	case len(in.ExternalID) < 2 || len(in.ExternalID) > 1224 || !externalIDRE.MatchString(in.ExternalID):
		return awsErr(ErrTypeValidation, "ExternalId must be 2 to 1224 characters of [\\w+=,.@:/-]")
	case in.DurationSeconds != 0 && (in.DurationSeconds < int(MinSessionTTL/time.Second) || in.DurationSeconds > int(MaxSessionTTL/time.Second)):
		return awsErr(ErrTypeValidation, "DurationSeconds must be from %d to %d", int(MinSessionTTL/time.Second), int(MaxSessionTTL/time.Second))
	}
	return nil
}

// AssumeRole issues and stores temporary credentials.
func (s *Service) AssumeRole(ctx context.Context, in AssumeRoleInput) (Session, error) {
	if err := in.Validate(); err != nil {
		return Session{}, err
	}
	ttl := DefaultSessionTTL
	if in.DurationSeconds != 0 {
		ttl = time.Duration(in.DurationSeconds) * time.Second
	}
	now := s.Now()
	ses := Session{AccessKeyID: s.newAccessKeyID(), SecretAccessKey: s.newSecretAccessKey(), SessionToken: s.newSessionToken(),
		RoleArn: in.RoleArn, RoleSessionName: in.RoleSessionName, ExternalID: in.ExternalID,
		CreatedAt: now, ExpiresAt: now.Add(ttl).Truncate(time.Second)}
	err := s.store.WriteTx(ctx, func(tx Tx) error { return tx.InsertSession(ctx, ses) })
	return ses, err
}

// Session errors, for the signature check.
var (
	ErrUnknownAccessKey = errors.New("unknown access key id")
	ErrSessionExpired   = errors.New("session expired")
)

// Session returns the temporary credentials of an access key id, or
// ErrUnknownAccessKey, or the session with ErrSessionExpired.
func (s *Service) Session(ctx context.Context, accessKeyID string) (ses Session, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		ses, err = tx.Session(ctx, accessKeyID)
		return err
	})
	if errors.Is(err, errs.ErrNotExist) {
		return Session{}, ErrUnknownAccessKey
	}
	if err == nil && !s.Now().Before(ses.ExpiresAt) {
		return ses, ErrSessionExpired
	}
	return ses, err
}

// ---- ResolveCustomer ----

// ResolveCustomer redeems a registration token: the purchase it was issued
// for. A token can be resolved again until it expires.
func (s *Service) ResolveCustomer(ctx context.Context, token string) (p Purchase, err error) {
	if token == "" {
		return Purchase{}, awsErr(ErrTypeInvalidToken, "RegistrationToken is required")
	}
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		t, err := tx.Token(ctx, token)
		if errors.Is(err, errs.ErrNotExist) {
			return awsErr(ErrTypeInvalidToken, "registration token is invalid")
		}
		if err != nil {
			return err
		}
		if !s.Now().Before(t.ExpiresAt) {
			return awsErr(ErrTypeExpiredToken, "registration token expired at %s", t.ExpiresAt.Format(time.RFC3339))
		}
		p, err = purchase(ctx, tx, t.SaaSID, t.CustomerIdentifier)
		return err
	})
	return p, err
}

// ---- GetEntitlements ----

// The GetEntitlements filter names.
const (
	FilterCustomerIdentifier = "CUSTOMER_IDENTIFIER"
	FilterCustomerAccountID  = "CUSTOMER_AWS_ACCOUNT_ID"
	FilterDimension          = "DIMENSION"
	FilterLicenseArn         = "LICENSE_ARN"
)

// EntitlementsInput is a GetEntitlements request.
type EntitlementsInput struct {
	ProductCode string
	Filter      map[string][]string
	NextToken   string
	MaxResults  *int
}

// Entitlement is one entitlement: an active purchase with its current
// expiration.
type Entitlement struct {
	Purchase
	ExpirationDate time.Time
}

// EntitlementsPage is a GetEntitlements answer; NextToken is "" on the last
// page.
type EntitlementsPage struct {
	Entitlements []Entitlement
	NextToken    string
}

func (in EntitlementsInput) query() (PurchaseQuery, error) {
	q := PurchaseQuery{ProductCode: in.ProductCode, Status: PurchaseActive, Limit: MaxEntitlements}
	if in.ProductCode == "" {
		return q, awsErr(ErrTypeInvalidParameter, "ProductCode is required")
	}
	for k, vs := range in.Filter {
		if len(vs) == 0 {
			return q, awsErr(ErrTypeInvalidParameter, "filter %s needs at least one value", k)
		}
		switch k {
		case FilterCustomerIdentifier:
			q.CustomerIdentifiers = vs
		case FilterCustomerAccountID:
			q.AccountIDs = vs
		case FilterDimension:
			q.Dimensions = vs
		case FilterLicenseArn:
			q.LicenseArns = vs
		default:
			return q, awsErr(ErrTypeInvalidParameter, "unknown filter %q: use CUSTOMER_IDENTIFIER, CUSTOMER_AWS_ACCOUNT_ID, DIMENSION or LICENSE_ARN", k)
		}
	}
	if q.CustomerIdentifiers != nil && q.AccountIDs != nil {
		return q, awsErr(ErrTypeInvalidParameter, "filters CUSTOMER_IDENTIFIER and CUSTOMER_AWS_ACCOUNT_ID cannot be combined")
	}
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > MaxEntitlements {
			return q, awsErr(ErrTypeInvalidParameter, "MaxResults must be from 1 to %d", MaxEntitlements)
		}
		q.Limit = *in.MaxResults
	}
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		after, ok := strings.CutPrefix(string(b), "after:")
		if err != nil || !ok || after == "" {
			return q, awsErr(ErrTypeInvalidParameter, "NextToken is invalid")
		}
		q.After = after
	}
	return q, nil
}

// GetEntitlements lists the entitlements of a product: one per active
// purchase, ordered by customer identifier. An unknown product has none.
func (s *Service) GetEntitlements(ctx context.Context, in EntitlementsInput) (EntitlementsPage, error) {
	q, err := in.query()
	if err != nil {
		return EntitlementsPage{}, err
	}
	limit := q.Limit
	q.Limit++ // one more tells whether a next page exists
	var ps []Purchase
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		ps, err = tx.Purchases(ctx, q)
		return err
	})
	if err != nil {
		return EntitlementsPage{}, err
	}
	page := EntitlementsPage{Entitlements: make([]Entitlement, 0, len(ps))}
	if len(ps) > limit {
		ps = ps[:limit]
		page.NextToken = base64.RawURLEncoding.EncodeToString([]byte("after:" + ps[limit-1].CustomerIdentifier))
	}
	now := s.Now()
	for _, p := range ps {
		page.Entitlements = append(page.Entitlements, Entitlement{Purchase: p, ExpirationDate: p.ExpirationAt(now)})
	}
	return page, nil
}

// ---- BatchMeterUsage ----

// UsageInput is one record of a BatchMeterUsage request. Quantity nil is 0.
type UsageInput struct {
	Timestamp            time.Time
	CustomerIdentifier   string
	CustomerAWSAccountID string
	LicenseArn           string
	Dimension            string
	Quantity             *int64
	// Allocations are the AllocatedUsageQuantity values of
	// UsageAllocations; when present they must add up to Quantity.
	Allocations []int64
}

// UsageResult is the outcome of one record, in request order.
type UsageResult struct {
	Status           UsageStatus
	MeteringRecordID string // "" for CustomerNotSubscribed
}

func (s *Service) validateBatch(productCode string, records []UsageInput) error {
	if productCode == "" {
		return awsErr(ErrTypeValidation, "ProductCode is required")
	}
	if len(records) > MaxUsageRecords {
		return awsErr(ErrTypeValidation, "1 validation error detected: Value at 'usageRecords' failed to satisfy constraint: Member must have length less than or equal to %d", MaxUsageRecords)
	}
	now := s.Now()
	for i, r := range records {
		switch {
		case r.Dimension == "":
			return awsErr(ErrTypeValidation, "UsageRecords[%d].Dimension is required", i)
		case r.Timestamp.IsZero():
			return awsErr(ErrTypeValidation, "UsageRecords[%d].Timestamp is required", i)
		case r.Quantity != nil && (*r.Quantity < 0 || *r.Quantity > MaxQuantity):
			return awsErr(ErrTypeValidation, "UsageRecords[%d].Quantity must be from 0 to %d", i, MaxQuantity)
		case r.CustomerIdentifier == "" && r.CustomerAWSAccountID == "":
			return awsErr(ErrTypeInvalidCustomerID, "UsageRecords[%d] needs CustomerIdentifier or CustomerAWSAccountId", i)
		}
		if r.Allocations != nil {
			var sum int64
			for _, a := range r.Allocations {
				sum += a
			}
			if sum != quantity(r) {
				return awsErr(ErrTypeInvalidAllocations, "UsageRecords[%d]: UsageAllocations add up to %d, not Quantity %d", i, sum, quantity(r))
			}
		}
	}
	for i, r := range records {
		if r.Timestamp.Before(now.Add(-UsageMaxAge)) || r.Timestamp.After(now.Add(UsageMaxFuture)) {
			return awsErr(ErrTypeTimestampOutOfBounds, "UsageRecords[%d].Timestamp %s is more than 24 hours old or in the future", i, r.Timestamp.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

func quantity(r UsageInput) int64 {
	if r.Quantity == nil {
		return 0
	}
	return *r.Quantity
}

// BatchMeterUsage records usage for one product. Request-level problems
// (see validateBatch, an unknown product, a dimension the product does not
// have) reject the whole batch; otherwise every record gets a status.
func (s *Service) BatchMeterUsage(ctx context.Context, productCode string, records []UsageInput) ([]UsageResult, error) {
	if err := s.validateBatch(productCode, records); err != nil {
		return nil, err
	}
	now := s.Now()
	var results []UsageResult
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		results = make([]UsageResult, 0, len(records))
		owner, err := tx.ProductOwner(ctx, productCode)
		if errors.Is(err, errs.ErrNotExist) {
			return awsErr(ErrTypeInvalidProductCode, "product code %q is unknown to the emulator: create a purchase of it first", productCode)
		}
		if err != nil {
			return err
		}
		for i, r := range records {
			ok, err := tx.HasDimension(ctx, productCode, r.Dimension)
			if err != nil {
				return err
			}
			if !ok {
				return awsErr(ErrTypeInvalidUsageDimension, "UsageRecords[%d].Dimension %q is not a dimension of product %q", i, r.Dimension, productCode)
			}
		}
		for _, r := range records {
			res, err := s.meter(ctx, tx, owner, productCode, r, now)
			if err != nil {
				return err
			}
			results = append(results, res)
		}
		return nil
	})
	return results, err
}

// meter applies one record.
// FinalMeteringWindow is how long after a cancellation AWS still accepts
// the buyer's final usage (from before the cancellation).
const FinalMeteringWindow = time.Hour

// meterable reports whether usage at ts of the purchase's buyer is
// accepted at now: an active purchase, or a cancelled one within the final
// metering window for usage before its cancellation.
func meterable(p Purchase, ts, now time.Time) bool {
	switch p.Status {
	case PurchaseActive:
		return true
	case PurchaseCancelled:
		return now.Before(p.UpdatedAt.Add(FinalMeteringWindow)) && !ts.After(p.UpdatedAt)
	}
	return false
}

func (s *Service) meter(ctx context.Context, tx Tx, saasID, productCode string, r UsageInput, now time.Time) (UsageResult, error) {
	rec := UsageRecord{
		MeteringRecordID: s.newMeteringRecordID(), SaaSID: saasID, ProductCode: productCode,
		CustomerIdentifier: r.CustomerIdentifier, CustomerAWSAccountID: r.CustomerAWSAccountID, LicenseArn: r.LicenseArn,
		Dimension: r.Dimension, Timestamp: r.Timestamp.UTC(), Hour: r.Timestamp.UTC().Truncate(time.Hour),
		Quantity: quantity(r), ReceivedAt: now,
	}
	q := PurchaseQuery{ProductCode: productCode}
	if r.CustomerIdentifier != "" {
		q.CustomerIdentifiers = []string{r.CustomerIdentifier}
	} else {
		q.AccountIDs = []string{r.CustomerAWSAccountID}
	}
	ps, err := tx.Purchases(ctx, q)
	if err != nil {
		return UsageResult{}, err
	}
	subscribed := len(ps) == 1 && meterable(ps[0], r.Timestamp, now) &&
		(r.CustomerAWSAccountID == "" || r.CustomerAWSAccountID == ps[0].CustomerAWSAccountID) &&
		(r.LicenseArn == "" || r.LicenseArn == ps[0].LicenseArn)
	if !subscribed {
		rec.Status = UsageCustomerNotSubscribed
		if err := tx.InsertUsage(ctx, rec); err != nil {
			return UsageResult{}, fmt.Errorf("record usage: %w", err)
		}
		return UsageResult{Status: UsageCustomerNotSubscribed}, nil
	}
	p := ps[0]
	rec.CustomerIdentifier, rec.CustomerAWSAccountID, rec.LicenseArn = p.CustomerIdentifier, p.CustomerAWSAccountID, p.LicenseArn
	kept, err := tx.AcceptedUsage(ctx, p.CustomerIdentifier, r.Dimension, rec.Hour)
	switch {
	case errors.Is(err, errs.ErrNotExist):
		rec.Status = UsageSuccess
		if err := tx.InsertUsage(ctx, rec); err != nil {
			return UsageResult{}, fmt.Errorf("record usage: %w", err)
		}
		return UsageResult{Status: UsageSuccess, MeteringRecordID: rec.MeteringRecordID}, nil
	case err != nil:
		return UsageResult{}, err
	case kept.Quantity == rec.Quantity:
		// The same record again: idempotent, nothing new is stored.
		return UsageResult{Status: UsageSuccess, MeteringRecordID: kept.MeteringRecordID}, nil
	}
	rec.Status = UsageDuplicateRecord
	if err := tx.InsertUsage(ctx, rec); err != nil {
		return UsageResult{}, fmt.Errorf("record usage: %w", err)
	}
	return UsageResult{Status: UsageDuplicateRecord, MeteringRecordID: kept.MeteringRecordID}, nil
}
