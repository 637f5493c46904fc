package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/emufault"
)

// The emulators' injected faults (emulator_faults): one row per fault,
// consumed one call at a time by whichever node serves the call.

// faultsTx is the emufault.Tx of one emulator over the shared table;
// both emulators' Tx types embed one with their own emulator name.
type faultsTx struct {
	t        *Tx
	emulator string // "aws" or "azure"
}

var _ emufault.Tx = faultsTx{}

func (x faultsTx) InsertFault(ctx context.Context, saasID, kind, fault string, count int, at time.Time) error {
	_, err := x.t.exec(ctx, `INSERT INTO emulator_faults (emulator, saas_id, kind, fault, remaining, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, x.emulator, saasID, kind, fault, count, micros(at))
	return err
}

func (x faultsTx) Faults(ctx context.Context, saasID string) ([]emufault.Row, error) {
	rows, err := x.t.query(ctx, `SELECT kind, fault, remaining FROM emulator_faults WHERE emulator = ? AND saas_id = ?
		ORDER BY seq`, x.emulator, saasID)
	return scanRows(rows, err, func(r rowScanner) (emufault.Row, error) {
		var f emufault.Row
		err := r.Scan(&f.Kind, &f.Fault, &f.Remaining)
		return f, err
	})
}

func (x faultsTx) ClearFaults(ctx context.Context, saasID string) error {
	_, err := x.t.exec(ctx, `DELETE FROM emulator_faults WHERE emulator = ? AND saas_id = ?`, x.emulator, saasID)
	return err
}

func (x faultsTx) AnyFaults(ctx context.Context) (bool, error) {
	return x.t.exists(ctx, `SELECT 1 FROM emulator_faults WHERE emulator = ?`, x.emulator)
}

// TakeFault consumes one call of the SaaS's first fault of one of kinds:
// its remaining count drops by one, and the row goes at zero. Two nodes
// taking at once are serialized (SQLite's single writer, PostgreSQL's
// serializable retry), so a fault of count n affects exactly n calls.
func (x faultsTx) TakeFault(ctx context.Context, saasID string, kinds []string) (emufault.Row, bool, error) {
	if len(kinds) == 0 {
		return emufault.Row{}, false, nil
	}
	args := []any{x.emulator, saasID}
	for _, k := range kinds {
		args = append(args, k)
	}
	var seq int64
	var f emufault.Row
	err := x.t.queryRow(ctx, byIDs(`SELECT seq, kind, fault, remaining FROM emulator_faults WHERE emulator = ? AND saas_id = ?`,
		"kind", kinds)+` ORDER BY seq LIMIT 1`, args...).Scan(&seq, &f.Kind, &f.Fault, &f.Remaining)
	if errors.Is(err, sql.ErrNoRows) {
		return emufault.Row{}, false, nil
	}
	if err != nil {
		return emufault.Row{}, false, err
	}
	if f.Remaining <= 1 {
		_, err = x.t.exec(ctx, `DELETE FROM emulator_faults WHERE seq = ?`, seq)
	} else {
		_, err = x.t.exec(ctx, `UPDATE emulator_faults SET remaining = remaining - 1 WHERE seq = ?`, seq)
	}
	return f, err == nil, err
}
