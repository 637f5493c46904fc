package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/events"
	"github.com/saasplane/saasplane/internal/integration"
)

// integrationStore adapts DB to integration.Store: one row of
// integration_eventbridge_settings per SaaS.
type integrationStore struct{ db *DB }

// Integration returns the Integration API's view of the database.
func (db *DB) Integration() integration.Store { return integrationStore{db} }

var _ integration.Store = integrationStore{}

func (s integrationStore) EventBridgeSettings(ctx context.Context, saasID string) (integration.EventBridgeSettings, error) {
	var st integration.EventBridgeSettings
	err := s.db.Read(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT aws_account_id, aws_region FROM integration_eventbridge_settings WHERE saas_id = ?`, saasID).
			Scan(&st.AWSAccountID, &st.AWSRegion)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return integration.EventBridgeSettings{}, errs.ErrNotExist
	}
	return st, err
}

func (s integrationStore) PutEventBridgeSettings(ctx context.Context, saasID string, st integration.EventBridgeSettings, at time.Time) error {
	return s.db.Write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO integration_eventbridge_settings (saas_id, aws_account_id, aws_region, updated_at)
			VALUES (?, ?, ?, ?)
			ON CONFLICT (saas_id) DO UPDATE SET aws_account_id = excluded.aws_account_id, aws_region = excluded.aws_region,
			updated_at = excluded.updated_at`, saasID, st.AWSAccountID, st.AWSRegion, micros(at))
		return err
	})
}

func (s integrationStore) DeleteEventBridgeSettings(ctx context.Context, saasID string) error {
	return s.db.Write(ctx, func(tx *Tx) error {
		// The settings are the SaaS's EventBridge endpoint of the events
		// (eventsTx.Endpoints): its queue goes with them, as a deleted
		// webhook's does.
		if _, err := tx.exec(ctx, `DELETE FROM event_deliveries WHERE saas_id = ? AND endpoint_id = ?`, saasID, events.EventBridgeID); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM integration_eventbridge_settings WHERE saas_id = ?`, saasID)
		return err
	})
}

// The AWS emulator's EventBridge (awsemu_events).

const awsemuEventColumns = `event_id, saas_id, region, event_bus, source, detail_type, detail, event_time, received_at`

func (x awsemuTx) InsertEvent(ctx context.Context, e awsemu.ReceivedEvent) error {
	_, err := x.t.exec(ctx, `INSERT INTO awsemu_events (`+awsemuEventColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.EventID, e.SaaSID, e.Region, e.EventBus, e.Source, e.DetailType, e.Detail, micros(e.Time), micros(e.ReceivedAt))
	return err
}

func (x awsemuTx) Events(ctx context.Context, saasID string, limit int) ([]awsemu.ReceivedEvent, error) {
	rows, err := x.t.query(ctx, `SELECT `+awsemuEventColumns+` FROM awsemu_events WHERE saas_id = ? ORDER BY seq DESC LIMIT ?`, saasID, limit)
	return scanRows(rows, err, func(r rowScanner) (awsemu.ReceivedEvent, error) {
		var e awsemu.ReceivedEvent
		var at, received int64
		err := r.Scan(&e.EventID, &e.SaaSID, &e.Region, &e.EventBus, &e.Source, &e.DetailType, &e.Detail, &at, &received)
		e.Time, e.ReceivedAt = fromMicros(at), fromMicros(received)
		return e, err
	})
}
