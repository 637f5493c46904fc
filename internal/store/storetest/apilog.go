package storetest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/apilog"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/store"
)

// testAPILog runs the API log cases in order on one database; each case
// uses SaaS of its own, and only the purge case writes expired entries.
func testAPILog(t *testing.T, db *store.DB) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, apilog.Store)
	}{
		{"InsertAndGet", testAPILogInsertAndGet},
		{"ListFilterCombinations", testAPILogListFilters},
		{"CursorPagingIsStable", testAPILogPaging},
		{"ScopedBySaaS", testAPILogScoping},
		{"LargeBatchIsChunked", testAPILogLargeBatch},
		{"Purge", testAPILogPurge},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, db.APILog()) })
	}
}

// logBase is a fixed instant the cases build their entries around.
var logBase = time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC)

func logEntry(saasID string, at time.Time) apilog.Entry {
	return apilog.Entry{
		APILogID: uuid.NewString(), TraceID: "trace-" + uuid.NewString(), SaaSID: saasID, APIKey: "key-" + saasID,
		CreatedAt: at, TTL: at.Add(30 * 24 * time.Hour),
		Method: "POST", Status: 201, RequestURI: "/v1/auth/tenants?x=1", RemoteAddress: "192.0.2.10", Referer: "/v1/auth/user_info",
		RequestBody: `{"name":"テナント"}`, ResponseBody: `{"id":"t1"}`,
	}
}

func insertLogs(t *testing.T, s apilog.Store, es ...apilog.Entry) {
	t.Helper()
	if err := s.InsertBatch(t.Context(), es); err != nil {
		t.Fatalf("InsertBatch(%d entries): %v", len(es), err)
	}
}

func logIDs(es []apilog.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.APILogID
	}
	return out
}

// modelList is what List must return: the reference semantics.
func modelList(all []apilog.Entry, f apilog.Filter, after *apilog.Cursor, limit int) []apilog.Entry {
	var out []apilog.Entry
	for _, e := range all {
		switch {
		case e.SaaSID != f.SaaSID,
			!f.From.IsZero() && e.CreatedAt.Before(f.From),
			!f.To.IsZero() && !e.CreatedAt.Before(f.To),
			!f.LiveAt.IsZero() && e.TTL.Before(f.LiveAt),
			after != nil && !before(e, *after):
			continue
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b apilog.Entry) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.APILogID, a.APILogID))
	})
	return out[:min(limit, len(out))]
}

// before reports whether e comes after c in the listing (newest first).
func before(e apilog.Entry, c apilog.Cursor) bool {
	if d := e.CreatedAt.Compare(c.CreatedAt); d != 0 {
		return d < 0
	}
	return e.APILogID < c.APILogID
}

func testAPILogInsertAndGet(t *testing.T, s apilog.Store) {
	ctx := t.Context()
	sid := id("saas")
	a := logEntry(sid, logBase)
	b := logEntry(sid, logBase.Add(time.Microsecond))
	b.Method, b.Status, b.Referer, b.RequestBody, b.ResponseBody = "GET", 404, "", "", strings.Repeat("長い", 3000)
	insertLogs(t, s, a, b)
	for _, want := range []apilog.Entry{a, b} {
		got, err := s.Get(ctx, sid, want.APILogID)
		if err != nil {
			t.Fatalf("Get(%s): %v", want.APILogID, err)
		}
		if !got.CreatedAt.Equal(want.CreatedAt) || !got.TTL.Equal(want.TTL) || got.CreatedAt.Location() != time.UTC {
			t.Errorf("Get times = %v / %v, want %v / %v in UTC", got.CreatedAt, got.TTL, want.CreatedAt, want.TTL)
		}
		got.CreatedAt, got.TTL = want.CreatedAt, want.TTL
		if got != want {
			t.Errorf("Get =\n%+v\nwant\n%+v", got, want)
		}
	}
	// A retried batch (same ids) is skipped, never an error; its entries
	// that are not stored yet are.
	dup := a
	dup.Status = 500
	c := logEntry(sid, logBase.Add(2*time.Microsecond))
	insertLogs(t, s, dup, c)
	if got, _ := s.Get(ctx, sid, a.APILogID); got.Status != a.Status {
		t.Errorf("a duplicate id overwrote the entry: status %d", got.Status)
	}
	if _, err := s.Get(ctx, sid, c.APILogID); err != nil {
		t.Errorf("the new entry of a batch with a duplicate: Get = %v", err)
	}
	if _, err := s.Get(ctx, sid, uuid.NewString()); !errors.Is(err, errs.ErrNotExist) {
		t.Errorf("Get(unknown) = %v, want ErrNotExist", err)
	}
	if err := s.InsertBatch(ctx, nil); err != nil {
		t.Errorf("InsertBatch(nil) = %v", err)
	}
}

