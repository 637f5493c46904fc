package apilogapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/apilog"
)

// Every signed /v1 call, whatever its outcome, becomes one entry with every
// field as the call had it; unauthenticated calls leave no trace.
func TestEveryCallIsRecorded(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b, apilog.RecorderConfig{})
		c := e.c
		type call struct {
			req    apitest.Request
			status int
		}
		calls := []call{
			{apitest.Request{Method: "POST", Path: "/v1/pricing/metering/units", Body: meterBody("calls"),
				Header: http.Header{"X-Saasus-Trace-Id": {"trace-apilog-1"}, "Referer": {"https://app.example/settings"}}}, 201},
			{apitest.Request{Method: "GET", Path: "/v1/pricing/metering/units", Header: http.Header{"X-Saasus-Referer": {"/v1/auth/user_info"}}}, 200},
			{apitest.Request{Method: "POST", Path: "/v1/pricing/metering/units", Body: `{"unit_name":5}`}, 400},
			{apitest.Request{Method: "GET", Path: "/v1/pricing/nothing-here"}, 404},
			{apitest.Request{Method: "DELETE", Path: "/v1/pricing/units"}, 405},
			{apitest.Request{Method: "GET", Path: L + "/errors/internal-server-error"}, 500},
		}
		var resps []*apitest.Response
		for i, cl := range calls {
			if i > 0 {
				e.clk.Add(time.Second) // distinct seconds: the order is known
			}
			resps = append(resps, c.Send(t, cl.req).Want(t, cl.status))
		}
		// Refused before authentication: not recorded.
		bad := "SAASUSSIGV1 Sig=00, SaaSID=" + c.SaaSID + ", APIKey=" + c.APIKey
		c.Send(t, apitest.Request{Method: "GET", Path: "/v1/pricing/units", Authorization: &bad}).Want(t, 401)

		got := e.list(t, c, "limit=100").APILogs
		if len(got) != len(calls) {
			t.Fatalf("%d entries, want %d (one per authenticated call): %+v", len(got), len(calls), got)
		}
		for i := range got {
			want := len(calls) - 1 - i // newest first
			l, cl, r := got[i], calls[want], resps[want]
			at := T0.Add(time.Duration(want) * time.Second)
			wantLog := apiLog{
				TraceID: r.Header.Get("X-Saasus-Trace-Id"), APILogID: l.APILogID,
				CreatedAt: at.Unix(), CreatedDate: "2026-03-04", TTL: at.Add(testRetention).Unix(),
				RequestMethod: cl.req.Method, SaaSID: c.SaaSID, APIKey: c.APIKey,
				ResponseStatus: strconv.Itoa(cl.status), RequestURI: cl.req.Path, RemoteAddress: "127.0.0.1",
				Referer:     cl.req.Header.Get("Referer") + cl.req.Header.Get("X-Saasus-Referer"),
				RequestBody: string(apitest.Encode(t, cl.req.Body)), ResponseBody: string(r.Body),
			}
			if l != wantLog {
				t.Errorf("entry %d:\n got %+v\nwant %+v", i, l, wantLog)
			}
			if _, err := uuid.Parse(l.APILogID); err != nil {
				t.Errorf("entry %d: api_log_id %q is not a UUID", i, l.APILogID)
			}
			var one apiLog
			c.Do(t, "GET", L+"/logs/"+l.APILogID, nil).Want(t, 200).Decode(t, &one)
			if one != l {
				t.Errorf("GET /logs/%s =\n%+v\nwant the listed entry\n%+v", l.APILogID, one, l)
			}
		}
		if got[len(got)-1].TraceID != "trace-apilog-1" {
			t.Errorf("trace_id = %q, want the one the client sent", got[len(got)-1].TraceID)
		}
	})
}

func TestSecretsAreRedacted(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b, apilog.RecorderConfig{MaxBodyBytes: 1024})
		// Extra fields are tolerated by the API, and logged without their values.
		body := `{"unit_name":"m","display_name":"M","password":"hunter2-xyz","meta":{"Client_Secret":{"v":"s3-xyz"},"tokens":["t1-xyz"]},` +
			`"aggregate_usage":"sum","description":"` + strings.Repeat("あ", 400) + `"}`
		e.c.Do(t, "POST", "/v1/pricing/metering/units?access_token=q-xyz", body).Want(t, 201)
		ls := notReads(e.list(t, e.c, "").APILogs)
		if len(ls) != 1 {
			t.Fatalf("%d entries, want 1", len(ls))
		}
		l := ls[0]
		for _, secret := range []string{"hunter2", "s3-xyz", "t1-xyz", "q-xyz"} {
			if strings.Contains(l.RequestBody, secret) || strings.Contains(l.RequestURI, secret) {
				t.Errorf("secret %q stored: uri %s body %s", secret, l.RequestURI, l.RequestBody)
			}
		}
		for _, want := range []string{`"password":"***"`, `"Client_Secret":"***"`, `"tokens":"***"`, "…[truncated "} {
			if !strings.Contains(l.RequestBody, want) {
				t.Errorf("request_body %s lacks %s", l.RequestBody, want)
			}
		}
		if l.RequestURI != "/v1/pricing/metering/units?access_token=***" {
			t.Errorf("request_uri = %q", l.RequestURI)
		}
		if n := len(strings.Split(l.RequestBody, "…[truncated ")[0]); n > 1024 {
			t.Errorf("request_body keeps %d bytes, want at most 1024", n)
		}
	})
}

