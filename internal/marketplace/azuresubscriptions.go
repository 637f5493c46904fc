package marketplace

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/tenant"
)

// AzureSubscription is a SaaS subscription linked to a tenant, as saasplane
// last saw it at the marketplace.
type AzureSubscription struct {
	SubscriptionID   string
	TenantID         string
	Name             string
	OfferID          string
	AzurePlanID      string
	Quantity         int64 // 0: not a per-seat plan
	Status           string
	BeneficiaryEmail string
	// LastOperationAt is the time stamp of the newest operation applied;
	// an older one is recorded as stale and changes nothing.
	LastOperationAt time.Time
	// SyncedAt is when the marketplace's view now stored was asked for;
	// an older view never overwrites it.
	SyncedAt  time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AzureOperationRecord is a marketplace operation saasplane handled, from
// a webhook or a reconciliation, with its outcome.
type AzureOperationRecord struct {
	OperationID    string
	SubscriptionID string
	Action         string
	Source         string // webhook or reconcile
	Outcome        string
	OperationAt    time.Time // the marketplace's time stamp (zero when unknown)
	ReceivedAt     time.Time
}

// Outcomes of an Azure operation, besides OutcomeApplied, OutcomeDuplicate
// and OutcomeStale.
const (
	// OutcomeRejected: a change was refused with PATCH Failure (its Azure
	// plan has no linked pricing plan).
	OutcomeRejected = "rejected"
	// OutcomeUnknownSubscription: the subscription is linked to no tenant.
	OutcomeUnknownSubscription = "unknown_subscription"
	// OutcomeUnconfirmed: the Fulfillment API does not know the operation,
	// or it is of another subscription: nothing is done.
	OutcomeUnconfirmed = "unconfirmed"
)

// AzureWebhook is the part of a webhook call saasplane reads; the rest is
// confirmed through the API.
type AzureWebhook struct {
	OperationID    string
	SubscriptionID string
	Action         string
}

// AzureActivation says which tenant an activated subscription belongs to:
// an existing one, or a new one of that name, whose back-office e-mail is
// BackOfficeStaffEmail or else the subscription's beneficiary's.
type AzureActivation struct {
	TenantID             string
	TenantName           string
	BackOfficeStaffEmail string
}

// ResolveAzureToken resolves a landing page token to its subscription,
// with the tenant it is linked to ("" when none yet).
func (s *Service) ResolveAzureToken(ctx context.Context, saasID, token string) (AzureSubscriptionInfo, string, error) {
	if token == "" {
		var fe errs.FieldErrors
		fe.Add("token", "is required (the landing page's token query parameter, URL-decoded)")
		return AzureSubscriptionInfo{}, "", fe.Err()
	}
	st, err := s.azureReady(ctx, saasID)
	if err != nil {
		return AzureSubscriptionInfo{}, "", err
	}
	info, err := s.azure.Resolve(ctx, st.creds(), token)
	if err != nil {
		return info, "", err
	}
	tenantID := ""
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		sub, err := tx.AzureSubscription(ctx, saasID, info.ID)
		if errors.Is(err, errs.ErrNotExist) {
			return nil
		}
		tenantID = sub.TenantID
		return err
	})
	return info, tenantID, err
}

