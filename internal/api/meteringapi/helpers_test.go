package meteringapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// P is the mount point of the Pricing API; A that of the Auth API, where
// tenants are created.
const (
	P = "/v1/pricing"
	A = "/v1/auth"
)

// obj is a JSON object, as requests are written and responses decoded.
type obj = apitest.Obj

// maxCount is the largest count an entry may hold: 2^40.
const maxCount = int64(1) << 40

// T0 is where every test's clock starts: mid-month, mid-morning UTC, so
// that its day and month are the same in UTC and Asia/Tokyo (18:30 JST).
var T0 = time.Date(2026, 3, 15, 9, 30, 0, 0, time.UTC)

// at returns the Unix seconds of a UTC wall time in 2026.
func at(month time.Month, day, hour, minute, second int) int64 {
	return time.Date(2026, month, day, hour, minute, second, 0, time.UTC).Unix()
}

// ---- the environment ----

// env is what one test works with: its own server over a backend, whose
// clock starts at T0, a fresh SaaS on it with one tenant, and the ids its
// setup created.
type env struct {
	srv    *apitest.Server
	clk    *apitest.Clock
	c      apitest.Client
	tenant string
	x      map[string]string
}

// newEnv starts a server over b with a clock at T0 and creates a SaaS with
// one tenant ("acme") and no meter.
func newEnv(t testing.TB, b apitest.Backend) *env {
	t.Helper()
	clk := apitest.NewClock(T0)
	srv := apitest.NewServerWith(t, b.DB, apitest.Options{Now: clk.Now})
	e := &env{srv: srv, clk: clk, c: srv.NewSaaS(t), x: map[string]string{}}
	e.tenant = newTenant(t, e.c, "acme")
	e.x["tenant"] = e.tenant
	return e
}

// onEveryBackend runs fn as a parallel subtest per backend.
func onEveryBackend(t *testing.T, fn func(t *testing.T, b apitest.Backend)) {
	t.Helper()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		fn(t, b)
	})
}

// newTenant creates a tenant in c's SaaS and returns its id.
func newTenant(t testing.TB, c apitest.Client, name string) string {
	t.Helper()
	body := obj{"name": name, "attributes": obj{}, "back_office_staff_email": "staff@example.com"}
	id, _ := c.Do(t, http.MethodPost, A+"/tenants", body).Want(t, http.StatusCreated).JSON(t)["id"].(string)
	if id == "" {
		t.Fatalf("POST /tenants: no id")
	}
	return id
}

// meter creates a meter with the given aggregate_usage ("" leaves it out)
// and returns its id.
func meter(t testing.TB, c apitest.Client, name, aggregate string) string {
	t.Helper()
	body := obj{"unit_name": name, "display_name": "Meter " + name, "description": "counts " + name}
	if aggregate != "" {
		body["aggregate_usage"] = aggregate
	}
	id, _ := c.Do(t, http.MethodPost, P+"/metering/units", body).Want(t, http.StatusCreated).JSON(t)["id"].(string)
	if id == "" {
		t.Fatalf("POST /metering/units: no id")
	}
	return id
}

// setTimeZone sets the SaaS's time zone directly in the database.
func (e *env) setTimeZone(t testing.TB, name string) {
	t.Helper()
	if _, err := e.srv.DB.WriteRaw(t.Context(), "UPDATE saas SET time_zone = ? WHERE id = ?", name, e.c.SaaSID); err != nil {
		t.Fatalf("set time zone: %v", err)
	}
}

// ---- paths ----

// units is the counters' root for a tenant.
func units(tenant string) string { return P + "/metering/tenants/" + tenant + "/units" }

func tsPath(tenant, meter string, ts int64) string {
	return units(tenant) + "/" + meter + "/timestamp/" + strconv.FormatInt(ts, 10)
}

func nowPath(tenant, meter string) string { return units(tenant) + "/" + meter + "/now" }

func upd(method string, count int64) obj { return obj{"method": method, "count": count} }

// ---- calls ----

// put sends PUT .../timestamp/{ts} and returns the response.
func (e *env) put(t testing.TB, meter string, ts int64, method string, count int64) *apitest.Response {
	t.Helper()
	return e.c.Do(t, http.MethodPut, tsPath(e.tenant, meter, ts), upd(method, count))
}

