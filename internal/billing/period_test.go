package billing

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests need the same zone data on every machine

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/tenant"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load time zone %s: %v", name, err)
	}
	return loc
}

func utc(y int, m time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, m, d, h, mi, s, 0, time.UTC)
}

func TestParsePeriod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in         string
		key        string
		yearly     bool
		start, end time.Time
	}{
		{"2026-01", "2026-01", false, utc(2026, 1, 1, 0, 0, 0), utc(2026, 2, 1, 0, 0, 0)},
		{"2026-02", "2026-02", false, utc(2026, 2, 1, 0, 0, 0), utc(2026, 3, 1, 0, 0, 0)},
		{"2026-12", "2026-12", false, utc(2026, 12, 1, 0, 0, 0), utc(2027, 1, 1, 0, 0, 0)},
		{"1970-01", "1970-01", false, utc(1970, 1, 1, 0, 0, 0), utc(1970, 2, 1, 0, 0, 0)},
		{"9998-12", "9998-12", false, utc(9998, 12, 1, 0, 0, 0), utc(9999, 1, 1, 0, 0, 0)},
		{"2026", "2026", true, utc(2026, 1, 1, 0, 0, 0), utc(2027, 1, 1, 0, 0, 0)},
		{"1970", "1970", true, utc(1970, 1, 1, 0, 0, 0), utc(1971, 1, 1, 0, 0, 0)},
		{"9998", "9998", true, utc(9998, 1, 1, 0, 0, 0), utc(9999, 1, 1, 0, 0, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			p, err := ParsePeriod(tc.in, time.UTC)
			if err != nil {
				t.Fatalf("ParsePeriod(%q): %v", tc.in, err)
			}
			if p.Key != tc.key || p.Yearly != tc.yearly || !p.Start.Equal(tc.start) || !p.End.Equal(tc.end) {
				t.Errorf("ParsePeriod(%q) = %+v, want key %s yearly %v [%v, %v)", tc.in, p, tc.key, tc.yearly, tc.start, tc.end)
			}
			wantMonths := 1
			if tc.yearly {
				wantMonths = 12
			}
			if p.Months() != wantMonths {
				t.Errorf("Months() = %d, want %d", p.Months(), wantMonths)
			}
		})
	}
}

func TestParsePeriodRefusals(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"2026-13", "2026-00", "26-01", "1969-12", "1969", "9999", "9999-01", "0000", "2026-1", "2026-001",
		"2026/01", "2026-01-01", "", " 2026-01", "2026-01 ", "２０２６", "202601", "-2026", "2026-", "abcd",
	} {
		t.Run(in, func(t *testing.T) {
			_, err := ParsePeriod(in, time.UTC)
			if err == nil {
				t.Fatalf("ParsePeriod(%q) accepted it", in)
			}
			if k := errs.KindOf(err); k != errs.KindInvalid {
				t.Errorf("kind %v, want Invalid", k)
			}
			var e *errs.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T, want *errs.Error", err)
			}
			// A useful message names the field, quotes what was sent and says what is expected.
			msg := e.Message
			if !strings.HasPrefix(msg, "period: ") || !strings.Contains(msg, `"`+in+`"`) {
				t.Errorf("message %q should start with \"period: \" and quote %q", msg, in)
			}
			if !strings.Contains(msg, "YYYY") && !strings.Contains(msg, "1970 to 9998") {
				t.Errorf("message %q should say what a period looks like", msg)
			}
		})
	}
}

