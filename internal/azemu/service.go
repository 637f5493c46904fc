package azemu

import (
	"context"
	"errors"
	"fmt"
	"github.com/saasplane/saasplane/internal/idgen"
	"log/slog"
	"net/url"
	"regexp"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Service is the emulator. Every method takes the id of the SaaS the
// caller authenticated as: by SAASUSSIGV1 on the admin routes, by the
// bearer token's publisher identity on the wire.
type Service struct {
	store      Store
	now        func() time.Time
	ids        *idgen.Source
	log        *slog.Logger
	identities identityCache
}

// NewService builds a Service. now is the clock of every rule (token
// expiry, operation delays and auto-accept, terms, the usage window).
// ids is where its random ids, tokens, secrets and keys come from
// (idgen.Crypto in production).
func NewService(store Store, now func() time.Time, ids *idgen.Source, log *slog.Logger) *Service {
	return &Service{store: store, now: now, ids: ids, log: log}
}

// RequestID returns a fresh id for a response's request-id header: a
// random UUID from the service's source.
func (s *Service) RequestID() string { return s.ids.UUID() }

// Now is the service's clock, in UTC, to the microsecond (what the store
// keeps).
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// write runs fn in a write transaction after completing the SaaS's due
// operations, so every answer reflects the clock.
func (s *Service) write(ctx context.Context, saasID string, fn func(tx Tx, now time.Time) error) error {
	now := s.Now()
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		if err := s.settle(ctx, tx, saasID, now); err != nil {
			return err
		}
		return fn(tx, now)
	})
	return err
}

