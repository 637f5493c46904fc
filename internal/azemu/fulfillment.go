package azemu

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// The SaaS Fulfillment API, for the publisher whose token authenticated
// the call (saasID).

// Resolve redeems a purchase token: the subscription it was issued for, in
// whatever state.
func (s *Service) Resolve(ctx context.Context, saasID, token string) (Subscription, error) {
	if token == "" {
		return Subscription{}, errs.Invalid("Mandatory header missing").WithType(CodeHeaderNotPresent)
	}
	var sub Subscription
	err := s.write(ctx, saasID, func(tx Tx, now time.Time) error {
		t, err := tx.Token(ctx, token)
		if errors.Is(err, errs.ErrNotExist) || (err == nil && t.SaaSID != saasID) {
			return errs.Invalid("The marketplace token is invalid: it is malformed, URL-encoded, or was not issued for this publisher").WithType(CodeInvalidToken)
		}
		if err != nil {
			return err
		}
		if !now.Before(t.ExpiresAt) {
			return errs.Invalid("The marketplace token expired at %s: reopen the landing page from the portal", t.ExpiresAt.Format(time.RFC3339)).WithType(CodeInvalidToken)
		}
		sub, err = subscription(ctx, tx, saasID, t.SubscriptionID)
		return err
	})
	return sub, err
}

// GetSubscription returns one subscription.
func (s *Service) GetSubscription(ctx context.Context, saasID, id string) (Subscription, error) {
	var sub Subscription
	err := s.write(ctx, saasID, func(tx Tx, _ time.Time) (err error) {
		sub, err = subscription(ctx, tx, saasID, id)
		return err
	})
	return sub, err
}

// ListSubscriptions returns a page of the SaaS's subscriptions (ordered by
// id, after after) and the id to continue after ("" on the last page).
func (s *Service) ListSubscriptions(ctx context.Context, saasID, after string, limit int) (subs []Subscription, next string, err error) {
	if limit <= 0 || limit > PageSize {
		limit = PageSize
	}
	err = s.write(ctx, saasID, func(tx Tx, _ time.Time) (err error) {
		subs, err = tx.Subscriptions(ctx, saasID, after, limit+1)
		return err
	})
	if len(subs) > limit {
		subs = subs[:limit]
		next = subs[limit-1].ID
	}
	return subs, next, err
}

// AvailablePlans returns the plans the subscription may be on: the
// offer's public plans and its current plan; with planID, only that plan
// (private ones included).
func (s *Service) AvailablePlans(ctx context.Context, saasID, subID, planID string) ([]Plan, error) {
	var out []Plan
	err := s.write(ctx, saasID, func(tx Tx, _ time.Time) error {
		sub, err := subscription(ctx, tx, saasID, subID)
		if err != nil {
			return err
		}
		o, err := tx.Offer(ctx, saasID, sub.OfferID)
		if err != nil {
			return err
		}
		out = []Plan{}
		for _, p := range o.Plans {
			switch {
			case planID != "" && p.PlanID == planID:
				out = append(out, p)
			case planID == "" && (!p.IsPrivate || p.PlanID == sub.PlanID):
				out = append(out, p)
			}
		}
		return nil
	})
	return out, err
}

// Activate starts billing of a PendingFulfillmentStart subscription (v2):
// planId and quantity must be the purchased ones.
func (s *Service) Activate(ctx context.Context, saasID, subID, planID string, quantity *int64) error {
	if planID == "" {
		return badArg("planId is required")
	}
	return s.write(ctx, saasID, func(tx Tx, now time.Time) error {
		sub, err := subscription(ctx, tx, saasID, subID)
		if err != nil {
			return err
		}
		if sub.Status == StatusUnsubscribed {
			return notFound("Subscription %s is Unsubscribed", subID)
		}
		if planID != sub.PlanID {
			return badArg("planId %q is not the purchased plan %q", planID, sub.PlanID)
		}
		if quantity != nil && *quantity != sub.Quantity {
			return badArg("quantity %d is not the purchased quantity %d", *quantity, sub.Quantity)
		}
		if err := s.busy(ctx, tx, sub); err != nil {
			return err
		}
		next, err := apply(sub, Operation{Action: ActionSubscribe, PlanID: sub.PlanID, Quantity: sub.Quantity}, now)
		if err != nil {
			return badRequest("Subscription is %s: %v", sub.Status.V2(), err)
		}
		return tx.UpdateSubscription(ctx, next)
	})
}