func TestPeriodLengths(t *testing.T) {
	t.Parallel()
	ny := mustLoad(t, "America/New_York")
	tokyo := mustLoad(t, "Asia/Tokyo")
	tests := []struct {
		in    string
		loc   *time.Location
		hours int64
	}{
		{"2026-01", time.UTC, 31 * 24},
		{"2026-02", time.UTC, 28 * 24},
		{"2024-02", time.UTC, 29 * 24},
		{"2026-04", time.UTC, 30 * 24},
		{"2026", time.UTC, 365 * 24},
		{"2024", time.UTC, 366 * 24},
		{"2026-03", ny, 743}, // clocks go forward on 8 March
		{"2026-11", ny, 721}, // and back on 1 November
		{"2026-07", ny, 31 * 24},
		{"2026", ny, 365 * 24}, // a year has both changes
		{"2026-03", tokyo, 31 * 24},
	}
	for _, tc := range tests {
		t.Run(tc.in+" "+tc.loc.String(), func(t *testing.T) {
			p, err := ParsePeriod(tc.in, tc.loc)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Seconds(); got != tc.hours*3600 {
				t.Errorf("Seconds() = %d (%d h), want %d h", got, got/3600, tc.hours)
			}
		})
	}
}

func TestPeriodTimeZones(t *testing.T) {
	t.Parallel()
	tokyo := mustLoad(t, "Asia/Tokyo")
	ny := mustLoad(t, "America/New_York")
	tests := []struct {
		in         string
		loc        *time.Location
		start, end int64 // Unix seconds
	}{
		// 1 January 00:00 JST is 31 December 15:00 UTC.
		{"2026-01", tokyo, 1767193200, 1769871600},
		{"2026", tokyo, 1767193200, 1798729200},
		// New York: EST (−5) on 1 March, EDT (−4) on 1 April.
		{"2026-03", ny, utc(2026, 3, 1, 5, 0, 0).Unix(), utc(2026, 4, 1, 4, 0, 0).Unix()},
		{"2026-11", ny, utc(2026, 11, 1, 4, 0, 0).Unix(), utc(2026, 12, 1, 5, 0, 0).Unix()},
	}
	for _, tc := range tests {
		t.Run(tc.in+" "+tc.loc.String(), func(t *testing.T) {
			p, err := ParsePeriod(tc.in, tc.loc)
			if err != nil {
				t.Fatal(err)
			}
			if p.Start.Unix() != tc.start || p.End.Unix() != tc.end {
				t.Errorf("[%d, %d), want [%d, %d)", p.Start.Unix(), p.End.Unix(), tc.start, tc.end)
			}
			if p.Start.Location() != tc.loc {
				t.Errorf("Start in %v, want %v", p.Start.Location(), tc.loc)
			}
		})
	}

	// PeriodOf at the Tokyo boundaries: the last second of January JST is
	// in January, the next one in February.
	last := time.Unix(1769871599, 0)
	if got := PeriodOf(last, false, tokyo).Key; got != "2026-01" {
		t.Errorf("PeriodOf(31 Jan 23:59:59 JST) = %s, want 2026-01", got)
	}
	if got := PeriodOf(last.Add(time.Second), false, tokyo).Key; got != "2026-02" {
		t.Errorf("PeriodOf(1 Feb 00:00:00 JST) = %s, want 2026-02", got)
	}
	if got := PeriodOf(last.Add(time.Second), false, time.UTC).Key; got != "2026-01" {
		t.Errorf("PeriodOf(31 Jan 15:00 UTC) in UTC = %s, want 2026-01", got)
	}
	if got := PeriodOf(time.Unix(1767193200, 0), true, tokyo).Key; got != "2026" {
		t.Errorf("PeriodOf(1 Jan 00:00 JST, yearly) = %s, want 2026", got)
	}
	if got := PeriodOf(time.Unix(1767193199, 0), true, tokyo).Key; got != "2025" {
		t.Errorf("PeriodOf(31 Dec 23:59:59 JST, yearly) = %s, want 2025", got)
	}
}

func TestPeriodNext(t *testing.T) {
	t.Parallel()
	ny := mustLoad(t, "America/New_York")
	tests := []struct {
		in   string
		loc  *time.Location
		want string
	}{
		{"2026-01", time.UTC, "2026-02"},
		{"2026-12", time.UTC, "2027-01"},
		{"2024-02", time.UTC, "2024-03"},
		{"2026", time.UTC, "2027"},
		{"2026-03", ny, "2026-04"},
		{"2026-10", ny, "2026-11"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			p, err := ParsePeriod(tc.in, tc.loc)
			if err != nil {
				t.Fatal(err)
			}
			n := p.Next()
			want, _ := ParsePeriod(tc.want, tc.loc)
			if n.Key != tc.want || n.Yearly != p.Yearly || !n.Start.Equal(p.End) || !n.Start.Equal(want.Start) || !n.End.Equal(want.End) {
				t.Errorf("Next() = %+v, want %+v starting at %v", n, want, p.End)
			}
		})
	}
}

