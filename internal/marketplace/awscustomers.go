package marketplace

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/tenant"
)

// RegistrationTokenTTL is how long a registration token can be used after
// the fulfillment URL issued it: long enough for a buyer to sign up,
// confirm an e-mail address and pick a tenant.
const RegistrationTokenTTL = 24 * time.Hour

// AWSRole is the seller's IAM role saasplane assumes to call AWS.
type AWSRole struct {
	ARN        string
	ExternalID string
}

// Buyer identifies an AWS Marketplace customer. Both pairs are kept:
// CustomerIdentifier with ProductCode (products before June 2026) and
// CustomerAWSAccountID with LicenseArn (after).
type Buyer struct {
	CustomerIdentifier   string
	CustomerAWSAccountID string
	ProductCode          string
	LicenseArn           string
}

// Entitlement is one dimension (an AWS plan name) a buyer's contract
// entitles them to.
type Entitlement struct {
	Dimension string
	Quantity  int64
	Expires   time.Time // zero: no end known
}

// AWS is what the AWS Marketplace flow needs from AWS; internal/marketplace/awsmp
// implements it over the real services or saasplane's emulator. Errors
// the caller should see are *errs.Error (an invalid or expired token is
// KindInvalid; AWS unreachable or refusing the role is KindUnavailable).
type AWS interface {
	ResolveCustomer(ctx context.Context, role AWSRole, token string) (Buyer, error)
	Entitlements(ctx context.Context, role AWSRole, b Buyer) ([]Entitlement, error)
}

// Tenants is what the flow needs of the tenant service.
type Tenants interface {
	Get(ctx context.Context, saasID, id string) (tenant.Detail, error)
	ChangePlan(ctx context.Context, saasID, id string, c tenant.PlanChange) error
	EndPlan(ctx context.Context, saasID, id string) error
	// Create adds a tenant (the Azure activation that names no tenant).
	Create(ctx context.Context, saasID string, in tenant.TenantInput) (tenant.Tenant, error)
}

// CustomerStatus is where a buyer's subscription stands.
type CustomerStatus string

const (
	// CustomerPending: linked, but AWS showed no entitlement yet.
	CustomerPending CustomerStatus = "pending"
	// CustomerSubscribed: AWS shows an entitlement (or said subscribe-success).
	CustomerSubscribed CustomerStatus = "subscribed"
	// CustomerUnsubscribePending: the buyer is leaving; final usage may still be sent.
	CustomerUnsubscribePending CustomerStatus = "unsubscribe_pending"
	// CustomerUnsubscribed: the contract ended; the tenant has no plan from AWS.
	CustomerUnsubscribed CustomerStatus = "unsubscribed"
	// CustomerSubscribeFailed: AWS said the subscription failed.
	CustomerSubscribeFailed CustomerStatus = "subscribe_failed"
)

// AWSCustomer is a buyer linked to a tenant.
type AWSCustomer struct {
	Buyer
	TenantID string
	Status   CustomerStatus
	// Dimension is the entitled dimension the last sync found ("" when
	// none); EntitlementExpires its end (zero when unknown).
	Dimension          string
	EntitlementExpires time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// RegistrationToken is an issued token, stored by its hash.
type RegistrationToken struct {
	Buyer
	ExpiresAt time.Time
	Used      bool
}

// role returns the role and external id saasplane assumes: the external
// id of the settings when set, else the one the launch link carried.
func (st AWSSettings) role() AWSRole {
	ext := st.RoleExternalID
	if ext == "" {
		ext = st.ExternalID
	}
	return AWSRole{ARN: st.RoleARN, ExternalID: ext}
}

// awsReady returns the settings when the SaaS can call AWS.
func (s *Service) awsReady(ctx context.Context, saasID string) (AWSSettings, error) {
	st, err := s.settings(ctx, saasID)
	if err != nil {
		return st, err
	}
	if s.aws == nil {
		return st, errs.E(errs.KindUnavailable, "this server has no AWS client configured")
	}
	if st.RoleARN == "" {
		return st, errs.Conflict("the AWS Marketplace settings have no role_arn: PUT /v1/awsmarketplace/settings first").WithType("aws_settings_incomplete")
	}
	return st, nil
}

// tokenHash is how a registration token is stored: a leaked database does
// not leak usable tokens.
func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// invalidToken is the one answer for a token that cannot be used, whatever
// the reason (unknown, expired, used), so tokens cannot be probed.
func invalidToken() error {
	return errs.Invalid("registration_token is invalid, expired or already used").WithType("invalid_registration_token")
}

// Fulfill handles the buyer's arrival at the fulfillment URL: it resolves
// AWS's marketplace token to the buyer, issues a registration token and
// returns where to send the browser: the SaaS's sign-up URL (or
// saasplane's own sign-up page, under publicURL) with the token added as
// the registration_token query parameter.
func (s *Service) Fulfill(ctx context.Context, saasID, marketplaceToken, publicURL string) (string, error) {
	if marketplaceToken == "" {
		var fe errs.FieldErrors
		fe.Add("x-amzn-marketplace-token", "is required (AWS Marketplace posts it as a form field)")
		return "", fe.Err()
	}
	st, err := s.awsReady(ctx, saasID)
	if err != nil {
		return "", err
	}
	b, err := s.aws.ResolveCustomer(ctx, st.role(), marketplaceToken)
	if err != nil {
		return "", err
	}
	if st.ProductCode != "" && b.ProductCode != "" && b.ProductCode != st.ProductCode {
		return "", errs.Invalid("the marketplace token is for product %q, not this SaaS's product %q", b.ProductCode, st.ProductCode).WithType("wrong_product")
	}
	token := newToken()
	now := s.now()
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		return tx.PutRegistrationToken(ctx, saasID, tokenHash(token), RegistrationToken{Buyer: b, ExpiresAt: now.Add(RegistrationTokenTTL)}, now)
	})
	if err != nil {
		return "", err
	}
	return signUpRedirect(st.SignUpURL, publicURL, saasID, token), nil
}

