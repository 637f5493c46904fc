package meteringapi_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// Seconds the scenarios write at (UTC unless named JST). The clock stands
// at T0 = 2026-03-15 09:30:00 UTC, so writes up to 2026-03-16 09:30:00 are
// accepted.
var (
	now0      = T0.Unix()
	dayStart  = at(3, 15, 0, 0, 0)
	morning   = at(3, 15, 9, 0, 0)
	dayEnd    = at(3, 15, 23, 59, 59)
	prevEnd   = at(3, 14, 23, 59, 59)
	nextStart = at(3, 16, 0, 0, 0)
	janEnd    = at(1, 31, 23, 59, 59)
	febStart  = at(2, 1, 0, 0, 0)
	febEnd    = at(2, 28, 23, 59, 59)
	marStart  = at(3, 1, 0, 0, 0)
	limit     = T0.Add(24 * time.Hour).Unix() // the latest second accepted

	// Asia/Tokyo is UTC+9 all year.
	jstFebEnd   = at(2, 28, 14, 59, 59) // 2026-02-28 23:59:59 JST
	jstMarStart = at(2, 28, 15, 0, 0)   // 2026-03-01 00:00:00 JST
	jstDayStart = at(3, 14, 15, 0, 0)   // 2026-03-15 00:00:00 JST
	jstDayEnd   = at(3, 15, 14, 59, 59) // 2026-03-15 23:59:59 JST
	jstPrevEnd  = at(3, 14, 14, 59, 59) // 2026-03-14 23:59:59 JST
	jstNext     = at(3, 15, 15, 0, 0)   // 2026-03-16 00:00:00 JST
)

func s(n int64) string { return strconv.FormatInt(n, 10) }

// scenario is one call of an upstream metering operation in a fresh SaaS
// with a tenant (e.tenant) on a server whose clock is at T0. Every one
// answers 200; the harness validates the body against upstream.
type scenario struct {
	name   string
	op     string // the upstream operationId the call exercises
	setup  func(t *testing.T, e *env)
	method string
	path   string // under .../metering/tenants/{tenant}/units
	body   any    // nil sends none
	want   any    // the exact body (JSON); nil for an empty body
	check  func(t *testing.T, e *env, r *apitest.Response)
}

// entry is a count to seed at a second.
type entry struct {
	meter     string
	ts, count int64
}

// meters creates calls (sum), peak (max) and idle (no aggregate_usage:
// sum), in that order.
func meters(t *testing.T, e *env) {
	meter(t, e.c, "calls", "sum")
	meter(t, e.c, "peak", "max")
	meter(t, e.c, "idle", "")
}

// seed creates the meters and writes the entries (direct).
func seed(es ...entry) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		meters(t, e)
		for _, en := range es {
			e.set(t, en.meter, en.ts, "direct", en.count, en.count)
		}
	}
}

// tokyo runs setup in a SaaS whose time zone is Asia/Tokyo.
func tokyo(setup func(t *testing.T, e *env)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		e.setTimeZone(t, "Asia/Tokyo")
		setup(t, e)
	}
}

// clockAt runs setup with the clock at when.
func clockAt(when time.Time, setup func(t *testing.T, e *env)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		e.clk.Set(when)
		setup(t, e)
	}
}

// thenDay checks day reads after the call.
func thenDay(meter string, want map[string]int64) func(t *testing.T, e *env, r *apitest.Response) {
	return func(t *testing.T, e *env, r *apitest.Response) {
		for d, n := range want {
			wantCount(t, meter+" on "+d, e.day(t, meter, d), n)
		}
	}
}

// thenEntries checks the entries of meter after the call.
func thenEntries(meter string, pairs ...int64) func(t *testing.T, e *env, r *apitest.Response) {
	return func(t *testing.T, e *env, r *apitest.Response) {
		wantBody(t, meter+" entries", e.everything(t, meter), entries(meter, pairs...))
	}
}

