package apilogapi_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/api"
	"github.com/saasplane/saasplane/internal/api/apilogapi"
	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/apilog"
)

// benchTarget is the signed request whose latency BenchmarkAPILogOverhead
// measures. body(i) is the body of the i-th request, unique per request.
type benchTarget struct {
	name, method, path string
	body               func(i int64) []byte
	status             int
}

// benchTargets are the requests the benchmark can measure; the first one
// the server serves is used, or the one named by SAASPLANE_BENCH_APILOG_TARGET.
var benchTargets = []benchTarget{
	{"tenants", "POST", "/v1/auth/tenants", func(i int64) []byte {
		return []byte(`{"name":"tenant ` + strconv.FormatInt(i, 10) + `","attributes":{},"back_office_staff_email":"a@b.co"}`)
	}, http.StatusCreated},
	{"meters", "POST", "/v1/pricing/metering/units", func(i int64) []byte {
		return []byte(`{"unit_name":"m` + strconv.FormatInt(i, 10) + `","display_name":"Meter","description":"bench","aggregate_usage":"sum"}`)
	}, http.StatusCreated},
}

// BenchmarkAPILogOverhead measures the latency of a signed write (POST
// /v1/auth/tenants, or POST /v1/pricing/metering/units while the tenants
// API is missing) through the whole handler stack over loopback TCP on
// SQLite, with the API log off and on, under concurrent clients (4 per
// GOMAXPROCS) so that the recorder's queue and batch writes compete with
// the requests for the database. Percentiles come from the duration of
// every request. The apilog=on run reports its percentiles as ratios to the
// latest apilog=off run (p50-on/off, p99-on/off). Run it with -count 1 and
// repeat the whole command, so that each ratio compares neighbouring runs:
// on a busy machine drift between runs is larger than the effect measured
// (see BENCHMARKS.md).
func BenchmarkAPILogOverhead(b *testing.B) {
	target := pickTarget(b)
	b.Run(target.name+"/apilog=off", func(b *testing.B) { benchLatency(b, target, false) })
	b.Run(target.name+"/apilog=on", func(b *testing.B) { benchLatency(b, target, true) })
}

func pickTarget(b *testing.B) benchTarget {
	want := os.Getenv("SAASPLANE_BENCH_APILOG_TARGET")
	srv := apitest.NewServer(b, apitest.OpenSQLite(b))
	srv.Upstream = nil
	c := srv.NewSaaS(b)
	for _, t := range benchTargets {
		if want != "" && t.name != want {
			continue
		}
		if r := c.Do(b, t.method, t.path, t.body(0)); r.Status == t.status {
			return t
		}
		b.Logf("%s %s is not served yet (%d): falling back", t.method, t.path, c.Do(b, t.method, t.path, t.body(1)).Status)
	}
	b.Fatalf("no benchmark target is served (SAASPLANE_BENCH_APILOG_TARGET=%q)", want)
	return benchTarget{}
}

// lastOff holds the percentiles of the latest apilog=off run, which the
// apilog=on runs compare themselves with.
var lastOff struct{ p50, p99 float64 }

