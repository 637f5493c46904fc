package apilog_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/apilog"
)

// fakeStore records the batches written to it. When gate is set, every
// InsertBatch announces itself on entered and waits for gate.
type fakeStore struct {
	apilog.Store // List, Get and Purge are not used by the Recorder

	mu      sync.Mutex
	batches [][]apilog.Entry
	fail    error
	calls   int

	gate    chan struct{}
	entered chan struct{}
}

func (s *fakeStore) InsertBatch(ctx context.Context, es []apilog.Entry) error {
	if s.gate != nil {
		s.entered <- struct{}{}
		<-s.gate
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		return s.fail
	}
	s.batches = append(s.batches, slices.Clone(es))
	return nil
}

func (s *fakeStore) sizes() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for _, b := range s.batches {
		out = append(out, len(b))
	}
	return out
}

func (s *fakeStore) entries() []apilog.Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []apilog.Entry
	for _, b := range s.batches {
		out = append(out, b...)
	}
	return out
}

var testNow = time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.UTC)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func seqIDs() func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("id-%03d", n)
	}
}

// start runs rec until the test ends (or stop is called) and returns stop,
// which cancels Run and waits for it.
func start(t *testing.T, rec *apilog.Recorder) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rec.Run(ctx); close(done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

func entry(i int) apilog.Entry {
	return apilog.Entry{SaaSID: "s", TraceID: fmt.Sprint("t", i), CreatedAt: testNow.Add(time.Duration(i) * time.Nanosecond), Method: "GET", Status: 200}
}

func TestRecorderBatchesBySize(t *testing.T) {
	st := &fakeStore{}
	rec := apilog.NewRecorder(st, apilog.RecorderConfig{BatchSize: 3, FlushInterval: time.Hour, Retention: 48 * time.Hour}, time.Now, seqIDs(), discard())
	start(t, rec)
	for i := range 7 {
		if !rec.Record(entry(i)) {
			t.Fatalf("Record #%d dropped", i)
		}
	}
	if err := rec.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, want := st.sizes(), []int{3, 3, 1}; !slices.Equal(got, want) {
		t.Fatalf("batch sizes = %v, want %v (two full batches, then the flush)", got, want)
	}
	for i, e := range st.entries() {
		if e.TraceID != fmt.Sprint("t", i) {
			t.Errorf("entry %d is %s: order not kept", i, e.TraceID)
		}
		if e.APILogID == "" || e.CreatedAt.Nanosecond()%1000 != 0 || !e.TTL.Equal(e.CreatedAt.Add(48*time.Hour)) {
			t.Errorf("entry %d: id %q, created_at %v, ttl %v; want an id, microseconds, ttl = created_at + retention", i, e.APILogID, e.CreatedAt, e.TTL)
		}
	}
	if rec.Recorded() != 7 || rec.Dropped() != 0 {
		t.Errorf("Recorded, Dropped = %d, %d; want 7, 0", rec.Recorded(), rec.Dropped())
	}
}

func TestRecorderFlushesOnInterval(t *testing.T) {
	st := &fakeStore{}
	rec := apilog.NewRecorder(st, apilog.RecorderConfig{BatchSize: 100, FlushInterval: 20 * time.Millisecond}, time.Now, seqIDs(), discard())
	start(t, rec)
	rec.Record(entry(1))
	rec.Record(entry(2))
	deadline := time.Now().Add(5 * time.Second)
	for len(st.sizes()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("a partial batch was not written after its interval")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := st.sizes(); !slices.Equal(got, []int{2}) {
		t.Fatalf("batch sizes = %v, want [2]: both entries in one write", got)
	}
}

func TestRecorderDropsWhenFull(t *testing.T) {
	st := &fakeStore{gate: make(chan struct{}), entered: make(chan struct{}, 10)}
	rec := apilog.NewRecorder(st, apilog.RecorderConfig{QueueSize: 2, BatchSize: 1, FlushInterval: time.Hour}, time.Now, seqIDs(), discard())
	start(t, rec)
	rec.Record(entry(0))
	<-st.entered // the writer is now stuck in the database with entry 0

	var accepted []bool
	begin := time.Now()
	for i := 1; i <= 5; i++ {
		accepted = append(accepted, rec.Record(entry(i)))
	}
	if took := time.Since(begin); took > time.Second {
		t.Errorf("Record blocked for %v on a full queue", took)
	}
	if want := []bool{true, true, false, false, false}; !slices.Equal(accepted, want) {
		t.Fatalf("Record results = %v, want %v: the queue holds 2", accepted, want)
	}
	if rec.Dropped() != 3 {
		t.Fatalf("Dropped = %d, want 3", rec.Dropped())
	}
	go func() {
		for range st.entered {
			st.gate <- struct{}{}
		}
	}()
	st.gate <- struct{}{}
	if err := rec.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	close(st.entered)
	if rec.Recorded() != 3 || rec.Dropped() != 3 {
		t.Errorf("Recorded, Dropped = %d, %d; want 3, 3", rec.Recorded(), rec.Dropped())
	}
}

func TestRecorderDrainsOnShutdown(t *testing.T) {
	st := &fakeStore{}
	rec := apilog.NewRecorder(st, apilog.RecorderConfig{BatchSize: 2, FlushInterval: time.Hour}, time.Now, seqIDs(), discard())
	stop := start(t, rec)
	for i := range 5 {
		rec.Record(entry(i))
	}
	stop()
	if n := len(st.entries()); n != 5 {
		t.Fatalf("after shutdown %d of 5 entries were written", n)
	}
	if err := rec.Flush(t.Context()); !errors.Is(err, apilog.ErrStopped) {
		t.Errorf("Flush after Run returned = %v, want ErrStopped", err)
	}
}

func TestRecorderCountsFailedWritesAsDropped(t *testing.T) {
	st := &fakeStore{fail: errors.New("disk full")}
	rec := apilog.NewRecorder(st, apilog.RecorderConfig{BatchSize: 10, FlushInterval: time.Hour}, time.Now, seqIDs(), discard())
	start(t, rec)
	rec.Record(entry(1))
	rec.Record(entry(2))
	if err := rec.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if rec.Dropped() != 2 || rec.Recorded() != 0 {
		t.Errorf("Recorded, Dropped = %d, %d; want 0, 2", rec.Recorded(), rec.Dropped())
	}
}

// At shutdown a failing database gets one attempt, not three per batch:
// the process must not hang on a store that is down.
func TestRecorderGivesUpAtShutdownWhenTheStoreFails(t *testing.T) {
	st := &fakeStore{fail: errors.New("connection refused")}
	rec := apilog.NewRecorder(st, apilog.RecorderConfig{BatchSize: 2, FlushInterval: time.Hour}, time.Now, seqIDs(), discard())
	// Queue 7 entries before Run starts, so they are all drained at shutdown.
	for i := range 7 {
		rec.Record(entry(i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	begin := time.Now()
	rec.Run(ctx)
	if took := time.Since(begin); took > time.Second {
		t.Errorf("shutdown took %v", took)
	}
	if st.calls != 1 || rec.Dropped() != 7 {
		t.Errorf("%d writes, %d dropped; want 1 write, then all 7 dropped", st.calls, rec.Dropped())
	}
}

func TestFlushHonoursContext(t *testing.T) {
	rec := apilog.NewRecorder(&fakeStore{}, apilog.RecorderConfig{}, time.Now, seqIDs(), discard())
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	if err := rec.Flush(ctx); !errors.Is(err, context.DeadlineExceeded) { // Run was never started
		t.Fatalf("Flush without Run = %v, want the context's error", err)
	}
}

// purgeStore deletes from a fixed number of expired rows, max at a time.
type purgeStore struct {
	apilog.Store
	left  int64
	calls []int
}

func (s *purgeStore) Purge(ctx context.Context, before time.Time, max int) (int64, error) {
	s.calls = append(s.calls, max)
	n := min(s.left, int64(max))
	s.left -= n
	return n, nil
}

func TestPurgerWorksInBoundedBatches(t *testing.T) {
	st := &purgeStore{left: 25}
	p := apilog.NewPurger(st, func() time.Time { return testNow }, 10)
	n, err := p.Purge(t.Context())
	if err != nil || n != 25 {
		t.Fatalf("Purge = %d, %v; want 25", n, err)
	}
	if want := []int{10, 10, 10}; !slices.Equal(st.calls, want) {
		t.Errorf("statements = %v, want %v: batches of 10 until one comes back short", st.calls, want)
	}
}