// A SaaS reads its own log only: another's ids are 404 like unknown ones.
func TestLogsAreScopedBySaaS(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b, apilog.RecorderConfig{})
		other := e.srv.NewSaaS(t)
		e.c.Do(t, "GET", "/v1/pricing/units", nil).Want(t, 200)
		mine := e.list(t, e.c, "").APILogs
		if len(mine) != 1 {
			t.Fatalf("%d entries, want 1", len(mine))
		}
		for _, id := range []string{mine[0].APILogID, uuid.NewString(), "not-a-uuid"} {
			other.Do(t, "GET", L+"/logs/"+id, nil).WantError(t, 404, "not_found", id)
		}
		if ls := notReads(e.list(t, other, "").APILogs); len(ls) != 0 {
			t.Errorf("another SaaS lists %d of A's entries, want 0", len(ls))
		}
	})
}

// Without date parameters the listing is today's (UTC, by the injected
// clock); the date, time and range parameters select other windows.
func TestDateSelection(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b, apilog.RecorderConfig{Retention: 30 * 24 * time.Hour})
		c := e.c
		// Day 1: one call at T0, one a second later. Day 2: one call.
		c.Do(t, "GET", "/v1/pricing/units", nil).Want(t, 200)
		e.clk.Add(time.Second)
		c.Do(t, "GET", "/v1/pricing/menus", nil).Want(t, 200)
		e.clk.Add(24 * time.Hour)
		c.Do(t, "GET", "/v1/pricing/plans", nil).Want(t, 200)
		e.clk.Add(time.Minute)

		uris := func(query string) []string {
			var out []string
			for _, l := range notReads(e.list(t, c, query).APILogs) {
				out = append(out, l.RequestURI)
			}
			return out
		}
		t0 := T0.Unix()
		tests := []struct {
			query string
			want  []string
		}{
			{"", []string{"/v1/pricing/plans"}},
			{"created_date=2026-03-04", []string{"/v1/pricing/menus", "/v1/pricing/units"}},
			{"created_date=2026-03-06", nil},
			{"created_at=" + url.QueryEscape(T0.Format(time.RFC3339)), []string{"/v1/pricing/units"}},
			{"created_at=" + url.QueryEscape(T0.In(time.FixedZone("JST", 9*3600)).Format(time.RFC3339)), []string{"/v1/pricing/units"}},
			{fmt.Sprintf("start_at=%d&end_at=%d", t0, t0), []string{"/v1/pricing/units"}},
			{fmt.Sprintf("start_at=%d&end_at=%d&created_date=2026-01-01", t0, t0+1), []string{"/v1/pricing/menus", "/v1/pricing/units"}},
			{fmt.Sprintf("start_at=%d", t0+1), []string{"/v1/pricing/plans", "/v1/pricing/menus"}},
			{fmt.Sprintf("end_at=%d", t0+1), []string{"/v1/pricing/menus", "/v1/pricing/units"}},
		}
		for _, tt := range tests {
			if got := uris(tt.query); !slices.Equal(got, tt.want) {
				t.Errorf("GET /logs?%s = %v, want %v", tt.query, got, tt.want)
			}
		}
		// Entries past their ttl are gone at once, even before the purge.
		e.clk.Add(31 * 24 * time.Hour)
		if got := uris("created_date=2026-03-04"); len(got) != 0 {
			t.Errorf("expired entries still listed: %v", got)
		}
	})
}