func TestSegments(t *testing.T) {
	t.Parallel()
	start, end := utc(2026, 1, 1, 0, 0, 0), utc(2026, 2, 1, 0, 0, 0)
	dec1, dec15 := utc(2025, 12, 1, 0, 0, 0), utc(2025, 12, 15, 0, 0, 0)
	jan10, jan16, jan20 := utc(2026, 1, 10, 0, 0, 0), utc(2026, 1, 16, 0, 0, 0), utc(2026, 1, 20, 0, 0, 0)
	feb5 := utc(2026, 2, 5, 0, 0, 0)
	h := func(plan string, at time.Time, tax string) tenant.PlanHistory {
		return tenant.PlanHistory{PlanID: plan, AppliedAt: at, TaxRateID: tax}
	}
	seg := func(plan, tax string, from, to time.Time) Segment {
		return Segment{PlanID: plan, TaxRateID: tax, From: from, To: to}
	}
	tests := []struct {
		name    string
		history []tenant.PlanHistory
		stop    time.Time
		want    []Segment
	}{
		{"no history", nil, time.Time{}, nil},
		{"plan from before the period", []tenant.PlanHistory{h("A", dec15, "t1")}, time.Time{},
			[]Segment{seg("A", "t1", start, end)}},
		{"plan applied at the period's first second", []tenant.PlanHistory{h("A", start, "")}, time.Time{},
			[]Segment{seg("A", "", start, end)}},
		{"plan applied at the period's end is the next period's", []tenant.PlanHistory{h("A", end, "")}, time.Time{}, nil},
		{"first plan mid-period: nothing before it", []tenant.PlanHistory{h("A", jan10, "")}, time.Time{},
			[]Segment{seg("A", "", jan10, end)}},
		{"change mid-period", []tenant.PlanHistory{h("A", dec15, "t1"), h("B", jan16, "t2")}, time.Time{},
			[]Segment{seg("A", "t1", start, jan16), seg("B", "t2", jan16, end)}},
		{"tax change alone splits the period", []tenant.PlanHistory{h("A", dec15, "t1"), h("A", jan16, "t2")}, time.Time{},
			[]Segment{seg("A", "t1", start, jan16), seg("A", "t2", jan16, end)}},
		{"change after the period", []tenant.PlanHistory{h("A", dec1, ""), h("B", feb5, "")}, time.Time{},
			[]Segment{seg("A", "", start, end)}},
		{"cancellation stops charges", []tenant.PlanHistory{h("A", dec1, ""), h("", jan10, "")}, time.Time{},
			[]Segment{seg("A", "", start, jan10)}},
		{"cancellation then a new plan", []tenant.PlanHistory{h("A", dec1, ""), h("", jan10, ""), h("B", jan20, "")}, time.Time{},
			[]Segment{seg("A", "", start, jan10), seg("B", "", jan20, end)}},
		{"cancelled before the period", []tenant.PlanHistory{h("A", dec1, ""), h("", dec15, "")}, time.Time{}, nil},
		{"same instant: the last entry wins", []tenant.PlanHistory{h("A", dec1, ""), h("B", jan10, "t1"), h("C", jan10, "t2")}, time.Time{},
			[]Segment{seg("A", "", start, jan10), seg("C", "t2", jan10, end)}},
		{"same instant: a cancellation given last wins", []tenant.PlanHistory{h("A", dec1, ""), h("B", jan10, ""), h("", jan10, "")}, time.Time{},
			[]Segment{seg("A", "", start, jan10)}},
		{"same instant: a plan given after a cancellation wins", []tenant.PlanHistory{h("A", dec1, ""), h("", jan10, ""), h("B", jan10, "")}, time.Time{},
			[]Segment{seg("A", "", start, jan10), seg("B", "", jan10, end)}},
		{"unsorted history", []tenant.PlanHistory{h("B", jan16, "t2"), h("A", dec15, "t1")}, time.Time{},
			[]Segment{seg("A", "t1", start, jan16), seg("B", "t2", jan16, end)}},
		{"unsorted, same instant keeps the given order", []tenant.PlanHistory{h("C", jan10, ""), h("A", dec1, ""), h("B", jan10, "")}, time.Time{},
			[]Segment{seg("A", "", start, jan10), seg("B", "", jan10, end)}},
		{"deletion cuts the period", []tenant.PlanHistory{h("A", dec1, "")}, jan20,
			[]Segment{seg("A", "", start, jan20)}},
		{"deletion cuts the second plan", []tenant.PlanHistory{h("A", dec1, ""), h("B", jan10, "")}, jan20,
			[]Segment{seg("A", "", start, jan10), seg("B", "", jan10, jan20)}},
		{"deletion at a plan change", []tenant.PlanHistory{h("A", dec1, ""), h("B", jan10, "")}, jan10,
			[]Segment{seg("A", "", start, jan10)}},
		{"deletion after the period", []tenant.PlanHistory{h("A", dec1, "")}, feb5,
			[]Segment{seg("A", "", start, end)}},
		{"deletion before the period", []tenant.PlanHistory{h("A", dec1, "")}, dec15, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := append([]tenant.PlanHistory(nil), tc.history...)
			got := Segments(tc.history, start, end, tc.stop)
			if !segmentsEqual(got, tc.want) {
				t.Errorf("Segments =\n%s\nwant\n%s", fmtSegments(got), fmtSegments(tc.want))
			}
			if !reflect.DeepEqual(before, tc.history) {
				t.Errorf("Segments changed its input: before %v, after %v", before, tc.history)
			}
			var covered time.Duration
			for i, s := range got {
				if !s.From.Before(s.To) || s.From.Before(start) || s.To.After(end) {
					t.Errorf("segment %d [%v, %v) is empty or outside the period", i, s.From, s.To)
				}
				if i > 0 && s.From.Before(got[i-1].To) {
					t.Errorf("segment %d overlaps the one before", i)
				}
				covered += s.To.Sub(s.From)
			}
			if covered > end.Sub(start) {
				t.Errorf("segments cover %v of a %v period", covered, end.Sub(start))
			}
		})
	}
}