var (
	idRE      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$`)
	termUnits = map[string]bool{"P1M": true, "P1Y": true, "P2Y": true, "P3Y": true}
)

// ---- settings ----

// Settings returns the SaaS's settings (defaults when never set).
func (s *Service) Settings(ctx context.Context, saasID string) (st Settings, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		st, err = settings(ctx, tx, saasID)
		return err
	})
	return st, err
}

func settings(ctx context.Context, tx Tx, saasID string) (Settings, error) {
	st, err := tx.Settings(ctx, saasID)
	if errors.Is(err, errs.ErrNotExist) {
		return Settings{SaaSID: saasID, WebhookAPIVersion: APIVersionV2, V1Actions: V1ActionsSample}, nil
	}
	return st, err
}

// SettingsUpdate changes settings; nil fields stay as they are.
type SettingsUpdate struct {
	WebhookURL        *string
	WebhookAPIVersion *string
	V1Actions         *string
	OperationDelay    *time.Duration
}

// UpdateSettings changes the SaaS's settings.
func (s *Service) UpdateSettings(ctx context.Context, saasID string, u SettingsUpdate) (Settings, error) {
	var fe errs.FieldErrors
	if u.WebhookURL != nil && *u.WebhookURL != "" {
		if p, err := url.Parse(*u.WebhookURL); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			fe.Add("webhook_url", "must be an absolute http(s) URL, or empty to send no webhooks")
		}
	}
	if u.WebhookAPIVersion != nil && *u.WebhookAPIVersion != APIVersionV1 && *u.WebhookAPIVersion != APIVersionV2 {
		fe.Add("webhook_api_version", "must be %s or %s", APIVersionV2, APIVersionV1)
	}
	if u.V1Actions != nil && *u.V1Actions != V1ActionsSample && *u.V1Actions != V1ActionsTable {
		fe.Add("v1_actions", "must be %s or %s", V1ActionsSample, V1ActionsTable)
	}
	if u.OperationDelay != nil && (*u.OperationDelay < 0 || *u.OperationDelay > MaxOperationDelay) {
		fe.Add("operation_delay_ms", "must be from 0 to %d", MaxOperationDelay.Milliseconds())
	}
	if err := fe.Err(); err != nil {
		return Settings{}, err
	}
	var st Settings
	err := s.store.WriteTx(ctx, func(tx Tx) (err error) {
		st, err = settings(ctx, tx, saasID)
		if err != nil {
			return err
		}
		if u.WebhookURL != nil {
			st.WebhookURL = *u.WebhookURL
		}
		if u.WebhookAPIVersion != nil {
			st.WebhookAPIVersion = *u.WebhookAPIVersion
		}
		if u.V1Actions != nil {
			st.V1Actions = *u.V1Actions
		}
		if u.OperationDelay != nil {
			st.OperationDelay = *u.OperationDelay
		}
		st.UpdatedAt = s.Now()
		return tx.PutSettings(ctx, st)
	})
	return st, err
}

// ---- offers ----

// Validate reports every invalid field of an offer.
func (o Offer) Validate() error {
	var fe errs.FieldErrors
	if !idRE.MatchString(o.OfferID) {
		fe.Add("offer_id", "must be 1 to 50 letters, digits, '_', '.' or '-', starting with a letter or digit")
	}
	if len(o.Plans) == 0 || len(o.Plans) > 100 {
		fe.Add("plans", "must have 1 to 100 plans")
	}
	seen := map[string]bool{}
	for i, p := range o.Plans {
		f := fmt.Sprintf("plans[%d].", i)
		if !idRE.MatchString(p.PlanID) {
			fe.Add(f+"plan_id", "must be 1 to 50 letters, digits, '_', '.' or '-'")
		} else if seen[p.PlanID] {
			fe.Add(f+"plan_id", "%q appears twice", p.PlanID)
		}
		seen[p.PlanID] = true
		if p.TermUnit != "" && !termUnits[p.TermUnit] {
			fe.Add(f+"term_unit", "must be P1M, P1Y, P2Y or P3Y")
		}
		if p.IsPricePerSeat {
			if p.MinQuantity < 0 || p.MaxQuantity < 0 || p.MaxQuantity > MaxQuantity || (p.MaxQuantity != 0 && p.MinQuantity > p.MaxQuantity) {
				fe.Add(f+"max_quantity", "want 0 <= min_quantity <= max_quantity <= %d", MaxQuantity)
			}
		} else if p.MinQuantity != 0 || p.MaxQuantity != 0 {
			fe.Add(f+"min_quantity", "only a per-seat plan has quantities")
		}
		dims := map[string]bool{}
		for j, d := range p.Dimensions {
			df := fmt.Sprintf("%smetering_dimensions[%d].", f, j)
			if !idRE.MatchString(d.ID) || dims[d.ID] {
				fe.Add(df+"id", "must be a unique id of 1 to 50 letters, digits, '_', '.' or '-'")
			}
			dims[d.ID] = true
			if d.PricePerUnit < 0 {
				fe.Add(df+"price_per_unit", "must not be negative")
			}
		}
	}
	return fe.Err()
}

// minQ and maxQ are a per-seat plan's limits with defaults.
func (p Plan) minQ() int64 { return max(p.MinQuantity, 1) }
func (p Plan) maxQ() int64 {
	if p.MaxQuantity == 0 {
		return MaxQuantity
	}
	return p.MaxQuantity
}

func (p Plan) termUnit() string {
	if p.TermUnit == "" {
		return "P1M"
	}
	return p.TermUnit
}

// PutOffer creates or replaces an offer of the SaaS with its plans.
func (s *Service) PutOffer(ctx context.Context, saasID string, o Offer) (Offer, error) {
	o.SaaSID = saasID
	if err := o.Validate(); err != nil {
		return Offer{}, err
	}
	now := s.Now()
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		old, err := tx.Offer(ctx, saasID, o.OfferID)
		switch {
		case errors.Is(err, errs.ErrNotExist):
			o.CreatedAt = now
		case err != nil:
			return err
		default:
			o.CreatedAt = old.CreatedAt
		}
		o.UpdatedAt = now
		return tx.PutOffer(ctx, o)
	})
	return o, err
}

// Offers returns the SaaS's offers.
func (s *Service) Offers(ctx context.Context, saasID string) (os []Offer, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		os, err = tx.Offers(ctx, saasID)
		return err
	})
	return os, err
}

// ---- purchases ----

// PurchaseInput is a customer's purchase in the marketplace.
type PurchaseInput struct {
	OfferID          string
	PlanID           string
	Quantity         int64 // per-seat plans; 0 means the plan's minimum
	SubscriptionName string
	BeneficiaryEmail string
	AutoRenew        *bool // nil: true
}

// CreatePurchase creates a PendingFulfillmentStart subscription and its
// first purchase token.
func (s *Service) CreatePurchase(ctx context.Context, saasID string, in PurchaseInput) (PurchaseToken, Subscription, error) {
	var fe errs.FieldErrors
	if in.OfferID == "" {
		fe.Add("offer_id", "is required")
	}
	if in.PlanID == "" {
		fe.Add("plan_id", "is required")
	}
	if len(in.SubscriptionName) > 100 {
		fe.Add("subscription_name", "must be at most 100 characters")
	}
	if err := fe.Err(); err != nil {
		return PurchaseToken{}, Subscription{}, err
	}
	var tok PurchaseToken
	var sub Subscription
	err := s.write(ctx, saasID, func(tx Tx, now time.Time) error {
		o, err := tx.Offer(ctx, saasID, in.OfferID)
		if errors.Is(err, errs.ErrNotExist) {
			return errs.NotFound("offer %q not found: create it with POST /azure/_emulator/offers", in.OfferID)
		}
		if err != nil {
			return err
		}
		p, ok := o.Plan(in.PlanID)
		if !ok {
			return errs.Invalid("plan_id: offer %q has no plan %q", in.OfferID, in.PlanID)
		}
		q := int64(0)
		if p.IsPricePerSeat {
			q = in.Quantity
			if q == 0 {
				q = p.minQ()
			}
			if q < p.minQ() || q > p.maxQ() {
				return errs.Invalid("quantity: must be from %d to %d for plan %q", p.minQ(), p.maxQ(), p.PlanID)
			}
		} else if in.Quantity != 0 {
			return errs.Invalid("quantity: plan %q is not per seat", p.PlanID)
		}
		id := s.newID()
		name := in.SubscriptionName
		if name == "" {
			name = "Subscription " + id[:8]
		}
		email := in.BeneficiaryEmail
		if email == "" {
			email = "buyer-" + id[:8] + "@contoso.example"
		}
		sub = Subscription{ID: id, SaaSID: saasID, Name: name, OfferID: o.OfferID, PlanID: p.PlanID, Quantity: q,
			Status: StatusPending, BeneficiaryEmail: email, BeneficiaryOID: s.newID(), BeneficiaryTID: s.newID(),
			TermUnit: p.termUnit(), AutoRenew: in.AutoRenew == nil || *in.AutoRenew, Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertSubscription(ctx, sub); err != nil {
			return err
		}
		tok = PurchaseToken{Token: s.newPurchaseToken(), SaaSID: saasID, SubscriptionID: id, CreatedAt: now, ExpiresAt: now.Add(TokenTTL)}
		return tx.InsertToken(ctx, tok)
	})
	return tok, sub, err
}

// NewToken issues another purchase token for a subscription (the
// "Configure account" / "Manage account" link of the portal).
func (s *Service) NewToken(ctx context.Context, saasID, subID string) (PurchaseToken, error) {
	var tok PurchaseToken
	err := s.write(ctx, saasID, func(tx Tx, now time.Time) error {
		if _, err := subscription(ctx, tx, saasID, subID); err != nil {
			return err
		}
		tok = PurchaseToken{Token: s.newPurchaseToken(), SaaSID: saasID, SubscriptionID: subID, CreatedAt: now, ExpiresAt: now.Add(TokenTTL)}
		return tx.InsertToken(ctx, tok)
	})
	return tok, err
}

func subscription(ctx context.Context, tx Tx, saasID, id string) (Subscription, error) {
	sub, err := tx.Subscription(ctx, saasID, id)
	if errors.Is(err, errs.ErrNotExist) {
		return Subscription{}, notFound("Subscription %s not found", id)
	}
	return sub, err
}

// Webhooks returns the SaaS's outbox, newest first.
func (s *Service) Webhooks(ctx context.Context, saasID string, limit int) (ws []Webhook, err error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		ws, err = tx.Webhooks(ctx, saasID, limit)
		return err
	})
	return ws, err
}