func testAPILogListFilters(t *testing.T, s apilog.Store) {
	sid, other := id("saas"), id("saas")
	var all []apilog.Entry
	// Three days, several entries per second, some sharing a microsecond,
	// some expired, and the same times in another SaaS.
	for day := range 3 {
		for i := range 8 {
			at := logBase.AddDate(0, 0, day).Add(time.Duration(i/2) * time.Second) // pairs share created_at
			e := logEntry(sid, at)
			if i == 5 {
				e.TTL = logBase.Add(time.Hour) // expired as of LiveAt below, not yet for the purge case
			}
			all = append(all, e, logEntry(other, at))
		}
	}
	insertLogs(t, s, all...)

	dayStart := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	mid := all[len(all)/2]
	cursor := &apilog.Cursor{CreatedAt: mid.CreatedAt, APILogID: mid.APILogID}
	for mask := range 16 {
		f := apilog.Filter{SaaSID: sid}
		var after *apilog.Cursor
		var name []string
		if mask&1 != 0 {
			f.From = dayStart
			name = append(name, "from")
		}
		if mask&2 != 0 {
			f.To = logBase.AddDate(0, 0, 1).Add(2 * time.Second) // exactly the created_at of an entry: excluded
			name = append(name, "to")
		}
		if mask&4 != 0 {
			f.LiveAt = logBase.Add(2 * time.Hour)
			name = append(name, "live")
		}
		if mask&8 != 0 {
			after = cursor
			name = append(name, "cursor")
		}
		for _, limit := range []int{1, 5, 1000} {
			label := strings.Join(name, "+")
			if label == "" {
				label = "unfiltered"
			}
			t.Run(fmt.Sprintf("%s/limit=%d", label, limit), func(t *testing.T) {
				got, err := s.List(t.Context(), f, after, limit)
				if err != nil {
					t.Fatal(err)
				}
				want := modelList(all, f, after, limit)
				if !slices.Equal(logIDs(got), logIDs(want)) {
					t.Fatalf("List(%+v, after %v, %d) =\n%v\nwant\n%v", f, after != nil, limit, logIDs(got), logIDs(want))
				}
			})
		}
	}
}

func testAPILogPaging(t *testing.T, s apilog.Store) {
	sid := id("saas")
	var all []apilog.Entry
	for i := range 23 {
		// Runs of entries in the very same microsecond: only the id orders them.
		all = append(all, logEntry(sid, logBase.Add(time.Duration(i/5)*time.Microsecond)))
	}
	insertLogs(t, s, all...)
	want := logIDs(modelList(all, apilog.Filter{SaaSID: sid}, nil, len(all)))
	for _, limit := range []int{1, 2, 4, 5, 7, 23, 24} {
		var got []string
		var after *apilog.Cursor
		for pages := 0; ; pages++ {
			if pages > len(all) {
				t.Fatalf("limit %d: paging does not end", limit)
			}
			page, err := s.List(t.Context(), apilog.Filter{SaaSID: sid}, after, limit)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, logIDs(page)...)
			if len(page) < limit {
				break
			}
			last := page[len(page)-1]
			// The cursor goes through its wire form, as a client sends it.
			c, err := apilog.DecodeCursor(apilog.EncodeCursor(apilog.Cursor{CreatedAt: last.CreatedAt, APILogID: last.APILogID}))
			if err != nil {
				t.Fatal(err)
			}
			after = &c
		}
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: pages gave\n%v\nwant every entry once, in order:\n%v", limit, got, want)
		}
	}
}