// TestSegmentsDoesNotSortItsInput checks the history's order is untouched
// even when sorting it would reorder it.
func TestSegmentsDoesNotSortItsInput(t *testing.T) {
	t.Parallel()
	hist := []tenant.PlanHistory{
		{PlanID: "C", AppliedAt: utc(2026, 1, 20, 0, 0, 0)},
		{PlanID: "A", AppliedAt: utc(2025, 12, 1, 0, 0, 0)},
		{PlanID: "B", AppliedAt: utc(2026, 1, 10, 0, 0, 0)},
	}
	want := append([]tenant.PlanHistory(nil), hist...)
	_ = Segments(hist, utc(2026, 1, 1, 0, 0, 0), utc(2026, 2, 1, 0, 0, 0), time.Time{})
	if !reflect.DeepEqual(hist, want) {
		t.Errorf("history reordered: %v", hist)
	}
}

func segmentsEqual(a, b []Segment) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].PlanID != b[i].PlanID || a[i].TaxRateID != b[i].TaxRateID || !a[i].From.Equal(b[i].From) || !a[i].To.Equal(b[i].To) {
			return false
		}
	}
	return true
}

func fmtSegments(ss []Segment) string {
	if len(ss) == 0 {
		return "  (none)"
	}
	var b strings.Builder
	for _, s := range ss {
		b.WriteString("  " + s.PlanID + " tax=" + s.TaxRateID + " [" + s.From.UTC().Format(time.RFC3339) + ", " + s.To.UTC().Format(time.RFC3339) + ")\n")
	}
	return b.String()
}
