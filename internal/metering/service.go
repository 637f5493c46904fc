package metering

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/events"
)

// Update is one change to a count.
type Update struct {
	SaaSID    string
	TenantID  string
	MeterName string
	// Timestamp is the second of the entry; with AtNow the committer uses
	// its own clock instead, at the moment the update is applied.
	Timestamp int64
	AtNow     bool
	Method    Method // or methodDelete
	Count     int64
	// IdempotencyKey, when set, makes a retry with the same key return the
	// first result without applying the change again. RequestHash
	// identifies the request, so a key reused for another one is refused.
	IdempotencyKey string
	RequestHash    string
}

// Result is the outcome of an update: the entry's count after it.
type Result struct {
	MeterName string `json:"metering_unit_name"`
	Timestamp int64  `json:"timestamp"`
	Count     int64  `json:"count"`
}

// methodDelete removes the entry at a second.
const methodDelete Method = "delete"

// IdempotencyTTL is how long an Idempotency-Key is remembered.
const IdempotencyTTL = 48 * time.Hour

// MaxBatch bounds how many updates one transaction applies.
const MaxBatch = 512

// Service records and reads usage counts. Updates are applied by a single
// committer (Run) that groups whatever is queued into one durable
// transaction: an update is acknowledged only after its transaction has
// committed, and many concurrent updates share one disk flush.
type Service struct {
	store Store
	now   func() time.Time
	log   *slog.Logger
	ops   chan *op
	stats stats
	known map[string]*known // the committer's memory of each SaaS
}

// stats counts the committer's work, for metrics.
type stats struct {
	batches, updates, failed atomic.Int64
	busy                     atomic.Int64 // nanoseconds spent committing
}

// Stats is a snapshot of the committer's totals since start.
type Stats struct {
	Batches int64         // transactions committed (or failed)
	Updates int64         // updates they carried
	Failed  int64         // batches whose transaction failed
	Busy    time.Duration // time spent in transactions, commit included
}

// Stats returns the committer's totals.
func (s *Service) Stats() Stats {
	return Stats{
		Batches: s.stats.batches.Load(), Updates: s.stats.updates.Load(),
		Failed: s.stats.failed.Load(), Busy: time.Duration(s.stats.busy.Load()),
	}
}

type op struct {
	u Update
	// pending is the request's outbound event, opened in the transaction
	// that applies the update (nil: none, or opened before).
	pending *events.Pending
	result  Result
	err     error
	done    chan struct{}
}

// changed adds o's event to those of the batch's ops that change a
// count, if o has one to open.
func (o *op) changed(ps []*events.Pending) []*events.Pending {
	if o.pending == nil {
		return ps
	}
	return append(ps, o.pending)
}

// NewService builds a Service; call Run to start its committer.
func NewService(store Store, now func() time.Time, log *slog.Logger) *Service {
	return &Service{store: store, now: now, log: log, ops: make(chan *op, 4*MaxBatch), known: map[string]*known{}}
}

// Run applies queued updates until ctx ends, then applies what is still
// queued and returns. Stop accepting requests before cancelling ctx.
func (s *Service) Run(ctx context.Context) {
	batch := make([]*op, 0, MaxBatch)
	for {
		select {
		case o := <-s.ops:
			batch = append(batch[:0], o)
		case <-ctx.Done():
			for {
				select {
				case o := <-s.ops:
					s.commit(context.WithoutCancel(ctx), []*op{o})
				default:
					return
				}
			}
		}
		// Take everything that queued up while the last commit was on disk.
	gather:
		for len(batch) < MaxBatch {
			select {
			case o := <-s.ops:
				batch = append(batch, o)
			default:
				break gather
			}
		}
		s.commit(context.WithoutCancel(ctx), batch)
	}
}

