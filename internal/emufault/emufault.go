// Package emufault is what the AWS and Azure emulators' injected faults
// share: how a fault is stored (a Row: what it targets, the emulator's
// JSON of the rest, the calls it still affects), the transaction methods
// that store and consume them, and a Book that adds, lists, clears and
// takes one emulator's faults through its store. Faults are rows of the
// database, so every node of one database sees and consumes the same
// ones. What a fault means stays with each emulator.
package emufault

import (
	"context"
	"time"
)

// Row is a stored fault: what it targets (Kind), the rest of it as the
// emulator's JSON, and how many calls it still affects.
type Row struct {
	Kind      string
	Fault     string
	Remaining int
}

// Tx is the part of an emulator's transaction that stores its faults.
type Tx interface {
	// InsertFault stores a fault of the SaaS: kind is what it targets,
	// fault the rest of it (JSON), count the calls it affects.
	InsertFault(ctx context.Context, saasID, kind, fault string, count int, at time.Time) error
	// Faults returns the SaaS's faults in the order they were added, with
	// the calls each still affects.
	Faults(ctx context.Context, saasID string) ([]Row, error)
	ClearFaults(ctx context.Context, saasID string) error
	// AnyFaults reports whether any SaaS has a fault (a cheap read before
	// a take).
	AnyFaults(ctx context.Context) (bool, error)
	// TakeFault consumes one call of the SaaS's first fault whose kind is
	// one of kinds; ok is false when there is none. Concurrent takes are
	// serialized: a fault of count n affects exactly n calls.
	TakeFault(ctx context.Context, saasID string, kinds []string) (f Row, ok bool, err error)
}

// TxFunc runs fn in a transaction of an emulator's store (its ReadTx or
// WriteTx).
type TxFunc[T any] func(ctx context.Context, fn func(T) error) error

// Book keeps one emulator's faults of type F in its store, whose
// transactions are T.
type Book[T Tx, F any] struct {
	Read, Write TxFunc[T]
	// Decode turns a stored row back into the emulator's fault.
	Decode func(Row) (F, error)
}

// Add stores a fault of the SaaS (kind, the emulator's JSON of the rest,
// the calls it affects), validated by the caller.
func (b Book[T, F]) Add(ctx context.Context, saasID, kind, fault string, count int, at time.Time) error {
	return b.Write(ctx, func(tx T) error { return tx.InsertFault(ctx, saasID, kind, fault, count, at) })
}

// List returns the SaaS's pending faults, in the order they were added.
func (b Book[T, F]) List(ctx context.Context, saasID string) ([]F, error) {
	var rows []Row
	if err := b.Read(ctx, func(tx T) (err error) { rows, err = tx.Faults(ctx, saasID); return err }); err != nil {
		return nil, err
	}
	out := make([]F, 0, len(rows))
	for _, r := range rows {
		f, err := b.Decode(r)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// Clear removes the SaaS's pending faults.
func (b Book[T, F]) Clear(ctx context.Context, saasID string) error {
	return b.Write(ctx, func(tx T) error { return tx.ClearFaults(ctx, saasID) })
}

// Take consumes one call of the SaaS's first fault of one of kinds, after
// a cheap read that finds no fault at all in the common case.
func (b Book[T, F]) Take(ctx context.Context, saasID string, kinds ...string) (F, bool, error) {
	var zero F
	var any bool
	if err := b.Read(ctx, func(tx T) (err error) { any, err = tx.AnyFaults(ctx); return err }); err != nil || !any {
		return zero, false, err
	}
	var row Row
	var ok bool
	if err := b.Write(ctx, func(tx T) (err error) { row, ok, err = tx.TakeFault(ctx, saasID, kinds); return err }); err != nil || !ok {
		return zero, false, err
	}
	f, err := b.Decode(row)
	return f, err == nil, err
}
