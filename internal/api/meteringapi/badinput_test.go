package meteringapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// rawJSON is sent as is inside a JSON body (numbers JSON cannot carry in a
// Go value).
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// outcome is one request in a fresh SaaS that must fail with exactly
// status and error type typ, with a message naming every one of fields,
// and change nothing.
type outcome struct {
	name   string
	method string
	path   string // under .../metering/tenants/{tenant}/units
	body   any
	header http.Header
	status int
	typ    string
	fields []string
}

func bad(name, method, path string, body any, fields ...string) outcome {
	return outcome{name: name, method: method, path: path, body: body, status: http.StatusBadRequest, typ: "invalid_request", fields: fields}
}

// seeded is the state every bad request runs against: calls and peak
// hold 5 at morning.
func seeded(t *testing.T, e *env) {
	seed(entry{"calls", morning, 5}, entry{"peak", morning, 5})(t, e)
}

// snapshot records what a bad request must not change: every entry of
// every meter and the day and month totals.
func snapshot(t *testing.T, e *env) string {
	t.Helper()
	var b strings.Builder
	for _, m := range []string{"calls", "peak", "idle"} {
		b.WriteString(e.everything(t, m))
	}
	b.WriteString(compact(t, e.get(t, "/date/2026-03-15").Body))
	b.WriteString(compact(t, e.get(t, "/month/2026-03").Body))
	return b.String()
}

// runBad runs every case, in parallel, in a fresh SaaS on every backend.
func runBad(t *testing.T, cases []outcome) {
	t.Helper()
	onEveryBackend(t, func(t *testing.T, b apitest.Backend) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, b)
				seeded(t, e)
				before := snapshot(t, e)
				r := e.c.Send(t, apitest.Request{Method: tc.method, Path: units(e.tenant) + tc.path, Body: tc.body, Header: tc.header})
				t.Log(r)
				r.WantError(t, tc.status, tc.typ, tc.fields...)
				if after := snapshot(t, e); after != before {
					t.Errorf("%s changed the counts:\nbefore %s\n after %s", r, before, after)
				}
			})
		}
	})
}

