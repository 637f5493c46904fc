package tenant_test

import (
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/tenant"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestPeriod(t *testing.T) {
	tests := []struct {
		name             string
		anchor, now      string
		every            tenant.Interval
		wantStart, wantE string
	}{
		{"first month", "2026-01-15T10:00:00Z", "2026-01-20T00:00:00Z", tenant.Monthly, "2026-01-15T10:00:00Z", "2026-02-15T10:00:00Z"},
		{"at the anchor", "2026-01-15T10:00:00Z", "2026-01-15T10:00:00Z", tenant.Monthly, "2026-01-15T10:00:00Z", "2026-02-15T10:00:00Z"},
		{"one second before renewal", "2026-01-15T10:00:00Z", "2026-02-15T09:59:59Z", tenant.Monthly, "2026-01-15T10:00:00Z", "2026-02-15T10:00:00Z"},
		{"at renewal", "2026-01-15T10:00:00Z", "2026-02-15T10:00:00Z", tenant.Monthly, "2026-02-15T10:00:00Z", "2026-03-15T10:00:00Z"},
		{"many months later", "2025-03-01T00:00:00Z", "2026-11-22T12:00:00Z", tenant.Monthly, "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"},
		{"31st into February", "2026-01-31T00:00:00Z", "2026-02-28T12:00:00Z", tenant.Monthly, "2026-02-28T00:00:00Z", "2026-03-31T00:00:00Z"},
		{"31st into leap February", "2028-01-31T00:00:00Z", "2028-02-29T12:00:00Z", tenant.Monthly, "2028-02-29T00:00:00Z", "2028-03-31T00:00:00Z"},
		{"31st back to 31st", "2026-01-31T00:00:00Z", "2026-04-01T00:00:00Z", tenant.Monthly, "2026-03-31T00:00:00Z", "2026-04-30T00:00:00Z"},
		{"across the year", "2026-12-10T00:00:00Z", "2027-01-10T00:00:00Z", tenant.Monthly, "2027-01-10T00:00:00Z", "2027-02-10T00:00:00Z"},
		{"yearly", "2024-02-29T08:00:00Z", "2026-03-01T00:00:00Z", tenant.Yearly, "2026-02-28T08:00:00Z", "2027-02-28T08:00:00Z"},
		{"yearly first year", "2026-05-01T00:00:00Z", "2026-11-22T00:00:00Z", tenant.Yearly, "2026-05-01T00:00:00Z", "2027-05-01T00:00:00Z"},
		{"now before the anchor", "2026-05-01T00:00:00Z", "2026-04-01T00:00:00Z", tenant.Monthly, "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z"},
		{"non-UTC input", "2026-01-15T19:00:00+09:00", "2026-02-15T10:00:00Z", tenant.Monthly, "2026-02-15T10:00:00Z", "2026-03-15T10:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end := tenant.Period(at(tt.anchor), tt.every, at(tt.now))
			if !start.Equal(at(tt.wantStart)) || !end.Equal(at(tt.wantE)) {
				t.Fatalf("Period = [%s, %s), want [%s, %s)", start.Format(time.RFC3339), end.Format(time.RFC3339), tt.wantStart, tt.wantE)
			}
		})
	}
}

// The period always contains now (once past the anchor), periods are
// contiguous, and a period lasts between 28 and 31 days (monthly).
func FuzzPeriod(f *testing.F) {
	f.Add(int64(1769904000), int64(40_000_000))
	f.Add(int64(1706659200), int64(2_592_000))
	f.Fuzz(func(t *testing.T, anchorSec, offset int64) {
		if anchorSec < 0 || anchorSec > 4_000_000_000 || offset < 0 || offset > 3_000_000_000 {
			return
		}
		anchor := time.Unix(anchorSec, 0).UTC()
		now := anchor.Add(time.Duration(offset) * time.Second)
		start, end := tenant.Period(anchor, tenant.Monthly, now)
		if now.Before(start) || !now.Before(end) {
			t.Fatalf("anchor %s now %s: period [%s, %s) does not contain now", anchor, now, start, end)
		}
		days := end.Sub(start).Hours() / 24
		if days < 28 || days > 31 {
			t.Fatalf("anchor %s: period [%s, %s) lasts %.2f days", anchor, start, end, days)
		}
		if _, next := tenant.Period(anchor, tenant.Monthly, end); !next.After(end) {
			t.Fatalf("the period after [%s, %s) does not follow it", start, end)
		}
		if s2, _ := tenant.Period(anchor, tenant.Monthly, end); !s2.Equal(end) {
			t.Fatalf("periods are not contiguous at %s (next starts %s)", end, s2)
		}
	})
}
