package metering_test

import (
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/metering"
)

func TestApply(t *testing.T) {
	tests := []struct {
		m        metering.Method
		old, n   int64
		want     int64
		wantKind errs.Kind // KindInternal means no error
	}{
		{metering.MethodAdd, 5, 3, 8, errs.KindInternal},
		{metering.MethodAdd, 0, 0, 0, errs.KindInternal},
		{metering.MethodSub, 5, 3, 2, errs.KindInternal},
		{metering.MethodSub, 5, 5, 0, errs.KindInternal},
		{metering.MethodSub, 5, 6, 0, errs.KindConflict},
		{metering.MethodDirect, 5, 1, 1, errs.KindInternal},
		{metering.MethodDirect, 5, 0, 0, errs.KindInternal},
		{metering.MethodAdd, metering.MaxCount - 1, 1, metering.MaxCount, errs.KindInternal},
		{metering.MethodAdd, metering.MaxCount, 1, 0, errs.KindInvalid},
		{"mul", 1, 1, 0, errs.KindInvalid},
	}
	for _, tt := range tests {
		got, err := tt.m.Apply(tt.old, tt.n)
		if tt.wantKind == errs.KindInternal {
			if err != nil || got != tt.want {
				t.Errorf("%s(%d, %d) = %d, %v; want %d", tt.m, tt.old, tt.n, got, err, tt.want)
			}
			continue
		}
		if errs.KindOf(err) != tt.wantKind {
			t.Errorf("%s(%d, %d) error = %v, want kind %v", tt.m, tt.old, tt.n, err, tt.wantKind)
		}
	}
}

func TestParse(t *testing.T) {
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		s  string
		ok bool
	}{{"2026-11-22", true}, {"2024-02-29", true}, {"2026-02-29", false}, {"2026-13-01", false}, {"1969-12-31", false}, {"20261122", false}, {"2026-1-1", false}, {"", false}, {"today", false}} {
		if _, err := metering.ParseDate(tt.s); (err == nil) != tt.ok {
			t.Errorf("ParseDate(%q) = %v, want ok=%v", tt.s, err, tt.ok)
		}
	}
	for _, tt := range []struct {
		s  string
		ok bool
	}{{"2026-11", true}, {"2026-00", false}, {"2026-13", false}, {"1969-12", false}, {"2026-1", false}, {"2026-11-01", false}} {
		if _, err := metering.ParseMonth(tt.s); (err == nil) != tt.ok {
			t.Errorf("ParseMonth(%q) = %v, want ok=%v", tt.s, err, tt.ok)
		}
	}
	for _, tt := range []struct {
		s  string
		ok bool
	}{{"0", true}, {"1795305600", true}, {"1795392000", true}, {"1795392001", false}, {"-1", false}, {"1.5", false}, {"1e9", false}, {"9999999999999999999999", false}, {"", false}} {
		if _, err := metering.ParseTimestamp(tt.s, now); (err == nil) != tt.ok {
			t.Errorf("ParseTimestamp(%q) = %v, want ok=%v", tt.s, err, tt.ok)
		}
	}
}

func TestDaysInTimeZones(t *testing.T) {
	tokyo, err := metering.Location("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	ny, _ := metering.Location("America/New_York")
	ts := time.Date(2026, 3, 31, 16, 0, 0, 0, time.UTC).Unix() // 1 April 01:00 in Tokyo
	if got := metering.DayOf(ts, time.UTC); got != "2026-03-31" {
		t.Errorf("UTC day = %s", got)
	}
	if got := metering.DayOf(ts, tokyo); got != "2026-04-01" || got.Month() != "2026-04" {
		t.Errorf("Tokyo day = %s", got)
	}
	// The day clocks spring forward in New York lasts 23 hours.
	start, end := metering.Date("2026-03-08").Bounds(ny)
	if end-start != 23*3600 {
		t.Errorf("2026-03-08 in New York lasts %d s, want 23 h", end-start)
	}
	first, last := metering.Month("2028-02").Days()
	if first != "2028-02-01" || last != "2028-02-29" {
		t.Errorf("Days(2028-02) = %s..%s", first, last)
	}
	if _, err := metering.Location("Mars/Olympus"); err == nil {
		t.Error("an unknown time zone was accepted")
	}
}

// Parsers never panic and accept only what they can render back.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2026-11-22", "2026-11", "1795305600", "-0", "2026-02-30", "99999-01-01"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := metering.ParseDate(s); err == nil {
			if string(d) != s || metering.DayOf(func() int64 { a, _ := d.Bounds(time.UTC); return a }(), time.UTC) != d {
				t.Fatalf("ParseDate(%q) accepted a date that does not round-trip", s)
			}
		}
		if m, err := metering.ParseMonth(s); err == nil {
			if first, _ := m.Days(); first.Month() != m {
				t.Fatalf("ParseMonth(%q) accepted a month that does not round-trip", s)
			}
		}
		if ts, err := metering.ParseTimestamp(s, now); err == nil && (ts < 0 || ts > now.Add(metering.MaxFuture).Unix()) {
			t.Fatalf("ParseTimestamp(%q) = %d: out of bounds", s, ts)
		}
	})
}