// ActivateAzureSubscription links a subscription to a tenant (creating it
// when a name is given instead of an id), gives the tenant the pricing
// plan linked to the subscription's Azure plan, and activates the
// subscription at the marketplace, which starts billing. Calling it again
// is safe: a linked subscription keeps its tenant, an active one is not
// activated twice.
func (s *Service) ActivateAzureSubscription(ctx context.Context, saasID, subscriptionID string, in AzureActivation) (AzureSubscription, error) {
	var fe errs.FieldErrors
	if (in.TenantID == "") == (in.TenantName == "") {
		fe.Add("tenant_id", "exactly one of tenant_id and tenant_name is required")
	}
	if err := fe.Err(); err != nil {
		return AzureSubscription{}, err
	}
	st, err := s.azureReady(ctx, saasID)
	if err != nil {
		return AzureSubscription{}, err
	}
	info, err := s.azure.GetSubscription(ctx, st.creds(), subscriptionID)
	if err != nil {
		return AzureSubscription{}, err
	}
	if info.Status == AzureUnsubscribed {
		return AzureSubscription{}, errs.Conflict("Azure subscription %q is unsubscribed", subscriptionID).WithType("azure_subscription_unsubscribed")
	}
	// Refuse before billing starts when no plan can be given.
	if _, err := s.azurePlanFor(ctx, saasID, info.PlanID); err != nil {
		return AzureSubscription{}, err
	}
	existing, err := s.GetAzureSubscription(ctx, saasID, subscriptionID)
	linked := err == nil
	if err != nil && errs.KindOf(err) != errs.KindNotFound {
		return AzureSubscription{}, err
	}
	tenantID := in.TenantID
	switch {
	case linked && tenantID != "" && existing.TenantID != tenantID:
		return AzureSubscription{}, errs.Conflict("Azure subscription %q is already linked to tenant %q", subscriptionID, existing.TenantID).WithType("azure_subscription_already_linked")
	case linked:
		tenantID = existing.TenantID
	case tenantID != "":
		if _, err := s.tenants.Get(ctx, saasID, tenantID); err != nil {
			if errs.KindOf(err) == errs.KindNotFound {
				fe.Add("tenant_id", "no tenant with id %q", tenantID)
				return AzureSubscription{}, fe.Err()
			}
			return AzureSubscription{}, err
		}
	default:
		email := in.BackOfficeStaffEmail
		if email == "" {
			email = info.BeneficiaryEmail
		}
		t, err := s.tenants.Create(ctx, saasID, tenant.TenantInput{Name: in.TenantName, BackOfficeStaffEmail: email})
		if err != nil {
			return AzureSubscription{}, err
		}
		tenantID = t.ID
	}
	now := s.now()
	if !linked {
		// The link is stored before activation: a retry after a failed
		// activation finds the tenant created the first time.
		err = s.store.WriteTx(ctx, func(tx Tx) error {
			sub, err := tx.AzureSubscription(ctx, saasID, subscriptionID)
			switch {
			case err == nil && sub.TenantID != tenantID:
				return errs.Conflict("Azure subscription %q is already linked to tenant %q", subscriptionID, sub.TenantID).WithType("azure_subscription_already_linked")
			case err == nil:
				return nil
			case !errors.Is(err, errs.ErrNotExist):
				return err
			}
			sub = AzureSubscription{SubscriptionID: subscriptionID, TenantID: tenantID, CreatedAt: now}
			sub.follow(info, now)
			return tx.PutAzureSubscription(ctx, saasID, sub)
		})
		if err != nil {
			return AzureSubscription{}, err
		}
	}
	if info.Status == AzurePendingFulfillmentStart {
		if err := s.azure.Activate(ctx, st.creds(), subscriptionID, info.PlanID, info.Quantity); err != nil {
			return AzureSubscription{}, err
		}
	}
	return s.syncAzure(ctx, saasID, st, subscriptionID)
}

// follow copies the marketplace's view into the stored subscription.
func (sub *AzureSubscription) follow(info AzureSubscriptionInfo, seen time.Time) {
	sub.Name, sub.OfferID, sub.AzurePlanID, sub.Quantity, sub.Status = info.Name, info.OfferID, info.PlanID, info.Quantity, info.Status
	sub.BeneficiaryEmail = info.BeneficiaryEmail
	sub.SyncedAt, sub.UpdatedAt = seen, seen
}

// syncAzure reads the subscription from the marketplace, stores it and
// makes the tenant's plan follow.
func (s *Service) syncAzure(ctx context.Context, saasID string, st AzureSettings, subscriptionID string) (AzureSubscription, error) {
	asked := s.now()
	info, err := s.azure.GetSubscription(ctx, st.creds(), subscriptionID)
	if err != nil {
		return AzureSubscription{}, err
	}
	info.ID = subscriptionID
	return s.syncAzureAt(ctx, saasID, info, asked)
}

// applyAzurePlan makes the tenant's plan follow the subscription: the plan
// linked to its Azure plan while Subscribed or Suspended (a suspended
// subscription keeps its plan: the SaaS limits access by its status), no
// plan once Unsubscribed; nothing before activation. An Azure plan with no
// linked pricing plan leaves the tenant's plan alone.
func (s *Service) applyAzurePlan(ctx context.Context, saasID string, sub AzureSubscription) error {
	var planID string
	switch sub.Status {
	case AzureUnsubscribed:
	case AzureSubscribed, AzureSuspended:
		id, err := s.azurePlanFor(ctx, saasID, sub.AzurePlanID)
		if errs.KindOf(err) == errs.KindConflict {
			s.log.Warn("Azure plan has no linked pricing plan: tenant plan unchanged", "saas_id", saasID,
				"subscription_id", sub.SubscriptionID, "azure_plan_id", sub.AzurePlanID)
			return nil
		}
		if err != nil {
			return err
		}
		planID = id
	default:
		return nil
	}
	t, err := s.tenants.Get(ctx, saasID, sub.TenantID)
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
		return s.tenants.EndPlan(ctx, saasID, sub.TenantID)
	}
	if err := s.tenants.ChangePlan(ctx, saasID, sub.TenantID, tenant.PlanChange{NextPlanID: &planID}); err != nil {
		return fmt.Errorf("give tenant %s the plan of Azure plan %q: %w", sub.TenantID, sub.AzurePlanID, err)
	}
	return nil
}