func both(fns ...func(t *testing.T, e *env, r *apitest.Response)) func(t *testing.T, e *env, r *apitest.Response) {
	return func(t *testing.T, e *env, r *apitest.Response) {
		for _, fn := range fns {
			fn(t, e, r)
		}
	}
}

func tsc(meter string, ts, count int64) obj {
	return obj{"metering_unit_name": meter, "timestamp": ts, "count": count}
}

func dc(meter, date string, count int64) obj {
	return obj{"metering_unit_name": meter, "date": date, "count": count}
}

func mc(meter, month string, count int64) obj {
	return obj{"metering_unit_name": meter, "month": month, "count": count}
}

const (
	opUpdate    = "UpdateMeteringUnitTimestampCount"
	opUpdateNow = "UpdateMeteringUnitTimestampCountNow"
	opDelete    = "DeleteMeteringUnitTimestampCount"
	opDay       = "GetMeteringUnitDateCountByTenantIdAndUnitNameAndDate"
	opToday     = "GetMeteringUnitDateCountByTenantIdAndUnitNameToday"
	opMonth     = "GetMeteringUnitMonthCountByTenantIdAndUnitNameAndMonth"
	opThisMonth = "GetMeteringUnitMonthCountByTenantIdAndUnitNameThisMonth"
	opDayAll    = "GetMeteringUnitDateCountsByTenantIdAndDate"
	opMonthAll  = "GetMeteringUnitMonthCountsByTenantIdAndMonth"
	opPeriod    = "GetMeteringUnitDateCountByTenantIdAndUnitNameAndDatePeriod"
)

// sameDay are entries of calls and peak on 2026-03-15 (UTC) and on the
// days around it.
var sameDay = []entry{
	{"calls", prevEnd, 100}, {"calls", dayStart, 1}, {"calls", morning, 20}, {"calls", dayEnd, 300}, {"calls", nextStart, 4000},
	{"peak", prevEnd, 90}, {"peak", dayStart, 5}, {"peak", morning, 7}, {"peak", dayEnd, 3}, {"peak", nextStart, 80},
}

// sameMonth are entries of calls and peak in February 2026 (UTC) and
// around it.
var sameMonth = []entry{
	{"calls", janEnd, 1000}, {"calls", febStart, 1}, {"calls", at(2, 14, 12, 0, 0), 20}, {"calls", at(2, 14, 12, 0, 1), 300}, {"calls", febEnd, 4000}, {"calls", marStart, 50000},
	{"peak", janEnd, 99}, {"peak", febStart, 5}, {"peak", at(2, 14, 12, 0, 0), 42}, {"peak", at(2, 14, 12, 0, 1), 7}, {"peak", febEnd, 6}, {"peak", marStart, 98},
}

// tokyoDay are entries around 2026-03-15 in Asia/Tokyo.
var tokyoDay = []entry{
	{"calls", jstPrevEnd, 100}, {"calls", jstDayStart, 1}, {"calls", morning, 20}, {"calls", jstDayEnd, 300}, {"calls", jstNext, 4000},
	{"peak", jstPrevEnd, 90}, {"peak", jstDayStart, 5}, {"peak", morning, 7}, {"peak", jstDayEnd, 3}, {"peak", jstNext, 80},
}