func testAPILogScoping(t *testing.T, s apilog.Store) {
	a, b := id("saas"), id("saas")
	ea := logEntry(a, logBase)
	insertLogs(t, s, ea)
	if _, err := s.Get(t.Context(), b, ea.APILogID); !errors.Is(err, errs.ErrNotExist) {
		t.Errorf("Get of A's entry as B = %v, want ErrNotExist", err)
	}
	got, err := s.List(t.Context(), apilog.Filter{SaaSID: b}, nil, 1000)
	if err != nil || len(got) != 0 {
		t.Errorf("List as B = %d entries, %v; want none", len(got), err)
	}
	// The same id may exist in two SaaS: ids are unique per SaaS.
	eb := logEntry(b, logBase)
	eb.APILogID = ea.APILogID
	insertLogs(t, s, eb)
	if got, err := s.Get(t.Context(), b, ea.APILogID); err != nil || got.SaaSID != b {
		t.Errorf("Get of B's entry with A's id = %+v, %v", got, err)
	}
}

func testAPILogLargeBatch(t *testing.T, s apilog.Store) {
	sid := id("saas")
	const n = 32766/13 + 17 // more rows than one statement can carry on SQLite
	es := make([]apilog.Entry, n)
	for i := range es {
		es[i] = logEntry(sid, logBase.Add(time.Duration(i)*time.Millisecond))
		es[i].RequestBody, es[i].ResponseBody = "", ""
	}
	insertLogs(t, s, es...)
	got, err := s.List(t.Context(), apilog.Filter{SaaSID: sid}, nil, n+1)
	if err != nil || len(got) != n {
		t.Fatalf("List after a batch of %d = %d entries, %v", n, len(got), err)
	}
}

func testAPILogPurge(t *testing.T, s apilog.Store) {
	ctx := t.Context()
	a, b := id("saas"), id("saas")
	// Earlier cases keep every entry alive past logBase: only this case's
	// entries are expired at now.
	now := logBase
	var expired, live []apilog.Entry
	for i := range 7 {
		for _, sid := range []string{a, b} {
			e := logEntry(sid, logBase.Add(time.Duration(i)*time.Second))
			e.TTL = now.Add(-time.Duration(i+1) * time.Microsecond)
			expired = append(expired, e)
			l := logEntry(sid, logBase)
			l.TTL = now.Add(time.Duration(i) * time.Microsecond) // ttl == now is not expired yet
			live = append(live, l)
		}
	}
	insertLogs(t, s, append(expired, live...)...)
	var total int64
	for round := 0; ; round++ {
		n, err := s.Purge(ctx, now, 4)
		if err != nil {
			t.Fatal(err)
		}
		if n > 4 {
			t.Fatalf("Purge(max 4) deleted %d", n)
		}
		total += n
		if n == 0 {
			break
		}
		if round > len(expired) {
			t.Fatal("Purge does not converge")
		}
	}
	if total != int64(len(expired)) {
		t.Errorf("purged %d entries, want %d", total, len(expired))
	}
	for _, e := range expired {
		if _, err := s.Get(ctx, e.SaaSID, e.APILogID); !errors.Is(err, errs.ErrNotExist) {
			t.Errorf("expired entry %s survived the purge: %v", e.APILogID, err)
		}
	}
	for _, e := range live {
		if _, err := s.Get(ctx, e.SaaSID, e.APILogID); err != nil {
			t.Errorf("live entry %s: %v", e.APILogID, err)
		}
	}
	// The domain purger loops batch by batch over the same store.
	more := logEntry(a, logBase)
	more.TTL = now.Add(-time.Hour)
	insertLogs(t, s, more)
	p := apilog.NewPurger(s, func() time.Time { return now }, 1)
	if n, err := p.Purge(ctx); err != nil || n != 1 {
		t.Errorf("Purger.Purge = %d, %v; want 1", n, err)
	}
}
