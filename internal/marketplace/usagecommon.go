package marketplace

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// What AWS and Azure usage reporting share: linking meters to dimensions,
// which hours a round may close, and running a round for every SaaS.

// closableHours returns the starts of the first and last hour a round may
// close at now: the last ended at least UsageGrace ago, the first is at
// most closableWindow old, so that it can still be sent within the
// marketplaces' 24 hours.
func closableHours(now time.Time) (first, last time.Time) {
	last = now.Add(-UsageGrace).Truncate(time.Hour).Add(-time.Hour)
	first = now.Add(-closableWindow).Truncate(time.Hour)
	if first.Before(now.Add(-closableWindow)) {
		first = first.Add(time.Hour)
	}
	return first, last
}

// eachSaaS runs round for every SaaS that ids lists, going on after a
// failure; the failures are returned together.
func (s *Service) eachSaaS(ctx context.Context, ids func(Tx) ([]string, error), round func(saasID string) error) error {
	var list []string
	if err := s.store.ReadTx(ctx, func(tx Tx) (err error) {
		list, err = ids(tx)
		return err
	}); err != nil {
		return err
	}
	var failed []error
	for _, id := range list {
		if err := round(id); err != nil {
			failed = append(failed, fmt.Errorf("SaaS %s: %w", id, err))
		}
	}
	return errors.Join(failed...)
}

// linkMeter links the meter named meterName to dimension with put, after
// checking the name exists and the dimension follows the marketplace's
// rule (rule describes it).
func (s *Service) linkMeter(ctx context.Context, saasID, meterName, dimension string, validDimension bool, rule string,
	put func(tx Tx, meterID string) error) error {
	var fe errs.FieldErrors
	if meterName == "" {
		fe.Add("metering_unit_name", "is required")
	}
	if !validDimension {
		fe.Add("dimension", "%s", rule)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		id, err := tx.MeterID(ctx, saasID, meterName)
		if errors.Is(err, errs.ErrNotExist) {
			fe.Add("metering_unit_name", "no metering unit named %q", meterName)
			return fe.Err()
		}
		if err != nil {
			return err
		}
		return put(tx, id)
	})
}

// unlinkMeter removes the meter's link with del; a meter that does not
// exist or is not linked is not found (what names the marketplace's
// dimensions in the message).
func (s *Service) unlinkMeter(ctx context.Context, saasID, meterName, what string, del func(tx Tx, meterID string) error) error {
	return s.store.WriteTx(ctx, func(tx Tx) error {
		id, err := tx.MeterID(ctx, saasID, meterName)
		if err == nil {
			err = del(tx, id)
		}
		if errors.Is(err, errs.ErrNotExist) {
			return errs.NotFound("metering unit %q is not linked to %s", meterName, what)
		}
		return err
	})
}
