package meteringapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestClockCrossesMidnight: now, today, thismonth and the default period
// follow the server's clock across the end of a month, in UTC and in
// Asia/Tokyo.
func TestClockCrossesMidnight(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		zone string
		loc  *time.Location
	}{
		{"", time.UTC},
		{"Asia/Tokyo", time.FixedZone("JST", 9*3600)},
	} {
		name := tc.zone
		if name == "" {
			name = "UTC by default"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			onEveryBackend(t, func(t *testing.T, b apitest.Backend) {
				e := newEnv(t, b)
				if tc.zone != "" {
					e.setTimeZone(t, tc.zone)
				}
				meters(t, e)
				last := time.Date(2026, 3, 31, 23, 59, 59, 0, tc.loc)
				e.clk.Set(last)
				wantJSON(t, e.c.Do(t, http.MethodPut, nowPath(e.tenant, "calls"), upd("add", 5)).Want(t, http.StatusOK), tsc("calls", last.Unix(), 5))
				wantJSON(t, e.c.Do(t, http.MethodPut, nowPath(e.tenant, "peak"), upd("direct", 8)).Want(t, http.StatusOK), tsc("peak", last.Unix(), 8))
				wantJSON(t, e.get(t, "/calls/today"), dc("calls", "2026-03-31", 5))
				wantJSON(t, e.get(t, "/calls/thismonth"), mc("calls", "2026-03", 5))

				first := last.Add(time.Second)
				e.clk.Set(first)
				wantJSON(t, e.get(t, "/calls/today"), dc("calls", "2026-04-01", 0))
				wantJSON(t, e.get(t, "/peak/thismonth"), mc("peak", "2026-04", 0))
				wantJSON(t, e.get(t, "/calls/date-period"), entries("calls"))
				wantJSON(t, e.c.Do(t, http.MethodPut, nowPath(e.tenant, "calls"), upd("add", 2)).Want(t, http.StatusOK), tsc("calls", first.Unix(), 2))
				wantJSON(t, e.c.Do(t, http.MethodPut, nowPath(e.tenant, "peak"), upd("add", 3)).Want(t, http.StatusOK), tsc("peak", first.Unix(), 3))
				wantJSON(t, e.get(t, "/calls/today"), dc("calls", "2026-04-01", 2))
				wantJSON(t, e.get(t, "/peak/thismonth"), mc("peak", "2026-04", 3))
				wantJSON(t, e.get(t, "/calls/date-period"), entries("calls", first.Unix(), 2))
				wantJSON(t, e.get(t, "/date/2026-03-31"), obj{"counts": []obj{dc("calls", "2026-03-31", 5), dc("peak", "2026-03-31", 8), dc("idle", "2026-03-31", 0)}})
				wantJSON(t, e.get(t, "/month/2026-04"), obj{"counts": []obj{mc("calls", "2026-04", 2), mc("peak", "2026-04", 3), mc("idle", "2026-04", 0)}})
			})
		})
	}
}

// TestMonthOfDays: a month read folds every day of the month: the sum of
// all entries, or the largest.
func TestMonthOfDays(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		meters(t, e)
		var sum int64
		for d := 1; d <= 28; d++ {
			for _, h := range []int{0, 23} {
				n := int64(d*10 + h%2)
				e.set(t, "calls", at(2, d, h, 0, 0), "direct", n, n)
				e.set(t, "peak", at(2, d, h, 59, 59), "direct", n, n)
				sum += n
			}
		}
		wantCount(t, "calls in 2026-02", e.month(t, "calls", "2026-02"), sum)
		wantCount(t, "peak in 2026-02", e.month(t, "peak", "2026-02"), 281)
		wantCount(t, "calls on 2026-02-14", e.day(t, "calls", "2026-02-14"), 281)
		wantCount(t, "peak on 2026-02-14", e.day(t, "peak", "2026-02-14"), 141)
		wantCount(t, "calls in 2026-03", e.month(t, "calls", "2026-03"), 0)
		// Remove the largest entry of the month: the max falls back.
		e.del(t, "peak", at(2, 28, 23, 59, 59))
		wantCount(t, "peak in 2026-02 after the delete", e.month(t, "peak", "2026-02"), 280)
		e.set(t, "peak", at(2, 28, 0, 59, 59), "sub", 280, 0)
		wantCount(t, "peak in 2026-02 after the sub", e.month(t, "peak", "2026-02"), 271)
	})
}

// TestDaylightSavingDays: in a zone with clock changes, a day is 23 or 25
// hours long; its entries, and only those, make its count, also when its
// largest entry shrinks and the largest must be found again.
func TestDaylightSavingDays(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	local := func(y int, m time.Month, d, h, min int) int64 { return time.Date(y, m, d, h, min, 0, 0, ny).Unix() }
	for _, tc := range []struct {
		name, day, next string
		first, last     int64 // 00:30 and 23:30 local on the day
		after           int64 // 00:30 local the next day
		hours           int64
	}{
		{"spring forward: 23 hours", "2026-03-08", "2026-03-09", local(2026, 3, 8, 0, 30), local(2026, 3, 8, 23, 30), local(2026, 3, 9, 0, 30), 23},
		{"fall back: 25 hours", "2025-11-02", "2025-11-03", local(2025, 11, 2, 0, 30), local(2025, 11, 2, 23, 30), local(2025, 11, 3, 0, 30), 25},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := (tc.after - tc.first) / 3600; got != tc.hours {
				t.Fatalf("the day is %d hours long, want %d: fix the test", got, tc.hours)
			}
			onEveryBackend(t, func(t *testing.T, b apitest.Backend) {
				e := newEnv(t, b)
				e.setTimeZone(t, "America/New_York")
				seed(entry{"calls", tc.first, 1}, entry{"calls", tc.last, 20}, entry{"calls", tc.after, 300},
					entry{"peak", tc.first, 5}, entry{"peak", tc.last, 9}, entry{"peak", tc.after, 7})(t, e)
				wantCount(t, "calls on "+tc.day, e.day(t, "calls", tc.day), 21)
				wantCount(t, "calls on "+tc.next, e.day(t, "calls", tc.next), 300)
				wantCount(t, "peak on "+tc.day, e.day(t, "peak", tc.day), 9)
				e.set(t, "peak", tc.last, "sub", 8, 1)
				wantCount(t, "peak on "+tc.day+" after its largest entry shrank", e.day(t, "peak", tc.day), 5)
				wantCount(t, "peak on "+tc.next, e.day(t, "peak", tc.next), 7)
			})
		})
	}
}