// badBodies are bodies of an update that are not {method, count} with a
// known method and a count from 0 to 2^40.
func badBodies() []struct {
	name   string
	body   any
	fields []string
} {
	return []struct {
		name   string
		body   any
		fields []string
	}{
		{"malformed JSON", `{"method":"add","count":`, []string{"JSON"}},
		{"trailing comma", `{"method":"add","count":1,}`, []string{"JSON"}},
		{"no body", "", []string{"body"}},
		{"only spaces", " \n ", []string{"JSON"}},
		{"JSON array", `[{"method":"add","count":1}]`, []string{"body"}},
		{"JSON null", `null`, []string{"body"}},
		{"JSON number", `5`, []string{"body"}},
		{"two objects", `{"method":"add","count":1}{"method":"add","count":1}`, []string{"body"}},
		{"trailing garbage", `{"method":"add","count":1} x`, nil},
		{"deeply nested", `{"count":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, nil},
		{"empty object", obj{}, []string{"method", "count"}},
		{"no method", obj{"count": 1}, []string{"method"}},
		{"no count", obj{"method": "add"}, []string{"count"}},
		{"null method", obj{"method": nil, "count": 1}, []string{"method"}},
		{"null count", obj{"method": "add", "count": nil}, []string{"count"}},
		{"count is a string", obj{"method": "add", "count": "5"}, []string{"count"}},
		{"count is 1.5", obj{"method": "add", "count": 1.5}, []string{"count"}},
		{"count is 1e3", obj{"method": "add", "count": rawJSON("1e3")}, []string{"count"}},
		{"count is a bool", obj{"method": "add", "count": true}, []string{"count"}},
		{"count is an object", obj{"method": "add", "count": obj{}}, []string{"count"}},
		{"count is -1", obj{"method": "add", "count": -1}, []string{"count"}},
		{"count is 2^40+1", obj{"method": "direct", "count": maxCount + 1}, []string{"count"}},
		{"count is 2^63", obj{"method": "add", "count": rawJSON("9223372036854775808")}, []string{"count"}},
		{"count is -2^63", obj{"method": "sub", "count": rawJSON("-9223372036854775808")}, []string{"count"}},
		{"method mul", obj{"method": "mul", "count": 1}, []string{"method"}},
		{"method ADD", obj{"method": "ADD", "count": 1}, []string{"method"}},
		{"method empty", obj{"method": "", "count": 1}, []string{"method"}},
		{"method delete", obj{"method": "delete", "count": 1}, []string{"method"}},
		{"method is a number", obj{"method": 1, "count": 1}, []string{"method"}},
		{"method is an array", obj{"method": []string{"add"}, "count": 1}, []string{"method"}},
		{"method mul and count -1", obj{"method": "mul", "count": -1}, []string{"method", "count"}},
	}
}

// TestBadUpdates: every malformed update is a 4xx naming the field at
// fault, never a 500, and changes nothing.
func TestBadUpdates(t *testing.T) {
	t.Parallel()
	at := "/calls/timestamp/" + s(morning)
	var cases []outcome
	for _, b := range badBodies() {
		cases = append(cases,
			bad("timestamp/"+b.name, http.MethodPut, at, b.body, b.fields...),
			bad("now/"+b.name, http.MethodPut, "/calls/now", b.body, b.fields...))
	}
	for _, ts := range []string{"abc", "-1", "1e9", "1.5", "0x10", "99999999999999999999", s(limit + 1), s(T0.AddDate(1, 0, 0).Unix())} {
		cases = append(cases,
			bad("timestamp "+ts, http.MethodPut, "/calls/timestamp/"+ts, upd("add", 1), "timestamp"),
			bad("delete timestamp "+ts, http.MethodDelete, "/calls/timestamp/"+ts, nil, "timestamp"))
	}
	cases = append(cases,
		bad("timestamp bad and body bad", http.MethodPut, "/calls/timestamp/abc", obj{"method": "mul"}, "timestamp"),
		bad("add beyond 2^40", http.MethodPut, at, upd("add", maxCount-4), "count"),
		outcome{name: "sub below zero", method: http.MethodPut, path: at, body: upd("sub", 6),
			status: http.StatusConflict, typ: "negative_count", fields: []string{"count"}},
		outcome{name: "sub from a missing entry", method: http.MethodPut, path: "/calls/timestamp/" + s(dayStart), body: upd("sub", 1),
			status: http.StatusConflict, typ: "negative_count", fields: []string{"count"}},
		outcome{name: "now: sub from a missing entry", method: http.MethodPut, path: "/calls/now", body: upd("sub", 1),
			status: http.StatusConflict, typ: "negative_count", fields: []string{"count"}},
		outcome{name: "max meter: sub below zero", method: http.MethodPut, path: "/peak/timestamp/" + s(morning), body: upd("sub", 6),
			status: http.StatusConflict, typ: "negative_count", fields: []string{"count"}},
		outcome{name: "body larger than 1 MiB", method: http.MethodPut, path: at,
			body:   `{"method":"add","count":1,"pad":"` + strings.Repeat("x", 1<<20) + `"}`,
			status: http.StatusRequestEntityTooLarge, typ: "payload_too_large"},
		outcome{name: "Idempotency-Key longer than 255", method: http.MethodPut, path: at, body: upd("add", 1),
			header: http.Header{"Idempotency-Key": {strings.Repeat("k", 256)}},
			status: http.StatusBadRequest, typ: "invalid_request", fields: []string{"Idempotency-Key"}},
		outcome{name: "Idempotency-Key of 256 two-byte characters", method: http.MethodPut, path: at, body: upd("add", 1),
			header: http.Header{"Idempotency-Key": {strings.Repeat("é", 256)}},
			status: http.StatusBadRequest, typ: "invalid_request", fields: []string{"Idempotency-Key"}},
		outcome{name: "Idempotency-Key not UTF-8", method: http.MethodPut, path: at, body: upd("add", 1),
			header: http.Header{"Idempotency-Key": {"k-\xff\xfe"}},
			status: http.StatusBadRequest, typ: "invalid_request", fields: []string{"Idempotency-Key"}},
	)
	runBad(t, cases)
}

// TestBadReads: malformed dates, months and period bounds are 400s naming
// the parameter.
func TestBadReads(t *testing.T) {
	t.Parallel()
	var cases []outcome
	for _, d := range []string{"2026-02-30", "2026-13-01", "2026-00-10", "2026-03-32", "2026-3-1", "20260315", "2026-03-15T00:00:00Z", "1969-12-31", "today", "2026-03"} {
		cases = append(cases,
			bad("date "+d, http.MethodGet, "/calls/date/"+d, nil, "date"),
			bad("units/date "+d, http.MethodGet, "/date/"+d, nil, "date"))
	}
	for _, m := range []string{"2026-13", "2026-00", "2026-3", "202603", "2026-03-01", "1969-12", "thismonth"} {
		cases = append(cases,
			bad("month "+m, http.MethodGet, "/calls/month/"+m, nil, "month"),
			bad("units/month "+m, http.MethodGet, "/month/"+m, nil, "month"))
	}
	period := "/calls/date-period"
	cases = append(cases,
		bad("period start after end", http.MethodGet, period+"?start_timestamp="+s(morning+1)+"&end_timestamp="+s(morning), nil, "start_timestamp", "end_timestamp"),
		bad("period start after the default end (now)", http.MethodGet, period+"?start_timestamp="+s(now0+1), nil, "start_timestamp"),
		bad("period end before the default start (this month)", http.MethodGet, period+"?end_timestamp="+s(febEnd), nil, "start_timestamp"),
		bad("period start abc", http.MethodGet, period+"?start_timestamp=abc", nil, "start_timestamp"),
		bad("period end abc", http.MethodGet, period+"?end_timestamp=abc", nil, "end_timestamp"),
		bad("period start -1", http.MethodGet, period+"?start_timestamp=-1", nil, "start_timestamp"),
		bad("period end 1.5", http.MethodGet, period+"?end_timestamp=1.5", nil, "end_timestamp"),
		bad("period start 1e9", http.MethodGet, period+"?start_timestamp=1e9", nil, "start_timestamp"),
		bad("period start 2^63", http.MethodGet, period+"?start_timestamp=9223372036854775808", nil, "start_timestamp"),
		bad("period both bad", http.MethodGet, period+"?start_timestamp=x&end_timestamp=y", nil, "start_timestamp", "end_timestamp"),
	)
	runBad(t, cases)
}

// TestNotFound: an unknown or deleted tenant, and a meter the SaaS does
// not have, are 404 not_found on every operation, and nothing is written.
func TestNotFound(t *testing.T) {
	t.Parallel()
	type call struct{ method, path string }
	perTenant := func(meter string) []call {
		return []call{
			{"PUT", "/" + meter + "/timestamp/" + s(morning)},
			{"PUT", "/" + meter + "/now"},
			{"DELETE", "/" + meter + "/timestamp/" + s(morning)},
			{"GET", "/" + meter + "/date/2026-03-15"},
			{"GET", "/" + meter + "/today"},
			{"GET", "/" + meter + "/month/2026-03"},
			{"GET", "/" + meter + "/thismonth"},
			{"GET", "/" + meter + "/date-period"},
		}
	}
	allMeters := []call{{"GET", "/date/2026-03-15"}, {"GET", "/month/2026-03"}}
	send := func(t *testing.T, e *env, tenant string, c call) *apitest.Response {
		t.Helper()
		var body any
		if c.method == http.MethodPut {
			body = upd("add", 1)
		}
		return e.c.Do(t, c.method, units(tenant)+c.path, body)
	}

	onEveryBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Run("unknown tenant", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			seeded(t, e)
			before := snapshot(t, e)
			for _, tenant := range []string{"00000000-0000-4000-8000-000000000000", "acme", strings.ToUpper(e.tenant)} {
				for _, c := range append(perTenant("calls"), allMeters...) {
					send(t, e, tenant, c).WantError(t, http.StatusNotFound, "not_found", "tenant")
				}
			}
			if after := snapshot(t, e); after != before {
				t.Errorf("counts changed:\nbefore %s\n after %s", before, after)
			}
		})
		t.Run("unknown meter", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			seeded(t, e)
			before := snapshot(t, e)
			for _, m := range []string{"nope", "CALLS", "calls%20", "today"} {
				for _, c := range perTenant(m) {
					send(t, e, e.tenant, c).WantError(t, http.StatusNotFound, "not_found")
				}
			}
			if after := snapshot(t, e); after != before {
				t.Errorf("counts changed:\nbefore %s\n after %s", before, after)
			}
		})
		t.Run("deleted meter", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			id := meter(t, e.c, "gone", "sum")
			r := e.c.Do(t, http.MethodDelete, P+"/metering/units/"+id, nil).Want(t, http.StatusOK)
			if len(r.Body) != 0 {
				t.Errorf("%s: want an empty body", r)
			}
			for _, c := range perTenant("gone") {
				send(t, e, e.tenant, c).WantError(t, http.StatusNotFound, "not_found", "gone")
			}
			wantBody(t, "all meters", compact(t, e.get(t, "/date/2026-03-15").Body), obj{"counts": []obj{}})
		})
		t.Run("deleted tenant", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			seeded(t, e)
			r := e.c.Do(t, http.MethodDelete, A+"/tenants/"+e.tenant, nil).Want(t, http.StatusOK)
			if len(r.Body) != 0 {
				t.Errorf("%s: want an empty body", r)
			}
			for _, c := range append(perTenant("calls"), allMeters...) {
				send(t, e, e.tenant, c).WantError(t, http.StatusNotFound, "not_found", "tenant")
			}
			// Another tenant of the SaaS still counts.
			e.tenant = newTenant(t, e.c, "other")
			e.set(t, "calls", morning, "add", 1, 1)
		})
	})
}

// TestTimestampLimits: the accepted timestamps are exactly 0 to the
// server's clock + 24 h, whichever way the clock moves.
func TestTimestampLimits(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		meters(t, e)
		e.set(t, "calls", limit, "add", 1, 1)
		e.put(t, "calls", limit+1, "add", 1).WantError(t, http.StatusBadRequest, "invalid_request", "timestamp")
		e.clk.Set(T0.Add(time.Second))
		e.set(t, "calls", limit+1, "add", 1, 1)
		e.del(t, "calls", limit+1)
		// The clock going back narrows the window again.
		e.clk.Set(T0.Add(-time.Hour))
		e.put(t, "calls", limit, "add", 1).WantError(t, http.StatusBadRequest, "invalid_request", "timestamp")
		r := e.c.Do(t, http.MethodDelete, tsPath(e.tenant, "calls", limit), nil)
		r.WantError(t, http.StatusBadRequest, "invalid_request", "timestamp")
		wantBody(t, "entries", e.everything(t, "calls"), entries("calls", limit, 1))
		wantCount(t, "2026-03-16", e.day(t, "calls", "2026-03-16"), 1)
	})
}

// TestBodyKeysAreExact: the request body's keys are "method" and "count"
// exactly, as upstream (and the request validator) spell them. A key that
// differs only in case is an extra field: the update either ignores it and
// applies "method" and "count", or refuses the ambiguous body with a 400,
// but never applies the other key's value behind the validator's back.
func TestBodyKeysAreExact(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		body string
		want int64 // the entry (5 before) after "method" and "count" apply
	}{
		{"Count after count", `{"method":"add","count":1,"Count":100}`, 6},
		{"COUNT after count, negative", `{"method":"add","count":1,"COUNT":-5}`, 6},
		{"METHOD after method", `{"method":"sub","count":1,"METHOD":"direct"}`, 4},
		{"Method after method, invalid", `{"method":"add","count":1,"Method":"mul"}`, 6},
	}
	onEveryBackend(t, func(t *testing.T, b apitest.Backend) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, b)
				seeded(t, e)
				r := e.c.Do(t, http.MethodPut, tsPath(e.tenant, "calls", morning), tc.body)
				switch r.Status {
				case http.StatusOK:
					wantJSON(t, r, tsc("calls", morning, tc.want))
					wantBody(t, "entries", e.everything(t, "calls"), entries("calls", morning, int64(r.JSON(t)["count"].(float64))))
				case http.StatusBadRequest:
					wantBody(t, "entries", e.everything(t, "calls"), entries("calls", morning, 5))
				default:
					t.Errorf("%s: want 200 applying method and count, or 400", r)
				}
			})
		}
	})
}
