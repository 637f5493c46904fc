package marketplace

import (
	"context"
	"errors"

	"github.com/saasplane/saasplane/internal/errs"
)

// MeterDimension links a meter to the marketplace dimension it is
// reported as.
type MeterDimension struct {
	MeterID   string
	MeterName string
	Dimension string
	// Max is true for meters with aggregate_usage max: an hour reports
	// its largest entry instead of the sum.
	Max bool
}

// LinkMeter links the meter named meterName to dimension with put, in a
// transaction of write, after checking the name exists and the dimension
// follows the marketplace's rule (rule describes it).
func LinkMeter[T Tx](ctx context.Context, write TxFunc[T], saasID, meterName, dimension string, validDimension bool, rule string,
	put func(tx T, meterID string) error) error {
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
	return write(ctx, func(tx T) error {
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

// UnlinkMeter removes the meter's link with del, in a transaction of
// write; a meter that does not exist or is not linked is not found (what
// names the marketplace's dimensions in the message).
func UnlinkMeter[T Tx](ctx context.Context, write TxFunc[T], saasID, meterName, what string, del func(tx T, meterID string) error) error {
	return write(ctx, func(tx T) error {
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