// GetAzureSubscription returns a linked subscription.
func (s *Service) GetAzureSubscription(ctx context.Context, saasID, subscriptionID string) (sub AzureSubscription, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		sub, err = tx.AzureSubscription(ctx, saasID, subscriptionID)
		return err
	})
	if errors.Is(err, errs.ErrNotExist) {
		return sub, errs.NotFound("Azure subscription %q is not linked to a tenant", subscriptionID)
	}
	return sub, err
}

// ListAzureSubscriptions returns the linked subscriptions of the given
// tenants (all when none is given), oldest link first.
func (s *Service) ListAzureSubscriptions(ctx context.Context, saasID string, tenantIDs []string) (out []AzureSubscription, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		out, err = tx.AzureSubscriptions(ctx, saasID, tenantIDs...)
		return err
	})
	slices.SortStableFunc(out, func(a, b AzureSubscription) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, err
}

// AzureOperations returns the newest handled operations (of one
// subscription when set), at most limit.
func (s *Service) AzureOperations(ctx context.Context, saasID, subscriptionID string, limit int) (out []AzureOperationRecord, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		out, err = tx.AzureOperations(ctx, saasID, subscriptionID, limit)
		return err
	})
	return out, err
}

// ---- webhook ----

// HandleAzureWebhook handles a call of the marketplace's webhook: it checks
// the bearer token, confirms the operation through the Fulfillment API,
// acknowledges a change waiting for the publisher (PATCH Success, or
// Failure when its Azure plan has no linked pricing plan), makes the
// subscription and its tenant follow the marketplace, and records the
// operation. The same operation twice changes nothing the second time;
// an operation older than one applied is recorded as stale. An error means
// nothing was recorded, so the marketplace's retry handles it again.
func (s *Service) HandleAzureWebhook(ctx context.Context, saasID, bearer string, w AzureWebhook) (string, error) {
	st, err := s.azureReady(ctx, saasID)
	if err != nil {
		if errs.KindOf(err) == errs.KindConflict {
			// Not configured yet: let the marketplace retry rather than
			// reject a change with a 4xx.
			return "", errs.E(errs.KindUnavailable, "%v", err).WithType("azure_settings_incomplete")
		}
		return "", err
	}
	if bearer == "" {
		return "", errs.E(errs.KindUnauthorized, "the webhook call has no bearer token").WithType("invalid_webhook_token")
	}
	if err := s.azure.VerifyWebhookToken(ctx, st.creds(), bearer); err != nil {
		if errs.KindOf(err) == errs.KindUnavailable {
			return "", err
		}
		s.log.Warn("Azure webhook refused: bad bearer token", "saas_id", saasID, "err", err)
		return "", errs.E(errs.KindUnauthorized, "the webhook's bearer token is not valid for this SaaS's Entra app").WithType("invalid_webhook_token")
	}
	var fe errs.FieldErrors
	if w.OperationID == "" {
		fe.Add("id", "is required (the operation id)")
	}
	if w.SubscriptionID == "" {
		fe.Add("subscriptionId", "is required")
	}
	if err := fe.Err(); err != nil {
		return "", err
	}
	rec := AzureOperationRecord{OperationID: w.OperationID, SubscriptionID: w.SubscriptionID, Action: w.Action, Source: "webhook"}
	return s.handleAzureOperation(ctx, saasID, st, rec, nil)
}

