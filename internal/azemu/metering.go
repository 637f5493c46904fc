package azemu

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// The metering API: usage events of a publisher's subscriptions.

// UsageInput is one usage event as posted.
type UsageInput struct {
	ResourceID         string
	Quantity           float64
	Dimension          string
	EffectiveStartTime time.Time
	PlanID             string
}

// UsageResult is the outcome of one event: Event is the accepted event
// (for Accepted, and for Duplicate the event accepted before), Message
// explains any other status.
type UsageResult struct {
	Status  UsageStatus
	Event   UsageEvent
	Message string
	Target  string // the field at fault
}

// PostUsage records usage events, each on its own: the result of each says
// whether it was accepted.
func (s *Service) PostUsage(ctx context.Context, saasID string, in []UsageInput) ([]UsageResult, error) {
	out := make([]UsageResult, len(in))
	err := s.write(ctx, saasID, func(tx Tx, now time.Time) error {
		for i, u := range in {
			r, err := s.usage(ctx, tx, saasID, u, now)
			if err != nil {
				return err
			}
			out[i] = r
		}
		return nil
	})
	return out, err
}

func (s *Service) usage(ctx context.Context, tx Tx, saasID string, u UsageInput, now time.Time) (UsageResult, error) {
	fail := func(st UsageStatus, target, format string, args ...any) (UsageResult, error) {
		return UsageResult{Status: st, Target: target, Message: fmt.Sprintf(format, args...)}, nil
	}
	switch {
	case u.ResourceID == "":
		return fail(UsageBadArgument, "resourceId", "The resourceId is required.")
	case u.Dimension == "":
		return fail(UsageBadArgument, "dimension", "The dimension is required.")
	case u.PlanID == "":
		return fail(UsageBadArgument, "planId", "The planId is required.")
	case u.EffectiveStartTime.IsZero():
		return fail(UsageBadArgument, "effectiveStartTime", "The effectiveStartTime is required.")
	case !(u.Quantity > 0) || math.IsInf(u.Quantity, 0):
		return fail(UsageInvalidQuantity, "quantity", "The quantity must be greater than 0.")
	case u.EffectiveStartTime.Before(now.Add(-UsageMaxAge)):
		return fail(UsageExpired, "effectiveStartTime", "The effectiveStartTime is more than 24 hours in the past.")
	case u.EffectiveStartTime.After(now):
		return fail(UsageBadArgument, "effectiveStartTime", "The effectiveStartTime is in the future.")
	}
	sub, err := tx.Subscription(ctx, saasID, u.ResourceID)
	if errors.Is(err, errs.ErrNotExist) {
		return fail(UsageResourceNotFound, "resourceId", "The resource %s was not found for this publisher.", u.ResourceID)
	}
	if err != nil {
		return UsageResult{}, err
	}
	if sub.Status != StatusSubscribed {
		return fail(UsageResourceNotActive, "resourceId", "The resource %s is %s, not Subscribed.", u.ResourceID, sub.Status.V2())
	}
	if u.PlanID != sub.PlanID {
		return fail(UsageBadArgument, "planId", "The planId %s is not the plan of resource %s.", u.PlanID, u.ResourceID)
	}
	o, err := tx.Offer(ctx, saasID, sub.OfferID)
	if err != nil {
		return UsageResult{}, err
	}
	p, _ := o.Plan(sub.PlanID)
	if _, ok := p.Dimension(u.Dimension); !ok {
		return fail(UsageInvalidDimension, "dimension", "The dimension %s is not a metering dimension of plan %s.", u.Dimension, p.PlanID)
	}
	hour := u.EffectiveStartTime.UTC().Truncate(time.Hour)
	prev, err := tx.AcceptedUsage(ctx, u.ResourceID, u.Dimension, hour)
	switch {
	case err == nil:
		return UsageResult{Status: UsageDuplicate, Event: prev, Message: "This usage event already exist."}, nil
	case !errors.Is(err, errs.ErrNotExist):
		return UsageResult{}, err
	}
	e := UsageEvent{UsageEventID: s.newID(), SaaSID: saasID, ResourceID: u.ResourceID, OfferID: sub.OfferID, PlanID: u.PlanID,
		Dimension: u.Dimension, Quantity: u.Quantity, EffectiveStartTime: u.EffectiveStartTime.UTC(), Hour: hour,
		MessageTime: now, DryRun: sub.DryRun}
	if err := tx.InsertUsage(ctx, e); err != nil {
		return UsageResult{}, err
	}
	return UsageResult{Status: UsageAccepted, Event: e}, nil
}

// UsageQuery filters the usage report.
type UsageQuery struct {
	From, To                   time.Time // To zero: now
	OfferID, PlanID, Dimension string
}

// UsageLine is one line of the usage report: a day's usage of a resource
// on a dimension.
type UsageLine struct {
	Date       time.Time
	ResourceID string
	OfferID    string
	PlanID     string
	Dimension  string
	Quantity   float64
	Count      int
	DryRun     bool
}

// UsageReport sums the SaaS's accepted events per day, resource, plan and
// dimension.
func (s *Service) UsageReport(ctx context.Context, saasID string, q UsageQuery) ([]UsageLine, error) {
	if q.To.IsZero() {
		q.To = s.Now().Add(time.Hour)
	}
	if !q.To.After(q.From) {
		return nil, badArg("usageEndDate must be after usageStartDate")
	}
	var evs []UsageEvent
	err := s.store.ReadTx(ctx, func(tx Tx) (err error) {
		evs, err = tx.Usage(ctx, saasID, q.From, q.To)
		return err
	})
	if err != nil {
		return nil, err
	}
	type key struct {
		date                       time.Time
		resource, offer, plan, dim string
	}
	lines := map[key]*UsageLine{}
	for _, e := range evs {
		if (q.OfferID != "" && e.OfferID != q.OfferID) || (q.PlanID != "" && e.PlanID != q.PlanID) ||
			(q.Dimension != "" && e.Dimension != q.Dimension) {
			continue
		}
		k := key{e.Hour.Truncate(24 * time.Hour), e.ResourceID, e.OfferID, e.PlanID, e.Dimension}
		l := lines[k]
		if l == nil {
			l = &UsageLine{Date: k.date, ResourceID: k.resource, OfferID: k.offer, PlanID: k.plan, Dimension: k.dim, DryRun: e.DryRun}
			lines[k] = l
		}
		l.Quantity += e.Quantity
		l.Count++
	}
	out := make([]UsageLine, 0, len(lines))
	for _, l := range lines {
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.Date.Equal(b.Date) {
			return a.Date.Before(b.Date)
		}
		if a.ResourceID != b.ResourceID {
			return a.ResourceID < b.ResourceID
		}
		return a.Dimension < b.Dimension
	})
	return out, nil
}
