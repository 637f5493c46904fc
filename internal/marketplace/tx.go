package marketplace

import (
	"context"
	"errors"

	"github.com/saasplane/saasplane/internal/errs"
)

// Tx is the part of a marketplace's transaction that reads the rest of the
// SaaS: its pricing plans, its meters and their usage. The Tx of each
// marketplace package embeds it. Every method is scoped to one SaaS;
// missing rows are errs.ErrNotExist.
type Tx interface {
	// PricingPlanIDs returns those of ids that name a pricing plan of the
	// SaaS, in no particular order.
	PricingPlanIDs(ctx context.Context, saasID string, ids ...string) ([]string, error)
	// MeterID returns the id of the meter named name.
	MeterID(ctx context.Context, saasID, name string) (string, error)
	// HourUsage returns the sum (or, with max, the largest) of a counter's
	// entries with from <= ts < to.
	HourUsage(ctx context.Context, saasID, tenantID, meterID string, from, to int64, max bool) (int64, error)
}

// TxFunc runs fn in one transaction: the ReadTx or WriteTx of a
// marketplace's Store, whose transactions are of type T.
type TxFunc[T any] func(ctx context.Context, fn func(T) error) error

// SaaSNotFound turns a missing settings row's SaaS into a caller-facing
// error.
func SaaSNotFound(err error, saasID string) error {
	if errors.Is(err, errs.ErrNotExist) {
		return errs.NotFound("SaaS %q not found", saasID)
	}
	return err
}