// Paging returns every entry exactly once, newest first, even when many
// share a second; the last page has no cursor.
func TestCursorPaging(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b, apilog.RecorderConfig{})
		const n = 11
		for i := range n {
			if i%4 == 0 {
				e.clk.Add(time.Second)
			}
			e.c.Do(t, "GET", fmt.Sprintf("/v1/pricing/units?i=%d", i), nil).Want(t, 200)
		}
		window := fmt.Sprintf("start_at=%d&end_at=%d", T0.Unix(), T0.Unix()+3)
		e.clk.Add(time.Hour) // the listing calls' own entries fall outside the window
		all := e.list(t, e.c, window+"&limit=1000").APILogs
		if len(all) != n {
			t.Fatalf("%d entries in the window, want %d", len(all), n)
		}
		for i := 1; i < n; i++ {
			if all[i-1].CreatedAt < all[i].CreatedAt {
				t.Fatalf("not newest first: %d before %d", all[i-1].CreatedAt, all[i].CreatedAt)
			}
		}
		for _, limit := range []int{1, 3, 4, 11} {
			var got []apiLog
			query := window + "&limit=" + strconv.Itoa(limit)
			for pages := 0; ; pages++ {
				if pages > n {
					t.Fatalf("limit %d: paging does not end", limit)
				}
				p := e.list(t, e.c, query)
				got = append(got, p.APILogs...)
				if p.Cursor == nil {
					break
				}
				query = window + "&limit=" + strconv.Itoa(limit) + "&cursor=" + url.QueryEscape(*p.Cursor)
			}
			if !slices.Equal(got, all) {
				t.Errorf("limit %d: pages gave %d entries, want the %d of the full listing in order", limit, len(got), n)
			}
		}
	})
}

func TestBadParameters(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b, apilog.RecorderConfig{})
		e.c.Do(t, "GET", "/v1/pricing/units", nil).Want(t, 200)
		e.c.Do(t, "GET", "/v1/pricing/menus", nil).Want(t, 200)
		p := e.list(t, e.c, "limit=1")
		if p.Cursor == nil {
			t.Fatal("no cursor on a first page of 1 with more entries")
		}
		cur := *p.Cursor
		tampered := cur[:len(cur)-3] + strings.Map(func(r rune) rune {
			if r == 'A' {
				return 'B'
			}
			return 'A'
		}, cur[len(cur)-3:len(cur)-2]) + cur[len(cur)-2:]
		tests := []struct{ query, param string }{
			{"created_date=2026-02-30", "created_date"},
			{"created_date=today", "created_date"},
			{"created_at=2026-03-04", "created_at"},
			{"created_at=2026-03-04T05:06:07Z&start_at=1", "created_at"},
			{"start_at=soon", "start_at"},
			{"end_at=-5", "end_at"},
			{"start_at=10&end_at=9", "end_at"},
			{"limit=0", "limit"},
			{"limit=1001", "limit"},
			{"limit=many", "limit"},
			{"cursor=" + url.QueryEscape(tampered), "cursor"},
			{"cursor=%21%21", "cursor"},
		}
		for _, tt := range tests {
			e.c.Do(t, "GET", L+"/logs?"+tt.query, nil).WantError(t, 400, "invalid_request", tt.param)
		}
		// The 400s are recorded too.
		ls := e.list(t, e.c, "limit=1000").APILogs
		n400 := 0
		for _, l := range ls {
			if l.ResponseStatus == "400" {
				n400++
			}
		}
		if n400 != len(tests) {
			t.Errorf("%d entries with status 400, want %d", n400, len(tests))
		}
	})
}

func TestMetrics(t *testing.T) {
	b := apitest.Backends(t)[0]
	e := newEnv(t, b, apilog.RecorderConfig{})
	e.c.Do(t, "GET", "/v1/pricing/units", nil).Want(t, 200)
	e.flush(t)
	r := e.srv.Raw(t, "GET", "/metrics", nil, nil).Want(t, 200)
	for _, want := range []string{"saasplane_apilog_recorded_total 1", "saasplane_apilog_dropped_total 0", "saasplane_apilog_queue_length 0"} {
		if !strings.Contains(string(r.Body), want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// The ApiLog routes answer like every SaaSus API: JSON, and the upstream
// operations all exist.
func TestEveryUpstreamOperationIsServed(t *testing.T) {
	up := apitest.LoadUpstreamDoc(t, apitest.APILogDoc)
	e := newEnv(t, apitest.Backends(t)[0], apilog.RecorderConfig{})
	e.c.Do(t, "GET", "/v1/pricing/units", nil).Want(t, 200)
	id := e.list(t, e.c, "").APILogs[0].APILogID
	served := map[string]int{}
	for _, r := range []*apitest.Response{
		e.c.Do(t, "GET", L+"/logs", nil),
		e.c.Do(t, "GET", L+"/logs/"+id, nil),
		e.c.Do(t, "GET", L+"/errors/internal-server-error", nil),
	} {
		served[up.OperationID(r.Method, r.Path)] = r.Status
	}
	for _, op := range up.OperationIDs() {
		if _, ok := served[op]; !ok {
			t.Errorf("upstream operation %s not exercised", op)
		}
	}
	var body map[string]any
	if err := json.Unmarshal(e.c.Do(t, "GET", L+"/errors/internal-server-error", nil).Want(t, 500).Body, &body); err != nil || body["type"] != "internal_server_error" {
		t.Errorf("internal-server-error body = %v, %v", body, err)
	}
}
