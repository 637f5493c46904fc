package azure

import (
	"context"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace"
)

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

// Outcomes of an Azure operation, besides marketplace.OutcomeApplied,
// OutcomeDuplicate and OutcomeStale.
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

// AzureOperations returns the newest handled operations (of one
// subscription when set), at most limit.
func (s *Service) AzureOperations(ctx context.Context, saasID, subscriptionID string, limit int) (out []AzureOperationRecord, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		out, err = tx.AzureOperations(ctx, saasID, subscriptionID, limit)
		return err
	})
	return out, err
}

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
		return marketplace.OutcomeDuplicate, nil
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
		return marketplace.OutcomeStale, s.recordAzureOperation(ctx, saasID, rec, marketplace.OutcomeStale)
	}
	outcome := marketplace.OutcomeApplied
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
		if outcome == marketplace.OutcomeApplied || outcome == OutcomeRejected {
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