// handleAzureOperation confirms (unless op is given, as listed by the
// API), acknowledges and applies one operation, and records it.
func (s *Service) handleAzureOperation(ctx context.Context, saasID string, st AzureSettings, rec AzureOperationRecord, op *AzureOperation) (string, error) {
	var seen bool
	var sub AzureSubscription
	linked := true
	err := s.store.ReadTx(ctx, func(tx Tx) (err error) {
		if seen, err = tx.AzureOperationSeen(ctx, saasID, rec.OperationID); err != nil || seen {
			return err
		}
		sub, err = tx.AzureSubscription(ctx, saasID, rec.SubscriptionID)
		if errors.Is(err, errs.ErrNotExist) {
			linked, err = false, nil
		}
		return err
	})
	switch {
	case err != nil:
		return "", err
	case seen:
		return OutcomeDuplicate, nil
	case !linked:
		return OutcomeUnknownSubscription, s.recordAzureOperation(ctx, saasID, rec, OutcomeUnknownSubscription)
	}
	if op == nil {
		got, err := s.azure.GetOperation(ctx, st.creds(), rec.SubscriptionID, rec.OperationID)
		if errs.KindOf(err) == errs.KindNotFound {
			return OutcomeUnconfirmed, s.recordAzureOperation(ctx, saasID, rec, OutcomeUnconfirmed)
		}
		if err != nil {
			return "", err
		}
		op = &got
	}
	if op.SubscriptionID != "" && op.SubscriptionID != rec.SubscriptionID {
		return OutcomeUnconfirmed, s.recordAzureOperation(ctx, saasID, rec, OutcomeUnconfirmed)
	}
	rec.Action, rec.OperationAt = op.Action, op.TimeStamp
	if !op.TimeStamp.IsZero() && op.TimeStamp.Before(sub.LastOperationAt) && !op.needsAck() {
		return OutcomeStale, s.recordAzureOperation(ctx, saasID, rec, OutcomeStale)
	}
	outcome := OutcomeApplied
	if op.needsAck() {
		accept := true
		if op.Action == "ChangePlan" {
			if _, err := s.azurePlanFor(ctx, saasID, op.PlanID); errs.KindOf(err) == errs.KindConflict {
				accept = false
			} else if err != nil {
				return "", err
			}
		}
		err := s.azure.PatchOperation(ctx, st.creds(), rec.SubscriptionID, rec.OperationID, accept)
		switch {
		case errs.KindOf(err) == errs.KindConflict:
			// Already completed (accepted automatically, or by a
			// concurrent handler): the subscription says how.
		case err != nil:
			return "", err
		case !accept:
			outcome = OutcomeRejected
		}
	}
	if _, err := s.syncAzure(ctx, saasID, st, rec.SubscriptionID); err != nil {
		return "", err
	}
	return outcome, s.recordAzureOperation(ctx, saasID, rec, outcome)
}

func (s *Service) recordAzureOperation(ctx context.Context, saasID string, rec AzureOperationRecord, outcome string) error {
	rec.Outcome, rec.ReceivedAt = outcome, s.now()
	return s.store.WriteTx(ctx, func(tx Tx) error {
		if seen, err := tx.AzureOperationSeen(ctx, saasID, rec.OperationID); err != nil || seen {
			return err
		}
		if outcome == OutcomeApplied || outcome == OutcomeRejected {
			sub, err := tx.AzureSubscription(ctx, saasID, rec.SubscriptionID)
			if err != nil {
				return err
			}
			if rec.OperationAt.After(sub.LastOperationAt) {
				sub.LastOperationAt = rec.OperationAt
				if err := tx.PutAzureSubscription(ctx, saasID, sub); err != nil {
					return err
				}
			}
		}
		return tx.RecordAzureOperation(ctx, saasID, rec)
	})
}

// ---- reconciliation ----

// AzureReconcileResult is what a reconciliation did.
type AzureReconcileResult struct {
	Subscriptions int // linked subscriptions compared with the marketplace
	Operations    int // outstanding operations handled
	Changed       int // subscriptions whose stored view changed
}

// SyncAzureSubscription handles the subscription's outstanding operations
// and makes it and its tenant follow the marketplace.
func (s *Service) SyncAzureSubscription(ctx context.Context, saasID, subscriptionID string) (AzureSubscription, error) {
	if _, err := s.GetAzureSubscription(ctx, saasID, subscriptionID); err != nil {
		return AzureSubscription{}, err
	}
	st, err := s.azureReady(ctx, saasID)
	if err != nil {
		return AzureSubscription{}, err
	}
	if _, err := s.handleOutstanding(ctx, saasID, st, subscriptionID); err != nil {
		return AzureSubscription{}, err
	}
	return s.syncAzure(ctx, saasID, st, subscriptionID)
}