var scenarios = []scenario{
	// ---- PUT .../timestamp/{timestamp} ----
	{name: "timestamp/add creates the entry", op: opUpdate, setup: seed(),
		method: "PUT", path: "/calls/timestamp/" + s(morning), body: upd("add", 3), want: tsc("calls", morning, 3),
		check: both(thenEntries("calls", morning, 3), thenDay("calls", map[string]int64{"2026-03-15": 3}))},
	{name: "timestamp/add adds to the entry", op: opUpdate, setup: seed(entry{"calls", morning, 3}, entry{"calls", dayStart, 10}),
		method: "PUT", path: "/calls/timestamp/" + s(morning), body: upd("add", 4), want: tsc("calls", morning, 7),
		check: both(thenEntries("calls", dayStart, 10, morning, 7), thenDay("calls", map[string]int64{"2026-03-15": 17}))},
	{name: "timestamp/add 0 changes nothing", op: opUpdate, setup: seed(entry{"calls", morning, 3}),
		method: "PUT", path: "/calls/timestamp/" + s(morning), body: upd("add", 0), want: tsc("calls", morning, 3),
		check: thenEntries("calls", morning, 3)},
	{name: "timestamp/sub", op: opUpdate, setup: seed(entry{"calls", morning, 7}, entry{"calls", dayStart, 10}),
		method: "PUT", path: "/calls/timestamp/" + s(morning), body: upd("sub", 2), want: tsc("calls", morning, 5),
		check: both(thenEntries("calls", dayStart, 10, morning, 5), thenDay("calls", map[string]int64{"2026-03-15": 15}))},
	{name: "timestamp/sub down to exactly 0", op: opUpdate, setup: seed(entry{"calls", morning, 7}, entry{"calls", dayStart, 10}),
		method: "PUT", path: "/calls/timestamp/" + s(morning), body: upd("sub", 7), want: tsc("calls", morning, 0),
		check: thenDay("calls", map[string]int64{"2026-03-15": 10})},
	{name: "timestamp/direct overwrites", op: opUpdate, setup: seed(entry{"calls", morning, 7}, entry{"calls", dayStart, 10}),
		method: "PUT", path: "/calls/timestamp/" + s(morning), body: upd("direct", 2), want: tsc("calls", morning, 2),
		check: both(thenEntries("calls", dayStart, 10, morning, 2), thenDay("calls", map[string]int64{"2026-03-15": 12}))},
	{name: "timestamp/direct creates the entry", op: opUpdate, setup: seed(),
		method: "PUT", path: "/calls/timestamp/" + s(morning), body: upd("direct", 9), want: tsc("calls", morning, 9),
		check: thenEntries("calls", morning, 9)},
	{name: "timestamp/direct 2^40, the largest count", op: opUpdate, setup: seed(entry{"calls", dayStart, 1}),
		method: "PUT", path: "/calls/timestamp/" + s(morning), body: upd("direct", maxCount), want: tsc("calls", morning, maxCount),
		check: thenDay("calls", map[string]int64{"2026-03-15": maxCount + 1})},
	{name: "timestamp/add up to exactly 2^40", op: opUpdate, setup: seed(entry{"calls", morning, maxCount - 5}),
		method: "PUT", path: "/calls/timestamp/" + s(morning), body: upd("add", 5), want: tsc("calls", morning, maxCount)},
	{name: "timestamp/0 is 1970-01-01", op: opUpdate, setup: seed(),
		method: "PUT", path: "/calls/timestamp/0", body: upd("add", 1), want: tsc("calls", 0, 1),
		check: both(thenDay("calls", map[string]int64{"1970-01-01": 1, "1970-01-02": 0}),
			func(t *testing.T, e *env, r *apitest.Response) {
				wantCount(t, "1970-01", e.month(t, "calls", "1970-01"), 1)
			})},
	{name: "timestamp/24 hours ahead of the clock", op: opUpdate, setup: seed(),
		method: "PUT", path: "/calls/timestamp/" + s(limit), body: upd("add", 1), want: tsc("calls", limit, 1),
		check: thenDay("calls", map[string]int64{"2026-03-16": 1})},
	{name: "timestamp/max meter stores the entry as is", op: opUpdate, setup: seed(entry{"peak", morning, 2}),
		method: "PUT", path: "/peak/timestamp/" + s(morning), body: upd("add", 5), want: tsc("peak", morning, 7),
		check: thenDay("peak", map[string]int64{"2026-03-15": 7})},
	{name: "timestamp/extra fields are ignored", op: opUpdate, setup: seed(),
		method: "PUT", path: "/calls/timestamp/" + s(morning), body: obj{"method": "add", "count": 2, "timestamp": 5, "metering_unit_name": "peak"},
		want: tsc("calls", morning, 2), check: thenEntries("peak")},

	// ---- PUT .../now ----
	{name: "now/add uses the server clock", op: opUpdateNow, setup: seed(entry{"calls", morning, 50}),
		method: "PUT", path: "/calls/now", body: upd("add", 2), want: tsc("calls", now0, 2),
		check: both(thenEntries("calls", morning, 50, now0, 2), thenDay("calls", map[string]int64{"2026-03-15": 52}))},
	{name: "now/add to what this second holds", op: opUpdateNow, setup: seed(entry{"calls", now0, 10}),
		method: "PUT", path: "/calls/now", body: upd("add", 1), want: tsc("calls", now0, 11)},
	{name: "now/sub", op: opUpdateNow, setup: seed(entry{"calls", now0, 5}),
		method: "PUT", path: "/calls/now", body: upd("sub", 2), want: tsc("calls", now0, 3)},
	{name: "now/direct", op: opUpdateNow, setup: seed(entry{"peak", now0, 5}),
		method: "PUT", path: "/peak/now", body: upd("direct", 12), want: tsc("peak", now0, 12),
		check: thenDay("peak", map[string]int64{"2026-03-15": 12})},
	{name: "now/follows a moved clock", op: opUpdateNow, setup: clockAt(time.Unix(dayEnd, 0), seed()),
		method: "PUT", path: "/calls/now", body: upd("add", 4), want: tsc("calls", dayEnd, 4),
		check: thenDay("calls", map[string]int64{"2026-03-15": 4, "2026-03-16": 0})},

	// ---- DELETE .../timestamp/{timestamp} ----
	{name: "delete removes the entry", op: opDelete, setup: seed(entry{"calls", dayStart, 3}, entry{"calls", morning, 4}),
		method: "DELETE", path: "/calls/timestamp/" + s(dayStart),
		check: both(thenEntries("calls", morning, 4), thenDay("calls", map[string]int64{"2026-03-15": 4}),
			func(t *testing.T, e *env, r *apitest.Response) {
				// The second is free again: add starts from 0.
				e.set(t, "calls", dayStart, "add", 2, 2)
			})},
	{name: "delete a missing entry", op: opDelete, setup: seed(entry{"calls", morning, 4}),
		method: "DELETE", path: "/calls/timestamp/" + s(dayStart),
		check: both(thenEntries("calls", morning, 4), thenDay("calls", map[string]int64{"2026-03-15": 4}))},
	{name: "delete the last entry of a day", op: opDelete, setup: seed(entry{"calls", morning, 4}),
		method: "DELETE", path: "/calls/timestamp/" + s(morning),
		check: both(thenEntries("calls"), thenDay("calls", map[string]int64{"2026-03-15": 0}))},
	{name: "delete the largest entry of a max meter", op: opDelete, setup: seed(entry{"peak", dayStart, 5}, entry{"peak", morning, 9}, entry{"peak", dayEnd, 7}),
		method: "DELETE", path: "/peak/timestamp/" + s(morning),
		check: thenDay("peak", map[string]int64{"2026-03-15": 7})},

	// ---- GET .../{meter}/date/{date} ----
	{name: "date/sum of the day's entries", op: opDay, setup: seed(sameDay...),
		method: "GET", path: "/calls/date/2026-03-15", want: dc("calls", "2026-03-15", 321),
		check: thenDay("calls", map[string]int64{"2026-03-14": 100, "2026-03-16": 4000, "2026-03-13": 0})},
	{name: "date/max: the largest entry of the day", op: opDay, setup: seed(sameDay...),
		method: "GET", path: "/peak/date/2026-03-15", want: dc("peak", "2026-03-15", 7),
		check: thenDay("peak", map[string]int64{"2026-03-14": 90, "2026-03-16": 80})},
	{name: "date/max after the largest entry shrank", op: opDay,
		setup: func(t *testing.T, e *env) {
			seed(sameDay...)(t, e)
			e.set(t, "peak", morning, "sub", 6, 1) // 7 -> 1: the day's max is now 5
		},
		method: "GET", path: "/peak/date/2026-03-15", want: dc("peak", "2026-03-15", 5)},
	{name: "date/a day without entries", op: opDay, setup: seed(sameDay...),
		method: "GET", path: "/idle/date/2026-03-15", want: dc("idle", "2026-03-15", 0)},
	{name: "date/a leap day long ago", op: opDay, setup: seed(),
		method: "GET", path: "/calls/date/2024-02-29", want: dc("calls", "2024-02-29", 0)},
	{name: "date/days in Asia/Tokyo", op: opDay, setup: tokyo(seed(tokyoDay...)),
		method: "GET", path: "/calls/date/2026-03-15", want: dc("calls", "2026-03-15", 321),
		check: both(thenDay("calls", map[string]int64{"2026-03-14": 100, "2026-03-16": 4000}),
			thenDay("peak", map[string]int64{"2026-03-14": 90, "2026-03-15": 7, "2026-03-16": 80}))},

	// ---- GET .../{meter}/today ----
	{name: "today/sum", op: opToday, setup: seed(sameDay...),
		method: "GET", path: "/calls/today", want: dc("calls", "2026-03-15", 321)},
	{name: "today/max", op: opToday, setup: seed(sameDay...),
		method: "GET", path: "/peak/today", want: dc("peak", "2026-03-15", 7)},
	{name: "today/nothing yet", op: opToday, setup: seed(sameDay...),
		method: "GET", path: "/idle/today", want: dc("idle", "2026-03-15", 0)},
	{name: "today/in Asia/Tokyo after midnight JST", op: opToday,
		setup:  clockAt(time.Unix(jstNext, 0).Add(time.Hour), tokyo(seed(tokyoDay...))), // 2026-03-16 01:00 JST
		method: "GET", path: "/calls/today", want: dc("calls", "2026-03-16", 4000)},
	{name: "today/at the last second of the day", op: opToday, setup: clockAt(time.Unix(dayEnd, 0), seed(sameDay...)),
		method: "GET", path: "/calls/today", want: dc("calls", "2026-03-15", 321)},

	// ---- GET .../{meter}/month/{month} ----
	{name: "month/sum of the month's entries", op: opMonth, setup: seed(sameMonth...),
		method: "GET", path: "/calls/month/2026-02", want: mc("calls", "2026-02", 4321),
		check: func(t *testing.T, e *env, r *apitest.Response) {
			wantCount(t, "calls in 2026-01", e.month(t, "calls", "2026-01"), 1000)
			wantCount(t, "calls in 2026-03", e.month(t, "calls", "2026-03"), 50000)
			wantCount(t, "calls in 2025-02", e.month(t, "calls", "2025-02"), 0)
		}},
	{name: "month/max: the largest entry of the month", op: opMonth, setup: seed(sameMonth...),
		method: "GET", path: "/peak/month/2026-02", want: mc("peak", "2026-02", 42),
		check: func(t *testing.T, e *env, r *apitest.Response) {
			wantCount(t, "peak in 2026-01", e.month(t, "peak", "2026-01"), 99)
			wantCount(t, "peak in 2026-03", e.month(t, "peak", "2026-03"), 98)
		}},
	{name: "month/a month without entries", op: opMonth, setup: seed(sameMonth...),
		method: "GET", path: "/idle/month/2026-02", want: mc("idle", "2026-02", 0)},
	{name: "month/months in Asia/Tokyo", op: opMonth,
		setup:  tokyo(seed(entry{"calls", jstFebEnd, 1}, entry{"calls", jstMarStart, 20}, entry{"calls", jstNext, 300}, entry{"peak", jstFebEnd, 9}, entry{"peak", jstMarStart, 4})),
		method: "GET", path: "/calls/month/2026-03", want: mc("calls", "2026-03", 320),
		check: func(t *testing.T, e *env, r *apitest.Response) {
			wantCount(t, "calls in 2026-02 (JST)", e.month(t, "calls", "2026-02"), 1)
			wantCount(t, "peak in 2026-02 (JST)", e.month(t, "peak", "2026-02"), 9)
			wantCount(t, "peak in 2026-03 (JST)", e.month(t, "peak", "2026-03"), 4)
		}},

	// ---- GET .../{meter}/thismonth ----
	{name: "thismonth/sum", op: opThisMonth, setup: seed(append(sameMonth, sameDay...)...),
		method: "GET", path: "/calls/thismonth", want: mc("calls", "2026-03", 50000+100+1+20+300+4000)},
	{name: "thismonth/max", op: opThisMonth, setup: seed(append(sameMonth, sameDay...)...),
		method: "GET", path: "/peak/thismonth", want: mc("peak", "2026-03", 98)},
	{name: "thismonth/nothing yet", op: opThisMonth, setup: seed(sameMonth...),
		method: "GET", path: "/idle/thismonth", want: mc("idle", "2026-03", 0)},
	{name: "thismonth/in Asia/Tokyo on the first of the month JST", op: opThisMonth,
		setup:  clockAt(time.Unix(jstMarStart, 0), tokyo(seed(entry{"calls", jstFebEnd, 1}, entry{"calls", jstMarStart, 20}))),
		method: "GET", path: "/calls/thismonth", want: mc("calls", "2026-03", 20)},

	// ---- GET .../units/date/{date} ----
	{name: "units/date lists every meter in creation order", op: opDayAll, setup: seed(sameDay...),
		method: "GET", path: "/date/2026-03-15",
		want: obj{"counts": []obj{dc("calls", "2026-03-15", 321), dc("peak", "2026-03-15", 7), dc("idle", "2026-03-15", 0)}}},
	{name: "units/date on a day without entries", op: opDayAll, setup: seed(sameDay...),
		method: "GET", path: "/date/2026-03-01",
		want: obj{"counts": []obj{dc("calls", "2026-03-01", 0), dc("peak", "2026-03-01", 0), dc("idle", "2026-03-01", 0)}}},
	{name: "units/date without meters", op: opDayAll,
		method: "GET", path: "/date/2026-03-15", want: obj{"counts": []obj{}}},
	{name: "units/date in Asia/Tokyo", op: opDayAll, setup: tokyo(seed(tokyoDay...)),
		method: "GET", path: "/date/2026-03-16",
		want: obj{"counts": []obj{dc("calls", "2026-03-16", 4000), dc("peak", "2026-03-16", 80), dc("idle", "2026-03-16", 0)}}},

	// ---- GET .../units/month/{month} ----
	{name: "units/month lists every meter in creation order", op: opMonthAll, setup: seed(sameMonth...),
		method: "GET", path: "/month/2026-02",
		want: obj{"counts": []obj{mc("calls", "2026-02", 4321), mc("peak", "2026-02", 42), mc("idle", "2026-02", 0)}}},
	{name: "units/month without meters", op: opMonthAll,
		method: "GET", path: "/month/2026-02", want: obj{"counts": []obj{}}},
	{name: "units/month in Asia/Tokyo", op: opMonthAll,
		setup:  tokyo(seed(entry{"calls", jstFebEnd, 1}, entry{"calls", jstMarStart, 20}, entry{"peak", jstFebEnd, 9}, entry{"peak", jstMarStart, 4})),
		method: "GET", path: "/month/2026-02",
		want: obj{"counts": []obj{mc("calls", "2026-02", 1), mc("peak", "2026-02", 9), mc("idle", "2026-02", 0)}}},

	// ---- GET .../{meter}/date-period ----
	{name: "date-period/both bounds inclusive, ascending", op: opPeriod,
		setup:  seed(entry{"calls", nextStart, 4}, entry{"calls", dayStart, 2}, entry{"calls", prevEnd, 1}, entry{"calls", morning, 3}),
		method: "GET", path: "/calls/date-period?start_timestamp=" + s(dayStart) + "&end_timestamp=" + s(morning),
		want: entries("calls", dayStart, 2, morning, 3)},
	{name: "date-period/start equals end", op: opPeriod, setup: seed(entry{"calls", dayStart, 2}, entry{"calls", morning, 3}),
		method: "GET", path: "/calls/date-period?start_timestamp=" + s(morning) + "&end_timestamp=" + s(morning),
		want: entries("calls", morning, 3)},
	{name: "date-period/defaults: from the start of this month to now", op: opPeriod,
		setup:  seed(entry{"calls", febEnd, 1}, entry{"calls", marStart, 2}, entry{"calls", now0, 3}, entry{"calls", now0 + 1, 4}),
		method: "GET", path: "/calls/date-period", want: entries("calls", marStart, 2, now0, 3)},
	{name: "date-period/only start_timestamp: up to now", op: opPeriod,
		setup:  seed(entry{"calls", febEnd, 1}, entry{"calls", marStart, 2}, entry{"calls", now0, 3}, entry{"calls", now0 + 1, 4}),
		method: "GET", path: "/calls/date-period?start_timestamp=" + s(febEnd), want: entries("calls", febEnd, 1, marStart, 2, now0, 3)},
	{name: "date-period/only end_timestamp: from the start of this month", op: opPeriod,
		setup:  seed(entry{"calls", febEnd, 1}, entry{"calls", marStart, 2}, entry{"calls", now0, 3}, entry{"calls", now0 + 1, 4}),
		method: "GET", path: "/calls/date-period?end_timestamp=" + s(now0+1), want: entries("calls", marStart, 2, now0, 3, now0+1, 4)},
	{name: "date-period/default start in Asia/Tokyo", op: opPeriod,
		setup:  tokyo(seed(entry{"calls", jstFebEnd, 1}, entry{"calls", jstMarStart, 2}, entry{"calls", now0, 3})),
		method: "GET", path: "/calls/date-period", want: entries("calls", jstMarStart, 2, now0, 3)},
	{name: "date-period/max meter: the raw entries", op: opPeriod, setup: seed(sameDay...),
		method: "GET", path: "/peak/date-period?start_timestamp=0&end_timestamp=" + s(limit),
		want: entries("peak", prevEnd, 90, dayStart, 5, morning, 7, dayEnd, 3, nextStart, 80)},
	{name: "date-period/no entries", op: opPeriod, setup: seed(sameDay...),
		method: "GET", path: "/idle/date-period?start_timestamp=0&end_timestamp=" + s(limit), want: entries("idle")},
	{name: "date-period/only this meter's entries", op: opPeriod, setup: seed(sameDay...),
		method: "GET", path: "/calls/date-period?start_timestamp=" + s(dayStart) + "&end_timestamp=" + s(dayEnd),
		want: entries("calls", dayStart, 1, morning, 20, dayEnd, 300)},
}

// scenarioPath is the request path of sc for tenant.
func scenarioPath(sc scenario, tenant string) string {
	return units(tenant) + sc.path
}

// runScenarios runs every scenario in a fresh SaaS on backend b.
func runScenarios(t *testing.T, b apitest.Backend) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			if sc.setup != nil {
				sc.setup(t, e)
			}
			r := e.c.Do(t, sc.method, scenarioPath(sc, e.tenant), sc.body).Want(t, http.StatusOK)
			e.srv.WantRouted(t, r, sc.op)
			if sc.want == nil {
				if len(r.Body) != 0 {
					t.Errorf("%s: want an empty body (upstream declares no content)", r)
				}
			} else {
				wantJSON(t, r, sc.want)
			}
			if sc.check != nil {
				sc.check(t, e, r)
			}
		})
	}
}

// TestScenarios runs every scenario on every backend. Each response is
// checked by the harness (trace id, content type, error shape, upstream
// schema of 2xx bodies).
func TestScenarios(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, runScenarios)
}
