package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/events"
	"github.com/saasplane/saasplane/internal/integration"
)

// eventsStore adapts DB to events.Store.
type eventsStore struct{ db *DB }

type eventsTx struct{ t *Tx }

// Events returns the outbound events' view of the database.
func (db *DB) Events() events.Store { return eventsStore{db} }

var (
	_ events.Store = eventsStore{}
	_ events.Tx    = eventsTx{}
)

func (s eventsStore) ReadTx(ctx context.Context, fn func(events.Tx) error) error {
	return s.db.Read(ctx, func(tx *Tx) error { return fn(eventsTx{tx}) })
}

func (s eventsStore) WriteTx(ctx context.Context, fn func(events.Tx) error) error {
	return s.db.Write(ctx, func(tx *Tx) error { return fn(eventsTx{tx}) })
}

// openPendingEvent opens the event of ctx's request, if it has one not
// yet opened, in t: the transaction of the request's write. It returns
// the Pending to mark once t commits, or nil.
func (t *Tx) openPendingEvent(ctx context.Context) (*events.Pending, error) {
	p := events.PendingFrom(ctx)
	if p == nil || p.Opened() {
		return nil, nil
	}
	opened, err := eventsTx{t}.openEvents(ctx, []*events.Pending{p})
	if err != nil || len(opened) == 0 {
		return nil, err
	}
	return p, nil
}

// openEvents opens the events of ps whose SaaS has a delivery target,
// reading that once per SaaS before any event is made (so a SaaS without
// one pays neither its bodies' redaction nor an insert), and returns the
// ones it opened.
func (x eventsTx) openEvents(ctx context.Context, ps []*events.Pending) ([]*events.Pending, error) {
	has := map[string]bool{}
	var opened []*events.Pending
	for _, p := range ps {
		h, seen := has[p.SaaSID]
		if !seen {
			var err error
			if h, err = x.HasTargets(ctx, p.SaaSID); err != nil {
				return nil, err
			}
			has[p.SaaSID] = h
		}
		if !h {
			continue
		}
		ok, err := x.OpenEvent(ctx, p.RequestID, p.Event())
		if err != nil {
			return nil, err
		}
		if ok {
			opened = append(opened, p)
		}
	}
	return opened, nil
}

