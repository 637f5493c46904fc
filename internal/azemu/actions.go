package azemu

import (
	"context"
	"encoding/json"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// CustomerActionInput is a change the customer (or the marketplace) makes
// in the portal: ChangePlan (PlanID), ChangeQuantity (Quantity), Suspend,
// Deactivate, Reinstate, Renew or Unsubscribe.
type CustomerActionInput struct {
	Action   Action
	PlanID   string
	Quantity *int64
}

// CustomerAction performs a marketplace-initiated change and queues its
// webhook. ChangePlan and ChangeQuantity stay InProgress until the
// publisher acknowledges them or AutoAcceptAfter passes; the other
// actions are applied at once and notified as Succeeded. Unsubscribe fails
// the operation in progress, if any.
func (s *Service) CustomerAction(ctx context.Context, saasID, subID string, in CustomerActionInput) (Operation, error) {
	var op Operation
	err := s.write(ctx, saasID, func(tx Tx, now time.Time) (err error) {
		op, err = s.customerAction(ctx, tx, saasID, subID, in, now)
		return err
	})
	return op, err
}

// customerAction is CustomerAction inside a write transaction; the
// automatic renewal at term end (renew.go) goes through it too.
func (s *Service) customerAction(ctx context.Context, tx Tx, saasID, subID string, in CustomerActionInput, now time.Time) (Operation, error) {
	var op Operation
	err := func() error {
		sub, err := subscription(ctx, tx, saasID, subID)
		if err != nil {
			return err
		}
		if in.Action == ActionUnsubscribe {
			ops, err := tx.Operations(ctx, saasID, subID, true)
			if err != nil {
				return err
			}
			for _, o := range ops {
				if _, err := s.complete(ctx, tx, o, OpFailed, "the subscription was unsubscribed", now); err != nil {
					return err
				}
			}
			if sub, err = tx.Subscription(ctx, saasID, subID); err != nil {
				return err
			}
		} else if err := s.busy(ctx, tx, sub); err != nil {
			return err
		}
		switch in.Action {
		case ActionChangePlan, ActionChangeQuantity:
			var plan string
			q := in.Quantity
			if in.Action == ActionChangePlan {
				plan, q = in.PlanID, nil
				if plan == "" {
					return errs.Invalid("plan_id: is required to change the plan")
				}
			} else if q == nil {
				return errs.Invalid("quantity: is required to change the quantity")
			}
			op, err = s.checkChange(ctx, tx, sub, plan, q)
			if err != nil {
				return err
			}
			op.ID, op.ActivityID, op.Source, op.Status = s.newID(), s.newID(), SourceAzure, OpInProgress
			op.CreatedAt, op.UpdatedAt, op.DueAt = now, now, now.Add(AutoAcceptAfter)
			if err := tx.InsertOperation(ctx, op); err != nil {
				return err
			}
			return s.enqueueWebhook(ctx, tx, sub, op, now)
		case ActionSuspend, ActionDeactivate, ActionReinstate, ActionRenew, ActionUnsubscribe:
			if _, err := Transition(sub.Status, eventOf(in.Action)); err != nil {
				return errs.Conflict("%v", err).WithType("invalid_transition")
			}
			op = Operation{ID: s.newID(), ActivityID: s.newID(), SaaSID: saasID, SubscriptionID: subID, Action: in.Action,
				Source: SourceAzure, PlanID: sub.PlanID, Quantity: sub.Quantity, Status: OpInProgress, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertOperation(ctx, op); err != nil {
				return err
			}
			op, err = s.complete(ctx, tx, op, OpSucceeded, "", now)
			return err
		}
		return errs.Invalid("action: must be ChangePlan, ChangeQuantity, Suspend, Deactivate, Reinstate, Renew or Unsubscribe")
	}()
	return op, err
}

// enqueueWebhook writes the webhook of an operation to the outbox, when
// the SaaS has a webhook URL. sub is the subscription as the body shows
// it.
func (s *Service) enqueueWebhook(ctx context.Context, tx Tx, sub Subscription, op Operation, now time.Time) error {
	st, err := settings(ctx, tx, sub.SaaSID)
	if err != nil || st.WebhookURL == "" {
		return err
	}
	var body any
	if st.WebhookAPIVersion == APIVersionV1 {
		body = WebhookV1{ID: op.ID, ActivityID: op.ActivityID, SubscriptionID: op.SubscriptionID, PublisherID: sub.SaaSID,
			OfferID: sub.OfferID, PlanID: op.PlanID, Action: V1Action(op.Action, st.V1Actions),
			OperationRequestSource: string(op.Source), TimeStamp: WireTime(now)}
	} else {
		w := WebhookV2{OperationV2: op.ToV2(sub.OfferID), Subscription: sub.ToV2()}
		w.TimeStamp = WireTime(now)
		body = w
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	w := Webhook{ID: s.newID(), SaaSID: sub.SaaSID, SubscriptionID: sub.ID, OperationID: op.ID,
		Endpoint: st.WebhookURL, Body: string(b), Status: DeliveryPending, CreatedAt: now, NextAttemptAt: now}
	if err := tx.InsertWebhook(ctx, w); err != nil {
		return err
	}
	// The only pending message of its subscription has no DeliverWebhooks
	// job working it: enqueue one in this transaction (a job still running
	// decided, in a transaction this one is serialized with, that the
	// queue was empty).
	head, err := tx.NextWebhook(ctx, sub.ID)
	if err != nil || head.ID != w.ID {
		return err
	}
	return tx.EnqueueJob(ctx, DeliverWebhooks{SubscriptionID: sub.ID})
}
