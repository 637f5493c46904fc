package azemu

import (
	"context"
	"time"
)

// ---- the end of a term ----

// termEndedBy is the cutoff of DueRenewals at now: a term's TermEnd is its
// last day (00:00 UTC), so it ends one day later.
func termEndedBy(now time.Time) time.Time { return now.Add(-24 * time.Hour) }

// endTerms does what the marketplace does at the end of a term of the
// SaaS's (every SaaS's for "") Subscribed subscriptions: one with
// AutoRenew renews (the customer-side Renew: the term rolls one term
// forward and a Renew webhook from Azure is queued), one without is
// unsubscribed (the customer-side Unsubscribe). Several missed terms roll
// one at a time, each with its own operation and webhook, as the
// marketplace renews (and bills) every term. A subscription with an
// operation in progress renews once that operation completes.
func (s *Service) endTerms(ctx context.Context, tx Tx, saasID string, now time.Time) error {
	const batch = 50
	// Each pass rolls every due subscription one term; a subscription that
	// missed several terms is still due and rolls again in the next pass.
	// A term is at least a month, so the passes are bounded by the months
	// the clock jumped; the bound guards against a defect looping.
	for range 10_000 {
		due, err := tx.DueRenewals(ctx, saasID, termEndedBy(now), batch)
		if err != nil {
			return err
		}
		done := 0
		for _, d := range due {
			ok, err := s.endTerm(ctx, tx, d, now)
			if err != nil {
				return err
			}
			if ok {
				done++
			}
		}
		if done == 0 {
			return nil
		}
	}
	return nil
}

// endTerm ends the term of a subscription DueRenewals returned, unless the
// stored subscription moved on meanwhile (its term was rolled already, or
// it is no longer Subscribed). ok reports whether it did.
func (s *Service) endTerm(ctx context.Context, tx Tx, due Subscription, now time.Time) (ok bool, err error) {
	sub, err := tx.Subscription(ctx, due.SaaSID, due.ID)
	if err != nil {
		return false, err
	}
	if sub.Status != StatusSubscribed || sub.TermEnd.IsZero() || !sub.TermEnd.Equal(due.TermEnd) ||
		sub.TermEnd.After(termEndedBy(now)) {
		return false, nil
	}
	in := CustomerActionInput{Action: ActionUnsubscribe}
	if sub.AutoRenew {
		ops, err := tx.Operations(ctx, sub.SaaSID, sub.ID, true)
		if err != nil || len(ops) > 0 {
			return false, err // renewed after the operation in progress
		}
		in.Action = ActionRenew
	}
	if _, err := s.customerAction(ctx, tx, sub.SaaSID, sub.ID, in, now); err != nil {
		return false, err
	}
	return true, nil
}