func (x eventsTx) Endpoints(ctx context.Context, saasID string) ([]events.Endpoint, error) {
	rows, err := x.t.query(ctx, `SELECT id, url, secret, description, created_at FROM event_endpoints
		WHERE saas_id = ? ORDER BY created_at, id`, saasID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []events.Endpoint{}
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	eb, err := x.eventBridge(ctx, saasID)
	if errors.Is(err, errs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	i, _ := slices.BinarySearchFunc(out, eb, func(a, b events.Endpoint) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return slices.Insert(out, i, eb), nil
}

// eventBridge returns the SaaS's EventBridge endpoint, made of its
// Integration API settings: errs.ErrNotExist without them.
func (x eventsTx) eventBridge(ctx context.Context, saasID string) (events.Endpoint, error) {
	var st integration.EventBridgeSettings
	var updated int64
	err := x.t.queryRow(ctx, `SELECT aws_account_id, aws_region, updated_at FROM integration_eventbridge_settings
		WHERE saas_id = ?`, saasID).Scan(&st.AWSAccountID, &st.AWSRegion, &updated)
	if err != nil {
		return events.Endpoint{}, noRow(err)
	}
	return events.Endpoint{ID: events.EventBridgeID, URL: st.EventBusARN(), CreatedAt: fromMicros(updated),
		Description: "Amazon EventBridge, from the Integration API settings"}, nil
}

func scanEndpoint(r rowScanner) (events.Endpoint, error) {
	var e events.Endpoint
	var created int64
	err := r.Scan(&e.ID, &e.URL, &e.Secret, &e.Description, &created)
	e.CreatedAt = fromMicros(created)
	return e, err
}

func (x eventsTx) Endpoint(ctx context.Context, saasID, id string) (events.Endpoint, error) {
	if id == events.EventBridgeID {
		return x.eventBridge(ctx, saasID)
	}
	e, err := scanEndpoint(x.t.queryRow(ctx, `SELECT id, url, secret, description, created_at FROM event_endpoints
		WHERE saas_id = ? AND id = ?`, saasID, id))
	return e, noRow(err)
}

// noRow maps sql.ErrNoRows to errs.ErrNotExist.
func noRow(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.ErrNotExist
	}
	return err
}

func (x eventsTx) InsertEndpoint(ctx context.Context, saasID string, e events.Endpoint) error {
	_, err := x.t.exec(ctx, `INSERT INTO event_endpoints (saas_id, id, url, secret, description, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, saasID, e.ID, e.URL, e.Secret, e.Description, micros(e.CreatedAt))
	return err
}

func (x eventsTx) DeleteEndpoint(ctx context.Context, saasID, id string) error {
	if _, err := x.t.exec(ctx, `DELETE FROM event_deliveries WHERE saas_id = ? AND endpoint_id = ?`, saasID, id); err != nil {
		return err
	}
	return affected(x.t.exec(ctx, `DELETE FROM event_endpoints WHERE saas_id = ? AND id = ?`, saasID, id))
}

// hasTargets is the condition, on the SaaS bound to both its
// placeholders, that the SaaS has somewhere to deliver events: a webhook
// endpoint or EventBridge settings.
const hasTargets = `(EXISTS (SELECT 1 FROM event_endpoints WHERE saas_id = ?)
	OR EXISTS (SELECT 1 FROM integration_eventbridge_settings WHERE saas_id = ?))`

func (x eventsTx) HasTargets(ctx context.Context, saasID string) (bool, error) {
	var ok bool
	err := x.t.queryRow(ctx, `SELECT `+hasTargets, saasID, saasID).Scan(&ok)
	return ok, err
}

func callJSON(c events.Call) (string, error) {
	b, err := json.Marshal(c)
	return string(b), err
}

func (x eventsTx) OpenEvent(ctx context.Context, requestID string, e events.Event) (bool, error) {
	rec, err := callJSON(e.Call)
	if err != nil {
		return false, err
	}
	res, err := x.t.exec(ctx, `INSERT INTO events (saas_id, id, request_id, seq, state, event_type, trace_id, created_at, record, body)
		SELECT ?, ?, ?, NULL, 'open', ?, ?, ?, ?, '' WHERE `+hasTargets+`
		ON CONFLICT (saas_id, request_id) DO NOTHING`,
		e.SaaSID, e.ID, requestID, e.Type, e.TraceID, micros(e.CreatedAt), rec, e.SaaSID, e.SaaSID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

const eventColumns = `id, saas_id, COALESCE(seq, 0), event_type, trace_id, created_at, record, body`

func scanEvent(r rowScanner) (events.Event, error) {
	var e events.Event
	var created int64
	var rec, body string
	if err := r.Scan(&e.ID, &e.SaaSID, &e.Seq, &e.Type, &e.TraceID, &created, &rec, &body); err != nil {
		return e, err
	}
	e.CreatedAt = fromMicros(created)
	if err := json.Unmarshal([]byte(rec), &e.Call); err != nil {
		return e, fmt.Errorf("event %s: record: %w", e.ID, err)
	}
	if body != "" {
		e.Body = json.RawMessage(body)
	}
	return e, nil
}

func (x eventsTx) EventOfRequest(ctx context.Context, saasID, requestID string) (events.Event, error) {
	e, err := scanEvent(x.t.queryRow(ctx, `SELECT `+eventColumns+` FROM events WHERE saas_id = ? AND request_id = ?`, saasID, requestID))
	return e, noRow(err)
}

func (x eventsTx) NextSeq(ctx context.Context, saasID string) (int64, error) {
	var n int64
	err := x.t.queryRow(ctx, `INSERT INTO event_counters (saas_id, seq) VALUES (?, 1)
		ON CONFLICT (saas_id) DO UPDATE SET seq = event_counters.seq + 1 RETURNING seq`, saasID).Scan(&n)
	return n, err
}

func (x eventsTx) CompleteEvent(ctx context.Context, e events.Event) error {
	rec, err := callJSON(e.Call)
	if err != nil {
		return err
	}
	return affected(x.t.exec(ctx, `UPDATE events SET state = 'ready', seq = ?, record = ?, body = ?
		WHERE saas_id = ? AND id = ? AND state = 'open'`, e.Seq, rec, string(e.Body), e.SaaSID, e.ID))
}

func (x eventsTx) InsertReadyEvent(ctx context.Context, requestID string, e events.Event) error {
	rec, err := callJSON(e.Call)
	if err != nil {
		return err
	}
	_, err = x.t.exec(ctx, `INSERT INTO events (saas_id, id, request_id, seq, state, event_type, trace_id, created_at, record, body)
		VALUES (?, ?, ?, ?, 'ready', ?, ?, ?, ?, ?)`,
		e.SaaSID, e.ID, requestID, e.Seq, e.Type, e.TraceID, micros(e.CreatedAt), rec, string(e.Body))
	return err
}

func (x eventsTx) OpenEvents(ctx context.Context, before time.Time, limit int) ([]events.Event, error) {
	return x.events(ctx, `SELECT `+eventColumns+` FROM events WHERE state = 'open' AND created_at < ?
		ORDER BY created_at LIMIT ?`, micros(before), limit)
}

func (x eventsTx) Events(ctx context.Context, saasID string, beforeSeq int64, limit int) ([]events.Event, error) {
	if beforeSeq <= 0 {
		beforeSeq = 1 << 62
	}
	return x.events(ctx, `SELECT `+eventColumns+` FROM events WHERE saas_id = ? AND state = 'ready' AND seq < ?
		ORDER BY seq DESC LIMIT ?`, saasID, beforeSeq, limit)
}

func (x eventsTx) events(ctx context.Context, q string, args ...any) ([]events.Event, error) {
	rows, err := x.t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []events.Event{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (x eventsTx) QueueDelivery(ctx context.Context, d events.Delivery) (bool, error) {
	busy, err := x.t.exists(ctx, `SELECT 1 FROM event_deliveries WHERE saas_id = ? AND endpoint_id = ? AND state = 'pending'`,
		d.SaaSID, d.EndpointID)
	if err != nil {
		return false, err
	}
	_, err = x.t.exec(ctx, `INSERT INTO event_deliveries (saas_id, endpoint_id, event_seq, state, attempts, next_at,
		first_failed_at, last_attempt_at, last_status, last_error, delivered_at) VALUES (?, ?, ?, 'pending', 0, ?, 0, 0, 0, '', 0)`,
		d.SaaSID, d.EndpointID, d.EventSeq, micros(d.NextAt))
	return !busy, err
}

const deliveryColumns = `d.saas_id, d.endpoint_id, d.event_seq, e.id, e.event_type, d.state, d.attempts, d.next_at,
	d.first_failed_at, d.last_attempt_at, d.last_status, d.last_error, d.delivered_at`

const deliveryJoin = ` FROM event_deliveries d JOIN events e ON e.saas_id = d.saas_id AND e.seq = d.event_seq`

func scanDelivery(r rowScanner) (events.Delivery, error) {
	var d events.Delivery
	var next, failed, last, delivered int64
	var state string
	err := r.Scan(&d.SaaSID, &d.EndpointID, &d.EventSeq, &d.EventID, &d.EventType, &state, &d.Attempts, &next,
		&failed, &last, &d.LastStatus, &d.LastError, &delivered)
	d.State, d.NextAt = events.State(state), fromMicros(next)
	d.FirstFailedAt, d.LastAttemptAt, d.DeliveredAt = fromOptMicros(failed), fromOptMicros(last), fromOptMicros(delivered)
	return d, err
}

func (x eventsTx) NextDelivery(ctx context.Context, saasID, endpointID string) (events.Delivery, events.Event, error) {
	var e events.Event
	var created int64
	var rec, body string
	d, err := scanDelivery(scanWith(x.t.queryRow(ctx, `SELECT `+deliveryColumns+`, e.trace_id, e.created_at, e.record, e.body`+deliveryJoin+`
		WHERE d.saas_id = ? AND d.endpoint_id = ? AND d.state = 'pending' ORDER BY d.event_seq LIMIT 1`, saasID, endpointID),
		&e.TraceID, &created, &rec, &body))
	if err != nil {
		return d, e, noRow(err)
	}
	e.ID, e.SaaSID, e.Seq, e.Type, e.CreatedAt, e.Body = d.EventID, d.SaaSID, d.EventSeq, d.EventType, fromMicros(created), json.RawMessage(body)
	if err := json.Unmarshal([]byte(rec), &e.Call); err != nil {
		return d, e, fmt.Errorf("event %s: record: %w", e.ID, err)
	}
	return d, e, nil
}

func (x eventsTx) UpdateDelivery(ctx context.Context, d events.Delivery) error {
	return affected(x.t.exec(ctx, `UPDATE event_deliveries SET state = ?, attempts = ?, next_at = ?, first_failed_at = ?,
		last_attempt_at = ?, last_status = ?, last_error = ?, delivered_at = ?
		WHERE saas_id = ? AND endpoint_id = ? AND event_seq = ?`,
		string(d.State), d.Attempts, micros(d.NextAt), optMicros(d.FirstFailedAt), optMicros(d.LastAttemptAt),
		d.LastStatus, d.LastError, optMicros(d.DeliveredAt), d.SaaSID, d.EndpointID, d.EventSeq))
}

func (x eventsTx) Delivery(ctx context.Context, saasID, endpointID, eventID string) (events.Delivery, error) {
	d, err := scanDelivery(x.t.queryRow(ctx, `SELECT `+deliveryColumns+deliveryJoin+`
		WHERE d.saas_id = ? AND d.endpoint_id = ? AND e.id = ?`, saasID, endpointID, eventID))
	return d, noRow(err)
}

func (x eventsTx) Deliveries(ctx context.Context, saasID, endpointID string, f events.DeliveryFilter) ([]events.Delivery, error) {
	before := f.BeforeSeq
	if before <= 0 {
		before = 1 << 62
	}
	q, args := `SELECT `+deliveryColumns+deliveryJoin+` WHERE d.saas_id = ? AND d.endpoint_id = ? AND d.event_seq < ?`,
		[]any{saasID, endpointID, before}
	if f.State != "" {
		q, args = q+` AND d.state = ?`, append(args, string(f.State))
	}
	rows, err := x.t.query(ctx, q+` ORDER BY d.event_seq DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []events.Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (x eventsTx) PurgeEvents(ctx context.Context, before time.Time) (int64, error) {
	old := `SELECT e.saas_id, e.seq FROM events e WHERE e.state = 'ready' AND e.created_at < ?
		AND NOT EXISTS (SELECT 1 FROM event_deliveries d WHERE d.saas_id = e.saas_id AND d.event_seq = e.seq AND d.state = 'pending')`
	if _, err := x.t.exec(ctx, `DELETE FROM event_deliveries WHERE (saas_id, event_seq) IN (`+old+`)`, micros(before)); err != nil {
		return 0, err
	}
	res, err := x.t.exec(ctx, `DELETE FROM events WHERE state = 'ready' AND created_at < ?
		AND NOT EXISTS (SELECT 1 FROM event_deliveries d WHERE d.saas_id = events.saas_id AND d.event_seq = events.seq)`, micros(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (x eventsTx) OutboxStats(ctx context.Context) (events.OutboxStats, error) {
	var st events.OutboxStats
	var oldest int64
	err := x.t.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM event_deliveries WHERE state = 'pending'),
		(SELECT COUNT(*) FROM event_deliveries WHERE state = 'dead'),
		COALESCE((SELECT MIN(e.created_at)`+deliveryJoin+` WHERE d.state = 'pending'), 0)`).Scan(&st.Pending, &st.Dead, &oldest)
	st.Oldest = fromOptMicros(oldest)
	return st, err
}

func (x eventsTx) EnqueueJob(ctx context.Context, job events.Job) error { return x.t.enqueue(ctx, job) }
