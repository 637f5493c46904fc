package apilog_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/apilog"
	"github.com/saasplane/saasplane/internal/errs"
)

// spyStore remembers the last List call and returns rows.
type spyStore struct {
	apilog.Store
	filter apilog.Filter
	after  *apilog.Cursor
	limit  int
	rows   []apilog.Entry
	got    apilog.Entry
	getErr error
}

func (s *spyStore) List(ctx context.Context, f apilog.Filter, after *apilog.Cursor, limit int) ([]apilog.Entry, error) {
	s.filter, s.after, s.limit = f, after, limit
	return s.rows[:min(limit, len(s.rows))], nil
}

func (s *spyStore) Get(ctx context.Context, saasID, id string) (apilog.Entry, error) {
	return s.got, s.getErr
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestListLogsInput(t *testing.T) {
	now := utc("2026-05-06T07:08:09.5Z")
	cur := apilog.Cursor{CreatedAt: utc("2026-05-06T01:02:03.000004Z"), APILogID: "abc"}
	tests := []struct {
		name     string
		in       apilog.ListLogsInput
		from, to string // "" for an open bound
		limit    int
		after    bool
	}{
		{"default: today UTC", apilog.ListLogsInput{}, "2026-05-06T00:00:00Z", "2026-05-07T00:00:00Z", 200, false},
		{"created_date", apilog.ListLogsInput{CreatedDate: "2024-02-29"}, "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z", 200, false},
		{"created_at: that second", apilog.ListLogsInput{CreatedAt: "2026-01-02T03:04:05.9+09:00"}, "2026-01-01T18:04:05Z", "2026-01-01T18:04:06Z", 200, false},
		{"created_at wins over created_date", apilog.ListLogsInput{CreatedAt: "2026-01-02T03:04:05Z", CreatedDate: "2020-01-01"}, "2026-01-02T03:04:05Z", "2026-01-02T03:04:06Z", 200, false},
		{"start_at and end_at, inclusive", apilog.ListLogsInput{StartAt: "1767225600", EndAt: "1767225660"}, "2026-01-01T00:00:00Z", "2026-01-01T00:01:01Z", 200, false},
		{"start_at only", apilog.ListLogsInput{StartAt: "1767225600"}, "2026-01-01T00:00:00Z", "", 200, false},
		{"end_at only", apilog.ListLogsInput{EndAt: "1767225600"}, "", "2026-01-01T00:00:01Z", 200, false},
		{"range overrides created_date", apilog.ListLogsInput{StartAt: "0", EndAt: "0", CreatedDate: "2026-01-01"}, "1970-01-01T00:00:00Z", "1970-01-01T00:00:01Z", 200, false},
		{"limit and cursor", apilog.ListLogsInput{Limit: "1000", Cursor: apilog.EncodeCursor(cur)}, "2026-05-06T00:00:00Z", "2026-05-07T00:00:00Z", 1000, true},
		{"limit 1", apilog.ListLogsInput{Limit: "1"}, "2026-05-06T00:00:00Z", "2026-05-07T00:00:00Z", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &spyStore{}
			svc := apilog.NewService(st, func() time.Time { return now }, discard())
			if _, err := svc.ListLogs(t.Context(), "saas-1", tt.in); err != nil {
				t.Fatal(err)
			}
			f := st.filter
			if f.SaaSID != "saas-1" || !f.LiveAt.Equal(now) {
				t.Errorf("filter %+v: want SaaS saas-1, live at now", f)
			}
			for _, b := range []struct {
				name string
				got  time.Time
				want string
			}{{"from", f.From, tt.from}, {"to", f.To, tt.to}} {
				if (b.want == "" && !b.got.IsZero()) || (b.want != "" && !b.got.Equal(utc(b.want))) {
					t.Errorf("%s = %v, want %q", b.name, b.got, b.want)
				}
			}
			if st.limit != tt.limit+1 {
				t.Errorf("store limit = %d, want %d (one more, to know whether a next page exists)", st.limit, tt.limit+1)
			}
			if tt.after != (st.after != nil) || (st.after != nil && (*st.after != cur)) {
				t.Errorf("after = %+v, want cursor %v", st.after, tt.after)
			}
		})
	}
}

func TestListLogsInputErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     apilog.ListLogsInput
		fields []string
	}{
		{"created_date", apilog.ListLogsInput{CreatedDate: "2026-13-01"}, []string{"created_date"}},
		{"created_date with time", apilog.ListLogsInput{CreatedDate: "2026-01-01T00:00:00Z"}, []string{"created_date"}},
		{"created_at", apilog.ListLogsInput{CreatedAt: "yesterday"}, []string{"created_at"}},
		{"created_at without zone", apilog.ListLogsInput{CreatedAt: "2026-01-01T00:00:00"}, []string{"created_at"}},
		{"start_at", apilog.ListLogsInput{StartAt: "1.5"}, []string{"start_at"}},
		{"negative end_at", apilog.ListLogsInput{EndAt: "-1"}, []string{"end_at"}},
		{"end_at beyond year 9999", apilog.ListLogsInput{EndAt: "253402300800"}, []string{"end_at"}},
		{"end before start", apilog.ListLogsInput{StartAt: "100", EndAt: "99"}, []string{"end_at"}},
		{"created_at with a range", apilog.ListLogsInput{CreatedAt: "2026-01-01T00:00:00Z", StartAt: "1"}, []string{"created_at"}},
		{"limit 0", apilog.ListLogsInput{Limit: "0"}, []string{"limit"}},
		{"limit 1001", apilog.ListLogsInput{Limit: "1001"}, []string{"limit"}},
		{"limit text", apilog.ListLogsInput{Limit: "ten"}, []string{"limit"}},
		{"cursor", apilog.ListLogsInput{Cursor: "bm90IGEgY3Vyc29y"}, []string{"cursor"}},
		{"all at once", apilog.ListLogsInput{CreatedDate: "x", Limit: "-1", Cursor: "!"}, []string{"created_date", "cursor", "limit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := apilog.NewService(&spyStore{}, time.Now, discard())
			_, err := svc.ListLogs(t.Context(), "s", tt.in)
			if errs.KindOf(err) != errs.KindInvalid {
				t.Fatalf("ListLogs(%+v) = %v, want an invalid-request error", tt.in, err)
			}
			if got := errs.FieldNames(err); strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Fatalf("error %q names %v, want %v", err, got, tt.fields)
			}
		})
	}
}

func TestListLogsNextCursor(t *testing.T) {
	rows := []apilog.Entry{
		{APILogID: "c", CreatedAt: testNow},
		{APILogID: "b", CreatedAt: testNow},
		{APILogID: "a", CreatedAt: testNow.Add(-time.Second)},
	}
	svc := apilog.NewService(&spyStore{rows: rows}, func() time.Time { return testNow }, discard())
	p, err := svc.ListLogs(t.Context(), "s", apilog.ListLogsInput{Limit: "2"})
	if err != nil || len(p.Entries) != 2 || p.Next == "" {
		t.Fatalf("page = %+v, %v; want 2 entries and a cursor", p, err)
	}
	c, err := apilog.DecodeCursor(p.Next)
	if err != nil || c.APILogID != "b" || !c.CreatedAt.Equal(testNow.Truncate(time.Microsecond)) {
		t.Fatalf("cursor = %+v, %v; want the last entry of the page", c, err)
	}
	p, _ = svc.ListLogs(t.Context(), "s", apilog.ListLogsInput{Limit: "3"})
	if p.Next != "" {
		t.Fatalf("last page has cursor %q, want none", p.Next)
	}
}

func TestGetLog(t *testing.T) {
	live := apilog.Entry{APILogID: "x", TTL: testNow}
	tests := []struct {
		name string
		st   spyStore
		kind errs.Kind
		ok   bool
	}{
		{"found", spyStore{got: live}, 0, true},
		{"expired", spyStore{got: apilog.Entry{APILogID: "x", TTL: testNow.Add(-time.Microsecond)}}, errs.KindNotFound, false},
		{"unknown", spyStore{getErr: errs.ErrNotExist}, errs.KindNotFound, false},
		{"store failure", spyStore{getErr: errors.New("boom")}, errs.KindInternal, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := apilog.NewService(&tt.st, func() time.Time { return testNow }, discard())
			e, err := svc.GetLog(t.Context(), "s", "x")
			if tt.ok {
				if err != nil || e.APILogID != "x" {
					t.Fatalf("GetLog = %+v, %v", e, err)
				}
				return
			}
			if err == nil || errs.KindOf(err) != tt.kind {
				t.Fatalf("GetLog = %v, want kind %v", err, tt.kind)
			}
		})
	}
}

func TestCursorRejectsTampering(t *testing.T) {
	c := apilog.Cursor{CreatedAt: testNow.Truncate(time.Microsecond), APILogID: "0b7d3c9e-2f7a-4c1e-9a55-3f0d2b6e8c11"}
	s := apilog.EncodeCursor(c)
	if got, err := apilog.DecodeCursor(s); err != nil || got != c {
		t.Fatalf("round trip = %+v, %v; want %+v", got, err, c)
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range len(s) {
		for _, r := range alphabet {
			if byte(r) == s[i] {
				continue
			}
			forged := s[:i] + string(r) + s[i+1:]
			// Changing only the unused low bits of the last character
			// decodes to the same bytes: that is the same cursor.
			if got, err := apilog.DecodeCursor(forged); err == nil && got != c {
				t.Fatalf("tampered cursor %q (byte %d) accepted as %+v", forged, i, got)
			}
		}
	}
	for _, bad := range []string{"", "=", s[:len(s)-2], s + "AA", "%%%"} {
		if _, err := apilog.DecodeCursor(bad); err == nil {
			t.Errorf("DecodeCursor(%q) accepted", bad)
		}
	}
}

// FuzzDecodeCursor: any string either fails to decode or decodes to a
// cursor that encodes back to an equivalent one.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(apilog.EncodeCursor(apilog.Cursor{CreatedAt: testNow, APILogID: "id"}))
	f.Add("")
	f.Add("AQAAAAAAAAAAaWQ")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := apilog.DecodeCursor(s)
		if err != nil {
			return
		}
		again, err := apilog.DecodeCursor(apilog.EncodeCursor(c))
		if err != nil || again != c {
			t.Fatalf("DecodeCursor(%q) = %+v, which does not round-trip: %+v, %v", s, c, again, err)
		}
	})
}