// SignUpPageURL is saasplane's own sign-up page of a SaaS, used until the
// SaaS sets sign_up_url.
func SignUpPageURL(publicURL, saasID string) string {
	return strings.TrimRight(publicURL, "/") + "/awsmarketplace/sign-up/" + url.PathEscape(saasID)
}

func signUpRedirect(signUpURL, publicURL, saasID, token string) string {
	if signUpURL == "" {
		signUpURL = SignUpPageURL(publicURL, saasID)
	}
	u, err := url.Parse(signUpURL)
	if err != nil { // validated when set; fall back rather than fail the buyer
		u, _ = url.Parse(SignUpPageURL(publicURL, saasID))
	}
	q := u.Query()
	q.Set("registration_token", token)
	u.RawQuery = q.Encode()
	return u.String()
}

// registrationToken returns a usable token's record, or invalidToken.
func (s *Service) registrationToken(ctx context.Context, tx Tx, saasID, token string) (RegistrationToken, error) {
	if token == "" {
		return RegistrationToken{}, invalidToken()
	}
	rt, err := tx.RegistrationToken(ctx, saasID, tokenHash(token))
	if errors.Is(err, errs.ErrNotExist) || (err == nil && (rt.Used || !s.now().Before(rt.ExpiresAt))) {
		return RegistrationToken{}, invalidToken()
	}
	return rt, err
}

// VerifyRegistrationToken succeeds when token can still be used to link a
// buyer (POST /registration-token/verify); it does not use it.
func (s *Service) VerifyRegistrationToken(ctx context.Context, saasID, token string) error {
	return s.store.ReadTx(ctx, func(tx Tx) error {
		_, err := s.registrationToken(ctx, tx, saasID, token)
		return err
	})
}

// CreateCustomer links the buyer of a registration token to a tenant and
// gives the tenant the plan linked to the buyer's entitled dimension. The
// token is used up. Linking a buyer already linked to the same tenant
// again is allowed (a second purchase flow of the same buyer); to another
// tenant, it is a conflict.
func (s *Service) CreateCustomer(ctx context.Context, saasID, tenantID, token string) (AWSCustomer, error) {
	var fe errs.FieldErrors
	if tenantID == "" {
		fe.Add("tenant_id", "is required")
	}
	if token == "" {
		fe.Add("registration_token", "is required")
	}
	if err := fe.Err(); err != nil {
		return AWSCustomer{}, err
	}
	var rt RegistrationToken
	if err := s.store.ReadTx(ctx, func(tx Tx) (err error) {
		rt, err = s.registrationToken(ctx, tx, saasID, token)
		return err
	}); err != nil {
		return AWSCustomer{}, err
	}
	if _, err := s.tenants.Get(ctx, saasID, tenantID); err != nil {
		if errs.KindOf(err) == errs.KindNotFound {
			fe.Add("tenant_id", "no tenant with id %q", tenantID)
			return AWSCustomer{}, fe.Err()
		}
		return AWSCustomer{}, err
	}
	st, err := s.awsReady(ctx, saasID)
	if err != nil {
		return AWSCustomer{}, err
	}
	// Ask AWS before using the token: if AWS is down, the SaaS can retry.
	ents, err := s.aws.Entitlements(ctx, st.role(), rt.Buyer)
	if err != nil {
		return AWSCustomer{}, err
	}
	now := s.now()
	var c AWSCustomer
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		if _, err := s.registrationToken(ctx, tx, saasID, token); err != nil {
			return err // used by a concurrent request meanwhile
		}
		old, err := tx.AWSCustomer(ctx, saasID, rt.CustomerIdentifier)
		switch {
		case errors.Is(err, errs.ErrNotExist):
			c = AWSCustomer{Buyer: rt.Buyer, TenantID: tenantID, CreatedAt: now}
		case err != nil:
			return err
		case old.TenantID != tenantID:
			return errs.Conflict("AWS customer %q is already linked to tenant %q", rt.CustomerIdentifier, old.TenantID).WithType("customer_already_linked")
		default:
			c = old
			c.Buyer = rt.Buyer
		}
		if err := tx.UseRegistrationToken(ctx, saasID, tokenHash(token), now); errors.Is(err, errs.ErrNotExist) {
			return invalidToken()
		} else if err != nil {
			return err
		}
		c.entitled(ents, now)
		c.UpdatedAt = now
		return tx.PutAWSCustomer(ctx, saasID, c)
	})
	if err != nil {
		return AWSCustomer{}, err
	}
	return c, s.applyPlan(ctx, saasID, c)
}