// set sends PUT .../timestamp/{ts}, requires 200 and the entry's count
// afterwards to be want.
func (e *env) set(t testing.TB, meter string, ts int64, method string, count, want int64) {
	t.Helper()
	r := e.put(t, meter, ts, method, count).Want(t, http.StatusOK)
	wantJSON(t, r, obj{"metering_unit_name": meter, "timestamp": ts, "count": want})
}

// del sends DELETE .../timestamp/{ts} and requires 200 with no body.
func (e *env) del(t testing.TB, meter string, ts int64) {
	t.Helper()
	r := e.c.Do(t, http.MethodDelete, tsPath(e.tenant, meter, ts), nil).Want(t, http.StatusOK)
	if len(r.Body) != 0 {
		t.Errorf("%s: want an empty body", r)
	}
}

// get GETs a path under the tenant's units and requires 200.
func (e *env) get(t testing.TB, rest string) *apitest.Response {
	t.Helper()
	return e.c.Do(t, http.MethodGet, units(e.tenant)+rest, nil).Want(t, http.StatusOK)
}

// day returns GET .../{meter}/date/{date}, checking the echoed fields.
func (e *env) day(t testing.TB, meter, date string) int64 {
	t.Helper()
	var b struct {
		Name  string `json:"metering_unit_name"`
		Date  string `json:"date"`
		Count int64  `json:"count"`
	}
	e.get(t, "/"+meter+"/date/"+date).Decode(t, &b)
	if b.Name != meter || b.Date != date {
		t.Errorf("GET %s/date/%s echoed %q %q", meter, date, b.Name, b.Date)
	}
	return b.Count
}

// month returns GET .../{meter}/month/{month}, checking the echoed fields.
func (e *env) month(t testing.TB, meter, month string) int64 {
	t.Helper()
	var b struct {
		Name  string `json:"metering_unit_name"`
		Month string `json:"month"`
		Count int64  `json:"count"`
	}
	e.get(t, "/"+meter+"/month/"+month).Decode(t, &b)
	if b.Name != meter || b.Month != month {
		t.Errorf("GET %s/month/%s echoed %q %q", meter, month, b.Name, b.Month)
	}
	return b.Count
}

// period returns the raw body of date-period with the given query.
func (e *env) period(t testing.TB, meter, query string) string {
	t.Helper()
	return compact(t, e.get(t, "/"+meter+"/date-period"+query).Body)
}

// everything is the date-period body over every second a test may write.
func (e *env) everything(t testing.TB, meter string) string {
	t.Helper()
	return e.period(t, meter, fmt.Sprintf("?start_timestamp=0&end_timestamp=%d", T0.AddDate(0, 1, 0).Unix()))
}

// ---- checks ----

// wantCount fails unless got == want.
func wantCount(t testing.TB, what string, got, want int64) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %d, want %d", what, got, want)
	}
}

// wantJSON fails unless r's body is JSON equal to want.
func wantJSON(t testing.TB, r *apitest.Response, want any) {
	t.Helper()
	if got, w := compact(t, r.Body), compact(t, mustJSON(t, want)); got != w {
		t.Errorf("%s %s:\n got %s\nwant %s", r.Method, r.Path, got, w)
	}
}

// wantBody fails unless the JSON body got is JSON equal to want.
func wantBody(t testing.TB, what, got string, want any) {
	t.Helper()
	if w := compact(t, mustJSON(t, want)); got != w {
		t.Errorf("%s:\n got %s\nwant %s", what, got, w)
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	if s, ok := v.(string); ok {
		return []byte(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

// compact re-encodes JSON with sorted keys and no spaces, so that bodies
// compare by value.
func compact(t testing.TB, b []byte) string {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("not JSON: %v: %q", err, b)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// entries builds the date-period body of meter with ts, count pairs.
func entries(meter string, pairs ...int64) obj {
	counts := []obj{}
	for i := 0; i+1 < len(pairs); i += 2 {
		counts = append(counts, obj{"timestamp": pairs[i], "count": pairs[i+1]})
	}
	return obj{"metering_unit_name": meter, "counts": counts}
}
