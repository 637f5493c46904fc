package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/azemu"
)

// The emulators' injected faults (emulator_faults): one row per fault,
// consumed one call at a time by whichever node serves the call. Both
// emulators' Tx types delegate here with their own emulator name.

// storedFault is a fault row; each emulator has the same struct as its
// FaultRow.
type storedFault struct {
	Kind      string
	Fault     string // the emulator's JSON of the fault's other fields
	Remaining int
}

func (t *Tx) insertFault(ctx context.Context, emulator, saasID, kind, fault string, count int, at time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO emulator_faults (emulator, saas_id, kind, fault, remaining, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, emulator, saasID, kind, fault, count, micros(at))
	return err
}

func (t *Tx) faults(ctx context.Context, emulator, saasID string) ([]storedFault, error) {
	rows, err := t.query(ctx, `SELECT kind, fault, remaining FROM emulator_faults WHERE emulator = ? AND saas_id = ?
		ORDER BY seq`, emulator, saasID)
	return scanRows(rows, err, func(r rowScanner) (storedFault, error) {
		var f storedFault
		err := r.Scan(&f.Kind, &f.Fault, &f.Remaining)
		return f, err
	})
}

func (t *Tx) clearFaults(ctx context.Context, emulator, saasID string) error {
	_, err := t.exec(ctx, `DELETE FROM emulator_faults WHERE emulator = ? AND saas_id = ?`, emulator, saasID)
	return err
}

func (t *Tx) hasFaults(ctx context.Context, emulator string) (bool, error) {
	return t.exists(ctx, `SELECT 1 FROM emulator_faults WHERE emulator = ?`, emulator)
}

// takeFault consumes one call of the SaaS's first fault of one of kinds:
// its remaining count drops by one, and the row goes at zero. Two nodes
// taking at once are serialized (SQLite's single writer, PostgreSQL's
// serializable retry), so a fault of count n affects exactly n calls.
func (t *Tx) takeFault(ctx context.Context, emulator, saasID string, kinds []string) (storedFault, bool, error) {
	if len(kinds) == 0 {
		return storedFault{}, false, nil
	}
	args := []any{emulator, saasID}
	for _, k := range kinds {
		args = append(args, k)
	}
	var seq int64
	var f storedFault
	err := t.queryRow(ctx, byIDs(`SELECT seq, kind, fault, remaining FROM emulator_faults WHERE emulator = ? AND saas_id = ?`,
		"kind", kinds)+` ORDER BY seq LIMIT 1`, args...).Scan(&seq, &f.Kind, &f.Fault, &f.Remaining)
	if errors.Is(err, sql.ErrNoRows) {
		return storedFault{}, false, nil
	}
	if err != nil {
		return storedFault{}, false, err
	}
	if f.Remaining <= 1 {
		_, err = t.exec(ctx, `DELETE FROM emulator_faults WHERE seq = ?`, seq)
	} else {
		_, err = t.exec(ctx, `UPDATE emulator_faults SET remaining = remaining - 1 WHERE seq = ?`, seq)
	}
	return f, err == nil, err
}

// The emulators' Tx methods over the shared table.

func (x awsemuTx) InsertFault(ctx context.Context, saasID, kind, fault string, count int, at time.Time) error {
	return x.t.insertFault(ctx, "aws", saasID, kind, fault, count, at)
}

func (x awsemuTx) Faults(ctx context.Context, saasID string) ([]awsemu.FaultRow, error) {
	fs, err := x.t.faults(ctx, "aws", saasID)
	out := make([]awsemu.FaultRow, len(fs))
	for i, f := range fs {
		out[i] = awsemu.FaultRow(f)
	}
	return out, err
}

func (x awsemuTx) ClearFaults(ctx context.Context, saasID string) error {
	return x.t.clearFaults(ctx, "aws", saasID)
}

func (x awsemuTx) AnyFaults(ctx context.Context) (bool, error) { return x.t.hasFaults(ctx, "aws") }

func (x awsemuTx) TakeFault(ctx context.Context, saasID string, kinds []string) (awsemu.FaultRow, bool, error) {
	f, ok, err := x.t.takeFault(ctx, "aws", saasID, kinds)
	return awsemu.FaultRow(f), ok, err
}

func (x azemuTx) InsertFault(ctx context.Context, saasID, kind, fault string, count int, at time.Time) error {
	return x.t.insertFault(ctx, "azure", saasID, kind, fault, count, at)
}

func (x azemuTx) Faults(ctx context.Context, saasID string) ([]azemu.FaultRow, error) {
	fs, err := x.t.faults(ctx, "azure", saasID)
	out := make([]azemu.FaultRow, len(fs))
	for i, f := range fs {
		out[i] = azemu.FaultRow(f)
	}
	return out, err
}

func (x azemuTx) ClearFaults(ctx context.Context, saasID string) error {
	return x.t.clearFaults(ctx, "azure", saasID)
}

func (x azemuTx) AnyFaults(ctx context.Context) (bool, error) { return x.t.hasFaults(ctx, "azure") }

func (x azemuTx) TakeFault(ctx context.Context, saasID string, kinds []string) (azemu.FaultRow, bool, error) {
	f, ok, err := x.t.takeFault(ctx, "azure", saasID, kinds)
	return azemu.FaultRow(f), ok, err
}