// entitled sets the customer's dimension, expiry and status from what AWS
// returned: the active entitlement with the latest expiry, or none.
func (c *AWSCustomer) entitled(ents []Entitlement, now time.Time) {
	var best *Entitlement
	for i := range ents {
		e := &ents[i]
		if !e.Expires.IsZero() && !e.Expires.After(now) {
			continue // ended
		}
		if best == nil || e.Expires.IsZero() || (!best.Expires.IsZero() && e.Expires.After(best.Expires)) ||
			(e.Expires.Equal(best.Expires) && e.Dimension < best.Dimension) {
			best = e
		}
	}
	if best == nil {
		c.Dimension, c.EntitlementExpires = "", time.Time{}
		switch c.Status {
		case "", CustomerPending:
			c.Status = CustomerPending
		case CustomerSubscribeFailed:
		default:
			c.Status = CustomerUnsubscribed
		}
		return
	}
	c.Dimension, c.EntitlementExpires = best.Dimension, best.Expires
	if c.Status != CustomerUnsubscribePending {
		c.Status = CustomerSubscribed
	}
}

// applyPlan makes the tenant's plan follow the customer: the plan linked
// to its dimension while entitled; no plan once unsubscribed. A dimension
// with no linked plan, or a pending customer, leaves the plan alone.
func (s *Service) applyPlan(ctx context.Context, saasID string, c AWSCustomer) error {
	var planID string
	switch {
	case c.Status == CustomerUnsubscribed:
		planID = ""
	case c.Dimension == "":
		return nil
	default:
		id, err := s.PlanFor(ctx, saasID, c.Dimension)
		if errs.KindOf(err) == errs.KindNotFound {
			s.log.Warn("AWS dimension has no linked plan: tenant plan unchanged", "saas_id", saasID,
				"customer_identifier", c.CustomerIdentifier, "dimension", c.Dimension)
			return nil
		}
		if err != nil {
			return err
		}
		planID = id
	}
	t, err := s.tenants.Get(ctx, saasID, c.TenantID)
	if errs.KindOf(err) == errs.KindNotFound {
		return nil // the tenant was deleted: nothing to follow
	}
	if err != nil {
		return err
	}
	if t.PlanID == planID {
		return nil
	}
	if planID == "" {
		return s.tenants.EndPlan(ctx, saasID, c.TenantID)
	}
	if err := s.tenants.ChangePlan(ctx, saasID, c.TenantID, tenant.PlanChange{NextPlanID: &planID}); err != nil {
		return fmt.Errorf("give tenant %s the plan of AWS dimension %q: %w", c.TenantID, c.Dimension, err)
	}
	return nil
}

// SyncCustomer reads the customer's entitlements from AWS again and makes
// the customer and the tenant's plan follow them.
func (s *Service) SyncCustomer(ctx context.Context, saasID, customerIdentifier string) error {
	c, err := s.GetCustomer(ctx, saasID, customerIdentifier)
	if err != nil {
		return err
	}
	st, err := s.awsReady(ctx, saasID)
	if err != nil {
		return err
	}
	ents, err := s.aws.Entitlements(ctx, st.role(), c.Buyer)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		if c, err = tx.AWSCustomer(ctx, saasID, customerIdentifier); err != nil {
			return err
		}
		c.entitled(ents, now)
		c.UpdatedAt = now
		return tx.PutAWSCustomer(ctx, saasID, c)
	})
	if err != nil {
		return err
	}
	return s.applyPlan(ctx, saasID, c)
}

// GetCustomer returns one linked buyer.
func (s *Service) GetCustomer(ctx context.Context, saasID, customerIdentifier string) (c AWSCustomer, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		c, err = tx.AWSCustomer(ctx, saasID, customerIdentifier)
		return err
	})
	if errors.Is(err, errs.ErrNotExist) {
		return c, errs.NotFound("AWS customer %q not found", customerIdentifier)
	}
	return c, err
}

// ListCustomers returns the linked buyers of the given tenants (all of
// them when none is given), oldest link first.
func (s *Service) ListCustomers(ctx context.Context, saasID string, tenantIDs []string) (cs []AWSCustomer, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		cs, err = tx.AWSCustomers(ctx, saasID, tenantIDs...)
		return err
	})
	slices.SortStableFunc(cs, func(a, b AWSCustomer) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return cs, err
}