// busy fails when the subscription has an operation in progress.
func (s *Service) busy(ctx context.Context, tx Tx, sub Subscription) error {
	ops, err := tx.Operations(ctx, sub.SaaSID, sub.ID, true)
	if err != nil {
		return err
	}
	if len(ops) > 0 {
		return conflict("Another operation is in progress on the subscription (operation %s, %s)", ops[0].ID, ops[0].Action)
	}
	return nil
}

// ChangeInput is a publisher's change of a subscription (v2 PATCH, v1 PUT
// and PATCH).
type ChangeInput struct {
	PlanID     string
	Quantity   *int64
	APIVersion string
	// IfMatch, when set, must be the subscription's ETag (v1).
	IfMatch string
	DryRun  bool // v1 subscribe with x-ms-marketplace-session-mode: dryrun
}

// ETag is a subscription's entity tag (v1 eTag / If-Match).
func (sub Subscription) ETag() string { return `"` + strconv.FormatInt(sub.Version, 10) + `"` }

// ChangeSubscription starts a publisher-initiated change of plan or of
// quantity (exactly one of them) of a Subscribed subscription.
func (s *Service) ChangeSubscription(ctx context.Context, saasID, subID string, in ChangeInput) (Operation, error) {
	switch {
	case in.PlanID == "" && in.Quantity == nil:
		return Operation{}, badArg("send planId or quantity")
	case in.PlanID != "" && in.Quantity != nil:
		return Operation{}, badArg("send planId or quantity, not both")
	}
	var op Operation
	err := s.write(ctx, saasID, func(tx Tx, now time.Time) error {
		sub, err := s.changeable(ctx, tx, saasID, subID, in.IfMatch)
		if err != nil {
			return err
		}
		op, err = s.checkChange(ctx, tx, sub, in.PlanID, in.Quantity)
		if err != nil {
			return err
		}
		op, err = s.startPartner(ctx, tx, sub, op, in.APIVersion, now)
		return err
	})
	return op, err
}

func (s *Service) changeable(ctx context.Context, tx Tx, saasID, subID, ifMatch string) (Subscription, error) {
	sub, err := subscription(ctx, tx, saasID, subID)
	if err != nil {
		return Subscription{}, err
	}
	if ifMatch != "" && ifMatch != "*" && ifMatch != sub.ETag() {
		return Subscription{}, errs.E(errs.KindConflict, "If-Match %s does not match the subscription's eTag %s", ifMatch, sub.ETag()).WithType(CodePreconditionFail)
	}
	if err := s.busy(ctx, tx, sub); err != nil {
		return Subscription{}, err
	}
	return sub, nil
}

// checkChange validates a change of plan or quantity and returns its
// operation (not stored).
func (s *Service) checkChange(ctx context.Context, tx Tx, sub Subscription, planID string, quantity *int64) (Operation, error) {
	if sub.Status != StatusSubscribed {
		return Operation{}, badRequest("Subscription is %s, not Subscribed: it cannot change", sub.Status.V2())
	}
	o, err := tx.Offer(ctx, sub.SaaSID, sub.OfferID)
	if err != nil {
		return Operation{}, err
	}
	op := Operation{SaaSID: sub.SaaSID, SubscriptionID: sub.ID, PlanID: sub.PlanID, Quantity: sub.Quantity}
	if planID != "" {
		p, ok := o.Plan(planID)
		switch {
		case !ok:
			return Operation{}, badArg("plan %q does not exist in offer %q", planID, o.OfferID)
		case planID == sub.PlanID:
			return Operation{}, badArg("the subscription is already on plan %q", planID)
		}
		op.Action, op.PlanID = ActionChangePlan, planID
		if p.IsPricePerSeat {
			op.Quantity = min(max(sub.Quantity, p.minQ()), p.maxQ())
		} else {
			op.Quantity = 0
		}
		return op, nil
	}
	p, _ := o.Plan(sub.PlanID)
	switch q := *quantity; {
	case !p.IsPricePerSeat:
		return Operation{}, badArg("plan %q is not per seat: its quantity cannot change", p.PlanID)
	case q < p.minQ() || q > p.maxQ():
		return Operation{}, badArg("quantity must be from %d to %d on plan %q; change the plan first", p.minQ(), p.maxQ(), p.PlanID)
	case q == sub.Quantity:
		return Operation{}, badArg("the subscription already has quantity %d", q)
	}
	op.Action, op.Quantity = ActionChangeQuantity, *quantity
	return op, nil
}