func benchLatency(b *testing.B, target benchTarget, logging bool) {
	var rec *apilog.Recorder
	opts := apitest.Options{}
	db := apitest.OpenSQLite(b)
	if logging {
		log := slog.New(slog.DiscardHandler)
		rec = apilog.NewRecorder(db.APILog(), apilog.RecorderConfig{}, time.Now, uuid.NewString, log)
		svc := apilog.NewService(db.APILog(), time.Now, log)
		opts.Deps = func(d *api.Deps) { d.APILog, d.APILogs = rec, svc }
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { rec.Run(ctx); close(done) }()
		b.Cleanup(func() { cancel(); <-done })
	}
	srv := apitest.NewServerWith(b, db, opts)
	srv.Upstream = nil // measure the server, not the schema checks
	c := srv.NewSaaS(b)
	// Enough idle connections for every client goroutine: the default of
	// 2 per host would measure reconnects.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()

	var seq atomic.Int64
	var failures atomic.Int64
	send := func() time.Duration {
		body := target.body(seq.Add(1))
		req, err := http.NewRequest(target.method, srv.URL+target.path, bytes.NewReader(body))
		if err != nil {
			panic(err)
		}
		req.Header.Set("Authorization", c.Authorization(apitest.Request{Method: target.method, Path: target.path}, body))
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		res, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		took := time.Since(start)
		if err != nil || res.StatusCode != target.status {
			failures.Add(1)
		}
		return took
	}
	for range 50 { // warm up connections, caches and the pool
		send()
	}

	var mu sync.Mutex
	all := make([]time.Duration, 0, b.N)
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			mine = append(mine, send())
		}
		mu.Lock()
		all = append(all, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d requests failed", n)
	}
	slices.Sort(all)
	p50 := float64(all[len(all)/2].Nanoseconds()) / 1e3
	p99 := float64(all[min(len(all)-1, len(all)*99/100)].Nanoseconds()) / 1e3
	b.ReportMetric(p50, "p50-µs")
	b.ReportMetric(p99, "p99-µs")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	if !logging {
		lastOff.p50, lastOff.p99 = p50, p99
		return
	}
	if lastOff.p50 > 0 {
		b.ReportMetric(p50/lastOff.p50, "p50-on/off")
		b.ReportMetric(p99/lastOff.p99, "p99-on/off")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := rec.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(rec.Dropped()), "dropped")
	if got, want := rec.Recorded()+rec.Dropped(), uint64(b.N+50); got != want { // + the warm-up
		b.Fatalf("recorded %d + dropped %d entries for %d requests: every request must be one or the other", rec.Recorded(), rec.Dropped(), want)
	}
}

// nopStore accepts every batch at once.
type nopStore struct{ apilog.Store }

func (nopStore) InsertBatch(context.Context, []apilog.Entry) error { return nil }

// BenchmarkMiddlewareHotPath is the CPU cost the API log adds to one
// request, without network or database: a tenant-sized JSON request and
// response through the middleware around a handler that echoes a body,
// with recording off and on (queue drained by a writer that stores nothing).
func BenchmarkMiddlewareHotPath(b *testing.B) {
	reqBody := []byte(`{"name":"tenant 42","attributes":{"plan":"gold"},"back_office_staff_email":"a@b.co"}`)
	respBody := []byte(`{"id":"0b7d3c9e-2f7a-4c1e-9a55-3f0d2b6e8c11","name":"tenant 42","attributes":{"plan":"gold"},"back_office_staff_email":"a@b.co","plans":[]}`)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(respBody)
	})
	for _, on := range []bool{false, true} {
		name := "apilog=off"
		if on {
			name = "apilog=on"
		}
		b.Run(name, func(b *testing.B) {
			var rec *apilog.Recorder
			if on {
				rec = apilog.NewRecorder(nopStore{}, apilog.RecorderConfig{}, time.Now, uuid.NewString, slog.New(slog.DiscardHandler))
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan struct{})
				go func() { rec.Run(ctx); close(done) }()
				defer func() { cancel(); <-done }()
			}
			h := apilogapi.Middleware(rec, httpx.TrustedProxies{})(handler)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				w := &discardWriter{h: http.Header{}}
				body := bytes.NewReader(reqBody)
				req, _ := http.NewRequest("POST", "/v1/auth/tenants", nil)
				req.RequestURI, req.RemoteAddr = "/v1/auth/tenants", "192.0.2.1:5555"
				req = req.WithContext(httpx.WithSaaS(req.Context(), "saas", "key"))
				for pb.Next() {
					body.Reset(reqBody)
					req.Body = io.NopCloser(body)
					h.ServeHTTP(w, req)
				}
			})
		})
	}
}

// discardWriter is a ResponseWriter that keeps nothing.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}
