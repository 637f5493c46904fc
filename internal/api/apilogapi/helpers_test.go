package apilogapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/api"
	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/apilog"
)

// L is the mount point of the ApiLog API.
const L = "/v1/apilog"

// T0 is where every test's API log clock starts.
var T0 = time.Date(2026, 3, 4, 5, 6, 7, 890123000, time.UTC)

// testRetention is the retention the test servers record with.
const testRetention = 48 * time.Hour

// env is one test's server with the API log switched on, and a fresh SaaS.
type env struct {
	srv *apitest.Server
	rec *apilog.Recorder
	clk *apitest.Clock // the API log's clock: creation times, "today", expiry
	c   apitest.Client
}

// newEnv serves the full handler over b with a running recorder, whose
// queue is drained when the test ends.
func newEnv(t *testing.T, b apitest.Backend, cfg apilog.RecorderConfig) *env {
	t.Helper()
	clk := apitest.NewClock(T0)
	log := slog.New(slog.DiscardHandler)
	if cfg.Retention == 0 {
		cfg.Retention = testRetention
	}
	st := b.DB.APILog()
	rec := apilog.NewRecorder(st, cfg, clk.Now, uuid.NewString, log)
	svc := apilog.NewService(st, clk.Now, log)
	srv := apitest.NewServerWith(t, b.DB, apitest.Options{Deps: func(d *api.Deps) { d.APILog, d.APILogs = rec, svc }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rec.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &env{srv: srv, rec: rec, clk: clk, c: srv.NewSaaS(t)}
}

// flush makes everything recorded so far readable.
func (e *env) flush(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.rec.Flush(ctx); err != nil {
		t.Fatalf("flush the API log: %v", err)
	}
}

// apiLog is the wire form of one entry, decoded.
type apiLog struct {
	TraceID        string `json:"trace_id"`
	APILogID       string `json:"api_log_id"`
	CreatedAt      int64  `json:"created_at"`
	CreatedDate    string `json:"created_date"`
	TTL            int64  `json:"ttl"`
	RequestMethod  string `json:"request_method"`
	SaaSID         string `json:"saas_id"`
	APIKey         string `json:"api_key"`
	ResponseStatus string `json:"response_status"`
	RequestURI     string `json:"request_uri"`
	RemoteAddress  string `json:"remote_address"`
	Referer        string `json:"referer"`
	RequestBody    string `json:"request_body"`
	ResponseBody   string `json:"response_body"`
}

type apiLogs struct {
	APILogs []apiLog `json:"api_logs"`
	Cursor  *string  `json:"cursor"`
}

// list flushes, then GETs /v1/apilog/logs?query as c and returns the page.
// The listing call is itself recorded, after it answers.
func (e *env) list(t testing.TB, c apitest.Client, query string) apiLogs {
	t.Helper()
	e.flush(t)
	path := L + "/logs"
	if query != "" {
		path += "?" + query
	}
	var out apiLogs
	c.Do(t, http.MethodGet, path, nil).Want(t, http.StatusOK).Decode(t, &out)
	if out.APILogs == nil {
		t.Fatalf("GET %s: api_logs is missing or null", path)
	}
	if out.Cursor != nil && *out.Cursor == "" {
		t.Fatalf("GET %s: cursor is present but empty; omit it on the last page", path)
	}
	return out
}

// notReads drops the entries of calls to the ApiLog API itself.
func notReads(ls []apiLog) []apiLog {
	var out []apiLog
	for _, l := range ls {
		if !strings.HasPrefix(l.RequestURI, L+"/") {
			out = append(out, l)
		}
	}
	return out
}

func meterBody(name string) string {
	return `{"unit_name":"` + name + `","display_name":"Meter","description":"counts","aggregate_usage":"sum"}`
}