// submit queues an update and waits until it is durable (or failed).
func (s *Service) submit(ctx context.Context, u Update) (Result, error) {
	o := &op{u: u, done: make(chan struct{})}
	if p := events.PendingFrom(ctx); p != nil && !p.Opened() {
		o.pending = p
	}
	select {
	case s.ops <- o:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	select {
	case <-o.done:
		return o.result, o.err
	case <-ctx.Done():
		return Result{}, ctx.Err() // the caller left; the update may still apply
	}
}

// Update applies add, sub or direct to the entry at the update's second and
// returns the entry's new count.
func (s *Service) Update(ctx context.Context, u Update) (Result, error) {
	var fe errs.FieldErrors
	if !u.Method.Valid() {
		fe.Add("method", "must be one of add, sub, direct")
	}
	if u.Count < 0 || u.Count > MaxCount {
		fe.Add("count", "must be an integer from 0 to %d", int64(MaxCount))
	}
	if err := fe.Err(); err != nil {
		return Result{}, err
	}
	if !u.AtNow {
		if err := CheckTimestamp("timestamp", u.Timestamp, s.now()); err != nil {
			return Result{}, err
		}
	}
	return s.submit(ctx, u)
}

// Delete removes the entry at ts. Deleting a missing entry succeeds.
func (s *Service) Delete(ctx context.Context, saasID, tenantID, meterName string, ts int64) error {
	if err := CheckTimestamp("timestamp", ts, s.now()); err != nil {
		return err
	}
	_, err := s.submit(ctx, Update{SaaSID: saasID, TenantID: tenantID, MeterName: meterName, Timestamp: ts, Method: methodDelete})
	return err
}

// commit applies a batch in one transaction and wakes its callers.
func (s *Service) commit(ctx context.Context, batch []*op) {
	start := time.Now() // wall time for the metric; the domain clock is s.now
	var opened []*events.Pending
	err := s.store.WriteTx(ctx, func(tx Tx) (err error) {
		opened, err = s.apply(ctx, tx, batch)
		return err
	})
	s.stats.busy.Add(int64(time.Since(start)))
	s.stats.batches.Add(1)
	s.stats.updates.Add(int64(len(batch)))
	if err == nil {
		for _, p := range opened {
			p.MarkOpened() // before the callers wake, so that they see it
		}
	}
	for _, o := range batch {
		if err != nil {
			o.result, o.err = Result{}, fmt.Errorf("apply metering batch: %w", err)
		}
		close(o.done)
	}
	if err != nil {
		s.stats.failed.Add(1)
		s.log.Error("metering batch failed", "updates", len(batch), "err", err)
	}
}

// entryState tracks one entry through a batch.
type entryState struct {
	key     Key
	ts      int64
	day     Date
	had     bool // present before the batch
	initial int64
	exists  bool // present after the batch so far
	value   int64
}

type entryKey struct {
	k  Key
	ts int64
}

type dayKey struct {
	k Key
	d Date
}

// apply runs a batch inside tx. Errors of single updates are stored on
// their op; only storage failures abort the transaction (and are retried
// by the store on serialization failures, so apply starts from scratch).
//
// It works in three steps, so that the whole batch costs a few statements:
// resolve every op (tenant, meter, second, stored idempotency record), read
// all the entries it touches and their days at once, then apply the ops in
// order in memory and write what changed (write). The outbound events of
// the requests whose updates changed a count are opened in tx too, so an
// acknowledged update always has its event; apply returns those opened.
func (s *Service) apply(ctx context.Context, tx Tx, batch []*op) ([]*events.Pending, error) {
	now := s.now()
	b := newBatchCtx(tx, s.known)
	type idemKey struct{ saas, key string }
	stored := map[idemKey]*Idempotent{} // nil: looked up, none stored
	entries := map[entryKey]*entryState{}
	var order []*entryState
	states := make([]*entryState, len(batch)) // op -> its entry; nil when resolved otherwise

	for i, o := range batch {
		o.result, o.err = Result{}, nil
		u := o.u
		if u.IdempotencyKey != "" {
			ik := idemKey{u.SaaSID, u.IdempotencyKey}
			if _, ok := stored[ik]; !ok {
				rec, found, err := tx.Idempotent(ctx, u.SaaSID, u.IdempotencyKey, now)
				if err != nil {
					return nil, err
				}
				stored[ik] = nil
				if found {
					stored[ik] = &rec
				}
			}
			if stored[ik] != nil {
				continue // answered from the record below
			}
		}
		k, err := b.counter(ctx, u)
		if err != nil {
			if errs.KindOf(err) == errs.KindInternal {
				return nil, err
			}
			o.err = err
			continue
		}
		loc, err := b.zone(ctx, u.SaaSID)
		if err != nil {
			return nil, err
		}
		ts := u.Timestamp
		if u.AtNow {
			ts = now.Unix()
		}
		ek := entryKey{k, ts}
		st, ok := entries[ek]
		if !ok {
			st = &entryState{key: k, ts: ts, day: DayOf(ts, loc)}
			entries[ek] = st
			order = append(order, st)
		}
		states[i] = st
	}
	if err := b.load(ctx, order); err != nil {
		return nil, err
	}

	var remember []KeyedIdempotent
	var changed []*events.Pending // the events of the ops that change a count
	for i, o := range batch {
		u := o.u
		ik := idemKey{u.SaaSID, u.IdempotencyKey}
		if rec := stored[ik]; u.IdempotencyKey != "" && rec != nil {
			if rec.RequestHash != u.RequestHash {
				o.err = errs.Conflict("Idempotency-Key %q was used for another request", u.IdempotencyKey).WithType("idempotency_key_reused")
			} else {
				o.result = rec.Result
			}
			continue
		}
		st := states[i]
		if st == nil {
			continue // o.err is set
		}
		if u.Method == methodDelete {
			st.exists, st.value = false, 0
			o.result = Result{MeterName: u.MeterName, Timestamp: st.ts}
			changed = o.changed(changed)
			continue
		}
		v, err := u.Method.Apply(st.value, u.Count)
		if err != nil {
			o.err = err
			continue
		}
		changed = o.changed(changed)
		st.exists, st.value = true, v
		o.result = Result{MeterName: u.MeterName, Timestamp: st.ts, Count: v}
		if u.IdempotencyKey != "" {
			// A later op of this batch with the same key gets this result.
			rec := Idempotent{RequestHash: u.RequestHash, Result: o.result, Expires: now.Add(IdempotencyTTL)}
			stored[ik] = &rec
			remember = append(remember, KeyedIdempotent{SaaSID: ik.saas, Key: ik.key, Record: rec})
		}
	}
	if err := s.write(ctx, tx, b, order); err != nil {
		return nil, err
	}
	for _, r := range remember {
		if err := tx.PutIdempotent(ctx, r.SaaSID, r.Key, r.Record); err != nil {
			return nil, err
		}
	}
	if len(changed) == 0 {
		return nil, nil
	}
	return tx.OpenEvents(ctx, changed)
}

// KeyedIdempotent is an idempotency record to store.
type KeyedIdempotent struct {
	SaaSID, Key string
	Record      Idempotent
}

// write stores the changed entries and brings their days' roll-ups up to
// date, exactly.
func (s *Service) write(ctx context.Context, tx Tx, b *batchCtx, order []*entryState) error {
	byDay := map[dayKey][]*entryState{}
	var days []dayKey
	var puts []KeyedEntry
	for _, st := range order {
		if st.had == st.exists && st.initial == st.value {
			continue // unchanged
		}
		switch {
		case st.exists:
			puts = append(puts, KeyedEntry{Key: st.key, Entry: Entry{Timestamp: st.ts, Count: st.value}})
		case st.had:
			if err := tx.DeleteEntry(ctx, st.key, st.ts); err != nil {
				return err
			}
		}
		dk := dayKey{st.key, st.day}
		if _, ok := byDay[dk]; !ok {
			days = append(days, dk)
		}
		byDay[dk] = append(byDay[dk], st)
	}
	if err := tx.PutEntries(ctx, puts); err != nil {
		return err
	}
	var dayPuts []KeyedDay
	for _, dk := range days {
		d := b.days[dk] // read with the day's entries
		d.Date = dk.d
		recompute := false
		for _, st := range byDay[dk] {
			if st.had {
				d.Sum -= st.initial
				d.Entries--
				// The day's max may have been this entry and it shrank.
				if st.initial == d.Max && (!st.exists || st.value < st.initial) {
					recompute = true
				}
			}
			if st.exists {
				d.Sum += st.value
				d.Entries++
				d.Max = max(d.Max, st.value)
			}
		}
		if d.Entries == 0 {
			if err := tx.DeleteDay(ctx, dk.k, dk.d); err != nil {
				return err
			}
			continue
		}
		if recompute {
			loc, err := b.zone(ctx, dk.k.SaaSID)
			if err != nil {
				return err
			}
			start, end := dk.d.Bounds(loc)
			// The entries of this batch are already written.
			if d.Max, err = tx.MaxEntry(ctx, dk.k, start, end); err != nil {
				return err
			}
		}
		dayPuts = append(dayPuts, KeyedDay{Key: dk.k, Day: d})
	}
	return tx.PutDays(ctx, dayPuts)
}
