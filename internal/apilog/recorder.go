package apilog

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"
)

// Recorder defaults.
const (
	DefaultQueueSize     = 10000
	DefaultBatchSize     = 500
	DefaultFlushInterval = 200 * time.Millisecond
	DefaultMaxBodyBytes  = 16 << 10
	DefaultRetention     = 30 * 24 * time.Hour
)

// writeTimeout bounds one batch write, so a stuck database cannot stall
// shutdown forever.
const writeTimeout = 30 * time.Second

// writeAttempts is how often a batch is tried before its entries are
// dropped; at shutdown a batch gets one attempt, and after a failure the
// rest of the queue is dropped rather than waited for.
const writeAttempts = 3

// RecorderConfig tunes a Recorder; zero fields take the defaults.
type RecorderConfig struct {
	Retention     time.Duration // TTL = CreatedAt + Retention
	QueueSize     int           // entries waiting to be written; more are dropped
	BatchSize     int           // entries per write, at most
	FlushInterval time.Duration // the longest an entry waits for its batch to fill
	MaxBodyBytes  int           // per stored body; see Body
}

func (c RecorderConfig) withDefaults() RecorderConfig {
	if c.Retention <= 0 {
		c.Retention = DefaultRetention
	}
	if c.QueueSize <= 0 {
		c.QueueSize = DefaultQueueSize
	}
	if c.BatchSize <= 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.FlushInterval <= 0 {
		c.FlushInterval = DefaultFlushInterval
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return c
}

// Recorder writes entries to the Store off the request path. Record never
// blocks: it puts the entry in a bounded queue, or drops and counts it when
// the queue is full. Run, a single goroutine, takes entries from the queue
// and writes them in batches of up to BatchSize, at the latest
// FlushInterval after the first entry of a batch arrived, one transaction
// per batch. No lock is held while the database works.
type Recorder struct {
	store Store
	cfg   RecorderConfig
	now   func() time.Time
	newID func() string
	log   *slog.Logger

	queue   chan Entry
	flushes chan chan struct{}
	done    chan struct{} // closed when Run returns

	started  atomic.Bool
	dropped  atomic.Uint64
	recorded atomic.Uint64
}

// NewRecorder builds a Recorder; call Run to start writing. now stamps
// entries with their creation time, newID gives each its APILogID.
func NewRecorder(store Store, cfg RecorderConfig, now func() time.Time, newID func() string, log *slog.Logger) *Recorder {
	cfg = cfg.withDefaults()
	return &Recorder{
		store: store, cfg: cfg, now: now, newID: newID, log: log,
		queue:   make(chan Entry, cfg.QueueSize),
		flushes: make(chan chan struct{}),
		done:    make(chan struct{}),
	}
}

// Now is the Recorder's clock, for stamping CreatedAt.
func (r *Recorder) Now() time.Time { return r.now() }

// MaxBodyBytes is the largest body kept, before the truncation mark.
func (r *Recorder) MaxBodyBytes() int { return r.cfg.MaxBodyBytes }

// Record queues e for writing and reports whether it was queued. It never
// blocks: when the queue is full the entry is dropped and counted. The
// Recorder sets APILogID and TTL.
func (r *Recorder) Record(e Entry) bool {
	select {
	case r.queue <- e:
		return true
	default:
		r.dropped.Add(1)
		return false
	}
}

// Dropped counts entries lost: refused because the queue was full, or
// given up after their batch failed to be written writeAttempts times.
func (r *Recorder) Dropped() uint64 { return r.dropped.Load() }

// Recorded counts entries written to the store.
func (r *Recorder) Recorded() uint64 { return r.recorded.Load() }

// Queued is how many entries wait in the queue.
func (r *Recorder) Queued() int { return len(r.queue) }

// ErrStopped is returned by Flush once Run has returned.
var ErrStopped = errors.New("api log recorder stopped")

// Flush waits until every entry recorded before the call is written (or
// dropped after failed writes). It needs Run to be running.
func (r *Recorder) Flush(ctx context.Context) error {
	ack := make(chan struct{})
	select {
	case r.flushes <- ack:
	case <-r.done:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ack:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run writes queued entries until ctx is cancelled, then writes what is
// still queued and returns. Cancel it only after the last Record call (after
// the HTTP server has shut down), or later entries stay unwritten. Run
// once per Recorder.
func (r *Recorder) Run(ctx context.Context) {
	if !r.started.CompareAndSwap(false, true) {
		panic("apilog: Recorder.Run called twice")
	}
	defer close(r.done)
	batch := make([]Entry, 0, r.cfg.BatchSize)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed := false
	stopping, failed := false, false
	write := func() {
		if armed {
			timer.Stop()
			armed = false
		}
		if len(batch) == 0 {
			return
		}
		switch {
		case failed:
			// Shutting down with the database failing: do not make the
			// process wait for one more doomed write per batch.
			r.dropped.Add(uint64(len(batch)))
		case stopping:
			failed = !r.write(ctx, batch, 1)
		default:
			r.write(ctx, batch, writeAttempts)
		}
		clear(batch) // let the bodies be collected
		batch = batch[:0]
	}
	add := func(e Entry) {
		batch = append(batch, e)
		switch {
		case len(batch) >= r.cfg.BatchSize:
			write()
		case !armed:
			timer.Reset(r.cfg.FlushInterval)
			armed = true
		}
	}
	// drain writes the next n queued entries (n < 0: until the queue is
	// empty), then whatever is batched.
	drain := func(n int) {
		for n != 0 {
			select {
			case e := <-r.queue:
				add(e)
				n--
			default:
				n = 0
			}
		}
		write()
	}
	shutdown := func() {
		stopping = true
		drain(-1)
		if failed {
			r.log.Error("api log: entries dropped at shutdown: the database failed", "dropped", r.Dropped())
		}
	}
	for {
		if ctx.Err() != nil { // shutting down wins over queued work
			shutdown()
			return
		}
		select {
		case e := <-r.queue:
			add(e)
			// Take what else is waiting without going through select
			// again: under load this halves the locking on the queue.
			for more := true; more && len(batch) > 0; {
				select {
				case e := <-r.queue:
					add(e)
				default:
					more = false
				}
			}
		case <-timer.C:
			armed = false
			write()
		case ack := <-r.flushes:
			// Entries recorded before Flush was called are in the batch or
			// among the first len(queue) of the queue.
			drain(len(r.queue))
			close(ack)
		case <-ctx.Done():
			shutdown()
			return
		}
	}
}

// write stores one batch, trying up to attempts times, and reports
// whether it succeeded; a batch that fails is dropped and counted. Entries
// get their id and TTL here, off the request path. ctx only carries values:
// a write in progress when Run is cancelled still completes.
func (r *Recorder) write(ctx context.Context, batch []Entry, attempts int) bool {
	for i := range batch {
		e := &batch[i]
		if e.APILogID == "" {
			e.APILogID = r.newID()
		}
		e.CreatedAt = e.CreatedAt.UTC().Truncate(time.Microsecond)
		e.TTL = e.CreatedAt.Add(r.cfg.Retention)
	}
	var err error
	for attempt := 1; attempt <= attempts; attempt++ {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
		err = r.store.InsertBatch(wctx, batch)
		cancel()
		if err == nil {
			r.recorded.Add(uint64(len(batch)))
			return true
		}
		if attempt < attempts {
			time.Sleep(time.Duration(attempt*attempt) * 100 * time.Millisecond)
		}
	}
	r.dropped.Add(uint64(len(batch)))
	r.log.Error("api log: batch dropped after failed writes", "entries", len(batch), "attempts", attempts, "error", err)
	return false
}