// startPartner stores a publisher-initiated operation; it completes after
// the SaaS's operation delay (at once when there is none).
func (s *Service) startPartner(ctx context.Context, tx Tx, sub Subscription, op Operation, apiVersion string, now time.Time) (Operation, error) {
	st, err := settings(ctx, tx, sub.SaaSID)
	if err != nil {
		return Operation{}, err
	}
	op.ID, op.ActivityID, op.Source, op.Status, op.APIVersion = s.newID(), s.newID(), SourcePartner, OpInProgress, apiVersion
	op.CreatedAt, op.UpdatedAt, op.DueAt = now, now, now.Add(st.OperationDelay)
	if err := tx.InsertOperation(ctx, op); err != nil {
		return Operation{}, err
	}
	if st.OperationDelay == 0 {
		return s.complete(ctx, tx, op, OpSucceeded, "", now)
	}
	return op, nil
}

// Subscribe is v1's PUT: activate a Pending subscription on a plan of its
// offer, asynchronously.
func (s *Service) Subscribe(ctx context.Context, saasID, subID string, in ChangeInput) (Operation, error) {
	if in.PlanID == "" {
		return Operation{}, badArg("planId is required")
	}
	var op Operation
	err := s.write(ctx, saasID, func(tx Tx, now time.Time) error {
		sub, err := s.changeable(ctx, tx, saasID, subID, in.IfMatch)
		if err != nil {
			return err
		}
		if sub.Status != StatusPending {
			return badRequest("Subscription is %s, not Pending", sub.Status.V1())
		}
		o, err := tx.Offer(ctx, saasID, sub.OfferID)
		if err != nil {
			return err
		}
		if _, ok := o.Plan(in.PlanID); !ok {
			return badArg("plan %q does not exist in offer %q", in.PlanID, o.OfferID)
		}
		if in.DryRun != sub.DryRun {
			sub.DryRun = in.DryRun
			sub.Version++
			sub.UpdatedAt = now
			if err := tx.UpdateSubscription(ctx, sub); err != nil {
				return err
			}
		}
		op = Operation{SaaSID: saasID, SubscriptionID: sub.ID, Action: ActionSubscribe, PlanID: in.PlanID, Quantity: sub.Quantity}
		op, err = s.startPartner(ctx, tx, sub, op, in.APIVersion, now)
		return err
	})
	return op, err
}

// DeleteSubscription starts a publisher-initiated cancellation.
func (s *Service) DeleteSubscription(ctx context.Context, saasID, subID, apiVersion string) (Operation, error) {
	var op Operation
	err := s.write(ctx, saasID, func(tx Tx, now time.Time) error {
		sub, err := subscription(ctx, tx, saasID, subID)
		if err != nil {
			return err
		}
		if sub.Status == StatusUnsubscribed {
			return badRequest("Subscription is already Unsubscribed")
		}
		if err := s.busy(ctx, tx, sub); err != nil {
			return err
		}
		op = Operation{SaaSID: saasID, SubscriptionID: sub.ID, Action: ActionUnsubscribe, PlanID: sub.PlanID, Quantity: sub.Quantity}
		op, err = s.startPartner(ctx, tx, sub, op, apiVersion, now)
		return err
	})
	return op, err
}

// OutstandingOperations returns a subscription's InProgress operations.
func (s *Service) OutstandingOperations(ctx context.Context, saasID, subID string) ([]Operation, error) {
	var ops []Operation
	err := s.write(ctx, saasID, func(tx Tx, _ time.Time) error {
		if _, err := subscription(ctx, tx, saasID, subID); err != nil {
			return err
		}
		var err error
		ops, err = tx.Operations(ctx, saasID, subID, true)
		return err
	})
	return ops, err
}

// GetOperation returns an operation; subID "" (v1) matches any
// subscription.
func (s *Service) GetOperation(ctx context.Context, saasID, subID, opID string) (Operation, error) {
	var op Operation
	err := s.write(ctx, saasID, func(tx Tx, _ time.Time) (err error) {
		op, err = operation(ctx, tx, saasID, subID, opID)
		return err
	})
	return op, err
}

func operation(ctx context.Context, tx Tx, saasID, subID, opID string) (Operation, error) {
	op, err := tx.Operation(ctx, saasID, opID)
	if errors.Is(err, errs.ErrNotExist) || (err == nil && subID != "" && op.SubscriptionID != subID) {
		return Operation{}, notFound("Operation %s not found", opID)
	}
	return op, err
}

// The statuses of an acknowledgement (PATCH of an operation).
const (
	AckSuccess = "Success"
	AckFailure = "Failure"
)

