package events_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/events"
	"github.com/saasplane/saasplane/internal/saas"
	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/store/storetest"
	"github.com/saasplane/saasplane/internal/tenant"
)

// poster records what it is asked to post and answers with fail's error.
type poster struct {
	mu    sync.Mutex
	posts []string // event ids
	fail  error
}

func (p *poster) Post(_ context.Context, _ string, header map[string]string, _ []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.posts = append(p.posts, header[events.HeaderID])
	if p.fail != nil {
		return 500, p.fail
	}
	return 200, nil
}

func newOutbox(t *testing.T, b storetest.Backend) (*store.DB, *apitest.Clock, *poster, *events.Service, string) {
	t.Helper()
	db := b.Open(t)
	clk := apitest.NewClock(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	p := &poster{}
	svc := events.NewService(db.Events(), events.Config{Now: clk.Now, NewID: uuid.NewString, Post: p})
	saasID := uuid.NewString()
	if err := db.InsertSaaS(t.Context(), saas.SaaS{ID: saasID, Name: "events test", CreatedAt: clk.Now()}); err != nil {
		t.Fatal(err)
	}
	return db, clk, p, svc, saasID
}

// write runs a tenant insert as a request's write would, with p in its
// context; fail makes the transaction roll back.
func write(ctx context.Context, db *store.DB, saasID string, p *events.Pending, fail bool) error {
	return db.Tenants().WriteTx(events.WithPending(ctx, p), func(tx tenant.Tx) error {
		tn := tenant.Tenant{ID: uuid.NewString(), Name: "t", BackOfficeStaffEmail: "a@b.co", Attributes: map[string]any{}, CreatedAt: time.Unix(1, 0)}
		if err := tx.InsertTenant(ctx, saasID, tn); err != nil {
			return err
		}
		if fail {
			return errors.New("the request fails after its write")
		}
		return nil
	})
}

// body is a response body as Complete takes it.
func body(s string) func() string { return func() string { return s } }

func pending(svc *events.Service, saasID string) *events.Pending {
	return &events.Pending{ID: svc.NewID(), RequestID: svc.NewID(), SaaSID: saasID, TraceID: "trace", CreatedAt: svc.Now(),
		Type: func() string { return "create_tenant" }, Call: events.Call{RequestMethod: "POST", URI: "/v1/auth/tenants", SaaSID: saasID}}
}

// TestOutboxIsTransactional: a request's write opens its event in the
// write's own transaction (none without a target, none when the write
// rolls back); an event whose request never completed (a crash between
// the commit and the answer) is completed by Sweep after the grace, with
// no response, and delivered; it is completed once, whoever comes first.
func TestOutboxIsTransactional(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := t.Context()
			db, clk, post, svc, saasID := newOutbox(t, b)
			noTarget := pending(svc, saasID)
			if err := write(ctx, db, saasID, noTarget, false); err != nil {
				t.Fatal(err)
			}
			if noTarget.Opened() {
				t.Error("an event was opened for a SaaS without a target")
			}
			ep, err := svc.CreateEndpoint(ctx, saasID, "https://hooks.example.com/x", "")
			if err != nil {
				t.Fatal(err)
			}
			rolledBack := pending(svc, saasID)
			if err := write(ctx, db, saasID, rolledBack, true); err == nil || rolledBack.Opened() {
				t.Fatalf("a rolled-back write: %v, opened %v", err, rolledBack.Opened())
			}
			crashed, completed := pending(svc, saasID), pending(svc, saasID)
			for _, p := range []*events.Pending{crashed, completed} {
				if err := write(ctx, db, saasID, p, false); err != nil || !p.Opened() {
					t.Fatalf("write: %v, opened %v", err, p.Opened())
				}
			}
			if err := svc.Complete(ctx, completed, 201, body(`{"id":"x"}`)); err != nil {
				t.Fatal(err)
			}
			if n, err := svc.Sweep(ctx); err != nil || n != 0 {
				t.Fatalf("Sweep within the grace completed %d (%v), want 0", n, err)
			}
			clk.Add(2 * time.Minute)
			if n, err := svc.Sweep(ctx); err != nil || n != 1 {
				t.Fatalf("Sweep after the grace completed %d (%v), want the crashed one", n, err)
			}
			if err := svc.Complete(ctx, crashed, 201, body("late")); err != nil { // the request comes back after all
				t.Fatalf("a late Complete: %v", err)
			}
			evs, err := svc.Events(ctx, saasID, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 2 || evs[0].ID != crashed.ID || evs[0].Seq != 2 || evs[1].ID != completed.ID || evs[1].Seq != 1 ||
				evs[0].Call.HTTPStatus != 0 || evs[1].Call.HTTPStatus != 201 {
				t.Fatalf("events = %+v", evs)
			}
			if wait, err := svc.Deliver(ctx, saasID, ep.ID, nil); err != nil || wait != 0 {
				t.Fatalf("Deliver = %v, %v", wait, err)
			}
			if len(post.posts) != 2 || post.posts[0] != completed.ID || post.posts[1] != crashed.ID {
				t.Errorf("posted %v, want the two events in seq order", post.posts)
			}

			// Retention: delivered events go after 7 days; a pending one stays.
			post.fail = errors.New("HTTP 503")
			late := pending(svc, saasID)
			if err := write(ctx, db, saasID, late, false); err != nil {
				t.Fatal(err)
			}
			if err := svc.Complete(ctx, late, 201, body("")); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Deliver(ctx, saasID, ep.ID, nil); err != nil {
				t.Fatal(err)
			}
			clk.Add(8 * 24 * time.Hour)
			if _, err := svc.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
			if evs, err = svc.Events(ctx, saasID, 0, 10); err != nil || len(evs) != 1 || evs[0].ID != late.ID {
				t.Errorf("after the retention: events %+v (%v), want only the one still pending", evs, err)
			}
		})
	}
}