func (s *Service) handleOutstanding(ctx context.Context, saasID string, st AzureSettings, subscriptionID string) (int, error) {
	ops, err := s.azure.ListOutstandingOperations(ctx, st.creds(), subscriptionID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, op := range ops {
		rec := AzureOperationRecord{OperationID: op.ID, SubscriptionID: subscriptionID, Action: op.Action, Source: "reconcile"}
		outcome, err := s.handleAzureOperation(ctx, saasID, st, rec, &op)
		if err != nil {
			return n, err
		}
		if outcome != OutcomeDuplicate {
			n++
		}
	}
	return n, nil
}

// ReconcileAzure compares every linked subscription with the marketplace's
// list, handles outstanding operations, and applies what webhooks missed.
func (s *Service) ReconcileAzure(ctx context.Context, saasID string) (AzureReconcileResult, error) {
	var r AzureReconcileResult
	st, err := s.azureReady(ctx, saasID)
	if err != nil {
		return r, err
	}
	asked := s.now()
	infos, err := s.azure.ListSubscriptions(ctx, st.creds())
	if err != nil {
		return r, err
	}
	linked, err := s.ListAzureSubscriptions(ctx, saasID, nil)
	if err != nil {
		return r, err
	}
	byID := make(map[string]AzureSubscription, len(linked))
	for _, sub := range linked {
		byID[sub.SubscriptionID] = sub
	}
	var errList []error
	for _, info := range infos {
		sub, ok := byID[info.ID]
		if !ok {
			continue
		}
		r.Subscriptions++
		if info.Status == AzureSubscribed {
			n, err := s.handleOutstanding(ctx, saasID, st, info.ID)
			r.Operations += n
			if err != nil {
				errList = append(errList, fmt.Errorf("subscription %s: %w", info.ID, err))
				continue
			}
			if n > 0 { // the list is older than the acknowledgements
				if info, err = s.azure.GetSubscription(ctx, st.creds(), info.ID); err != nil {
					errList = append(errList, fmt.Errorf("subscription %s: %w", info.ID, err))
					continue
				}
			}
		}
		if sub.Status != info.Status || sub.AzurePlanID != info.PlanID || sub.Quantity != info.Quantity {
			r.Changed++
		}
		if _, err := s.syncAzureAt(ctx, saasID, info, asked); err != nil {
			errList = append(errList, fmt.Errorf("subscription %s: %w", info.ID, err))
		}
	}
	return r, errors.Join(errList...)
}

// syncAzureAt stores a view read at asked and applies it.
func (s *Service) syncAzureAt(ctx context.Context, saasID string, info AzureSubscriptionInfo, asked time.Time) (AzureSubscription, error) {
	var sub AzureSubscription
	err := s.store.WriteTx(ctx, func(tx Tx) (err error) {
		sub, err = tx.AzureSubscription(ctx, saasID, info.ID)
		if errors.Is(err, errs.ErrNotExist) {
			return errs.NotFound("Azure subscription %q is not linked to a tenant", info.ID)
		}
		if err != nil || sub.SyncedAt.After(asked) {
			return err // a newer view is stored already
		}
		sub.follow(info, asked)
		return tx.PutAzureSubscription(ctx, saasID, sub)
	})
	if err != nil {
		return sub, err
	}
	return sub, s.applyAzurePlan(ctx, saasID, sub)
}

// ReconcileAllAzure reconciles every SaaS with complete Azure settings.
func (s *Service) ReconcileAllAzure(ctx context.Context) error {
	var ids []string
	if err := s.store.ReadTx(ctx, func(tx Tx) (err error) {
		ids, err = tx.AzureSaaSIDs(ctx)
		return err
	}); err != nil {
		return err
	}
	var errList []error
	for _, id := range ids {
		if _, err := s.ReconcileAzure(ctx, id); err != nil {
			errList = append(errList, fmt.Errorf("SaaS %s: %w", id, err))
		}
	}
	return errors.Join(errList...)
}

// AzureWorker reconciles every SaaS and reports Azure usage every interval
// until its context ends.
type AzureWorker struct {
	svc       *Service
	reconcile time.Duration
	usage     time.Duration
	log       *slog.Logger
}

// NewAzureWorker returns a worker; 0 intervals mean 15 minutes
// (reconciliation) and 5 minutes (usage).
func NewAzureWorker(svc *Service, reconcile, usage time.Duration, log *slog.Logger) *AzureWorker {
	if reconcile <= 0 {
		reconcile = 15 * time.Minute
	}
	if usage <= 0 {
		usage = 5 * time.Minute
	}
	return &AzureWorker{svc: svc, reconcile: reconcile, usage: usage, log: log}
}

// Run works until ctx ends.
func (w *AzureWorker) Run(ctx context.Context) {
	rt := time.NewTicker(w.reconcile)
	defer rt.Stop()
	ut := time.NewTicker(w.usage)
	defer ut.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-rt.C:
			if err := w.svc.ReconcileAllAzure(ctx); err != nil && ctx.Err() == nil {
				w.log.Warn("Azure Marketplace reconciliation", "err", err)
			}
		case <-ut.C:
			if err := w.svc.ReportAzureUsage(ctx); err != nil && ctx.Err() == nil {
				w.log.Warn("Azure Marketplace usage reporting", "err", err)
			}
		}
	}
}
