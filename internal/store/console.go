package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// ConsoleSessions keeps the console's signed-out sessions
// (console_revoked_sessions) for every node; internal/console's
// Revocations.
type ConsoleSessions struct{ db *DB }

// ConsoleSessions returns the console's view of the database.
func (db *DB) ConsoleSessions() ConsoleSessions { return ConsoleSessions{db} }

// RevokeConsoleSession records that session id is signed out until its
// expiry, and forgets the sessions past theirs.
func (s ConsoleSessions) RevokeConsoleSession(ctx context.Context, id string, until, now time.Time) error {
	return s.db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM console_revoked_sessions WHERE until_at < ?`, now.Unix()); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO console_revoked_sessions (id, until_at) VALUES (?, ?)
			ON CONFLICT (id) DO NOTHING`, id, until.Unix())
		return err
	})
}

// ConsoleSessionRevoked reports whether session id was signed out.
func (s ConsoleSessions) ConsoleSessionRevoked(ctx context.Context, id string) (bool, error) {
	var one int
	err := s.db.Read(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT 1 FROM console_revoked_sessions WHERE id = ?`, id).Scan(&one)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