// TestRetriesLastADay: a receiver that never answers 2xx is retried with
// a growing backoff for at least 24 hours before its delivery becomes a
// dead letter, and meanwhile the endpoint's later events wait behind it.
func TestRetriesLastADay(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := t.Context()
			db, clk, post, svc, saasID := newOutbox(t, b)
			post.fail = errors.New("HTTP 500")
			ep, err := svc.CreateEndpoint(ctx, saasID, "https://hooks.example.com/x", "")
			if err != nil {
				t.Fatal(err)
			}
			first, second := pending(svc, saasID), pending(svc, saasID)
			for _, p := range []*events.Pending{first, second} {
				if err := write(ctx, db, saasID, p, false); err != nil {
					t.Fatal(err)
				}
				if err := svc.Complete(ctx, p, 201, body("")); err != nil {
					t.Fatal(err)
				}
			}
			start := clk.Now()
			var gaps []time.Duration
			for range 100 {
				wait, err := svc.Deliver(ctx, saasID, ep.ID, nil)
				if err != nil {
					t.Fatal(err)
				}
				ds, err := svc.Deliveries(ctx, saasID, ep.ID, events.DeliveryFilter{State: events.Dead})
				if err != nil {
					t.Fatal(err)
				}
				if len(ds) > 0 {
					break
				}
				gaps = append(gaps, wait)
				clk.Add(wait)
			}
			dead := clk.Now().Sub(start)
			if dead < 24*time.Hour {
				t.Errorf("the delivery was dead after %v, want at least 24 h of retries", dead)
			}
			for i := 1; i < len(gaps); i++ {
				if gaps[i] < gaps[i-1] {
					t.Errorf("backoff shrank: %v then %v", gaps[i-1], gaps[i])
				}
			}
			seenSecond := false
			for _, id := range post.posts {
				switch {
				case id == second.ID:
					seenSecond = true
				case seenSecond:
					t.Fatalf("posts %v: the second event went out while the first still waited for a retry", post.posts)
				}
			}
			t.Logf("dead after %v and %d attempts", dead, len(post.posts))
		})
	}
}