// AckOperation is the publisher's answer to a marketplace-initiated
// ChangePlan or ChangeQuantity: Success applies it, Failure keeps the
// subscription as it is.
func (s *Service) AckOperation(ctx context.Context, saasID, subID, opID, status string) (Operation, error) {
	if status != AckSuccess && status != AckFailure {
		return Operation{}, badArg("status must be %s or %s", AckSuccess, AckFailure)
	}
	var op Operation
	err := s.write(ctx, saasID, func(tx Tx, now time.Time) (err error) {
		op, err = operation(ctx, tx, saasID, subID, opID)
		if err != nil {
			return err
		}
		if op.Status != OpInProgress {
			return conflict("Operation %s is %s: it was already completed", op.ID, op.Status)
		}
		if op.Source != SourceAzure || !op.Action.NeedsAck() {
			return badRequest("Operation %s (%s, requested by %s) does not take an acknowledgement", op.ID, op.Action, op.Source)
		}
		if status == AckSuccess {
			op, err = s.complete(ctx, tx, op, OpSucceeded, "", now)
		} else {
			op, err = s.complete(ctx, tx, op, OpFailed, "rejected by the publisher", now)
		}
		return err
	})
	return op, err
}

// ---- completion ----

// settle completes the due operations of a SaaS ("" for all): publisher
// changes whose delay passed and acknowledgements not received within
// AutoAcceptAfter succeed; then the terms that ended are renewed or
// cancelled (endTerms).
func (s *Service) settle(ctx context.Context, tx Tx, saasID string, now time.Time) error {
	for {
		ops, err := tx.DueOperations(ctx, saasID, now, 50)
		if err != nil {
			return err
		}
		for _, op := range ops {
			if _, err := s.complete(ctx, tx, op, OpSucceeded, "", now); err != nil {
				return err
			}
		}
		if len(ops) < 50 {
			return s.endTerms(ctx, tx, saasID, now)
		}
	}
}

// complete ends an InProgress operation with status; a success applies
// it to the subscription (an operation the state no longer allows fails
// instead). Its webhook is queued unless one was sent when it started.
func (s *Service) complete(ctx context.Context, tx Tx, op Operation, status OpStatus, reason string, now time.Time) (Operation, error) {
	sub, err := tx.Subscription(ctx, op.SaaSID, op.SubscriptionID)
	if err != nil {
		return Operation{}, fmt.Errorf("subscription of operation %s: %w", op.ID, err)
	}
	if status == OpSucceeded {
		next, terr := apply(sub, op, now)
		if terr != nil {
			status, reason = OpFailed, terr.Error()
		} else {
			if err := tx.UpdateSubscription(ctx, next); err != nil {
				return Operation{}, raced(err)
			}
			sub = next
		}
	}
	op.Status, op.UpdatedAt, op.DueAt = status, now, time.Time{}
	if status == OpFailed {
		op.ErrorCode, op.ErrorMessage = "Failed", reason
	}
	if err := tx.UpdateOperation(ctx, op); err != nil {
		return Operation{}, raced(err)
	}
	if op.Source == SourceAzure && op.Action.NeedsAck() {
		return op, nil // its webhook went out when it started
	}
	return op, s.enqueueWebhook(ctx, tx, sub, op, now)
}

// apply returns the subscription after a successful operation.
func apply(sub Subscription, op Operation, now time.Time) (Subscription, error) {
	to, err := Transition(sub.Status, eventOf(op.Action))
	if err != nil {
		return sub, err
	}
	next := sub
	next.Status = to
	switch op.Action {
	case ActionSubscribe:
		next.PlanID, next.Quantity = op.PlanID, op.Quantity
		next.TermStart = now.Truncate(24 * time.Hour)
		next.TermEnd = termEnd(next.TermStart, sub.TermUnit)
	case ActionChangePlan, ActionChangeQuantity:
		next.PlanID, next.Quantity = op.PlanID, op.Quantity
	case ActionRenew:
		start := sub.TermEnd.AddDate(0, 0, 1)
		if sub.TermEnd.IsZero() {
			start = now.Truncate(24 * time.Hour)
		}
		next.TermStart, next.TermEnd = start, termEnd(start, sub.TermUnit)
	}
	next.Version++
	next.UpdatedAt = now
	return next, nil
}

// termEnd is the last day of a term starting on start.
func termEnd(start time.Time, unit string) time.Time {
	y, m := 0, 1
	switch unit {
	case "P1Y":
		y, m = 1, 0
	case "P2Y":
		y, m = 2, 0
	case "P3Y":
		y, m = 3, 0
	}
	return start.AddDate(y, m, -1)
}

// raced turns the "row changed meanwhile" of a guarded update into a
// conflict: another request completed the operation first.
func raced(err error) error {
	if errors.Is(err, errs.ErrNotExist) {
		return conflict("The subscription or operation was changed by another request; retry")
	}
	return err
}
