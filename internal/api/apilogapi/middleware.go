package apilogapi

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/apilog"
)

// internalErrorBody is what httpx.Recover answers after a panic; the entry
// of a request whose handler panicked before writing records it.
const internalErrorBody = `{"type":"internal_server_error","message":"internal error"}`

// minCapture is the least response capture; see Middleware.
const minCapture = 64 << 10

// maxPooled bounds the buffers kept for reuse, so that one large body does
// not pin its buffer for the life of the process.
const maxPooled = 256 << 10

// Middleware records every request it serves as an apilog.Entry through
// rec; with a nil rec it is a no-op. Mount it right after
// httpx.Authenticate, so that it finds the SaaS, the API key and the trace
// id in the context and records validation errors (400), unknown routes
// (404) and wrong methods (405) as well as successes. Requests that fail
// authentication never reach it and are not recorded.
//
// The request body, already read into memory by Authenticate, is copied and
// handed on unchanged. The response body is captured up to four times the
// stored limit (at least 64 KiB): enough to redact it as JSON before it is
// cut. Recording never blocks and never fails a request (see
// apilog.Recorder.Record); buffers are pooled, so a request costs about
// two allocations for the stored bodies.
//
// The entry's remote address is the client's: the connection's peer, or
// the client a trusted proxy names in X-Forwarded-For (see
// httpx.TrustedProxies.ClientAddress).
func Middleware(rec *apilog.Recorder, proxies httpx.TrustedProxies) func(http.Handler) http.Handler {
	if rec == nil {
		return func(next http.Handler) http.Handler { return next }
	}
	maxBody := rec.MaxBodyBytes()
	limit := max(4*maxBody, minCapture)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := rec.Now()
			c := captures.Get().(*capture)
			c.ResponseWriter, c.Limit = w, limit
			if r.Body != nil && r.Body != http.NoBody {
				if _, err := c.req.ReadFrom(r.Body); err != nil {
					// Not expected: Authenticate buffered the body. Hand on
					// what was read, then the error.
					r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(bytes.Clone(c.req.Bytes())), errReader{err}))
				} else {
					c.body.Reset(c.req.Bytes())
					r.Body = &c.body
				}
				c.Request = c.req.Bytes()
			}
			completed := false
			defer func() {
				if completed {
					return
				}
				// The handler panicked: httpx.Recover, further out, answers
				// 500. c is not reused, the handler's goroutine may hold it.
				if c.Status == 0 {
					c.Status = http.StatusInternalServerError
					c.Response = append(c.Response[:0], internalErrorBody...)
				}
				record(rec, proxies, r, c, start, maxBody)
			}()
			next.ServeHTTP(c, r)
			completed = true
			record(rec, proxies, r, c, start, maxBody)
			c.release()
		})
	}
}

// record builds the entry and hands it to rec; the bodies become strings
// here, redacted and cut.
func record(rec *apilog.Recorder, proxies httpx.TrustedProxies, r *http.Request, c *capture, start time.Time, maxBody int) {
	ctx := r.Context()
	saasID := httpx.SaaSID(ctx)
	if saasID == "" {
		return // not authenticated: nobody to attribute the entry to
	}
	status := c.Status
	if status == 0 {
		status = http.StatusOK
	}
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI()
	}
	ref := r.Header.Get("Referer")
	if ref == "" {
		ref = r.Header.Get("X-Saasus-Referer")
	}
	rec.Record(apilog.Entry{
		TraceID:       httpx.TraceID(ctx),
		SaaSID:        saasID,
		APIKey:        httpx.APIKey(ctx),
		CreatedAt:     start,
		Method:        r.Method,
		Status:        status,
		RequestURI:    apilog.Line(uri, apilog.MaxLineBytes),
		RemoteAddress: proxies.ClientAddress(r),
		Referer:       apilog.Line(ref, apilog.MaxLineBytes),
		RequestBody:   apilog.Body(c.Request, 0, maxBody),
		ResponseBody:  apilog.Body(c.Response, c.Uncaptured, maxBody),
	})
}

// capture is the per-request state of Middleware, pooled: the shared
// httpx.Capture (whose Request is the copy below) and the copy of the
// request body with its reader.
type capture struct {
	httpx.Capture
	req  bytes.Buffer
	body bodyReader
}

var captures = sync.Pool{New: func() any { return new(capture) }}

// release returns c to the pool, clean.
func (c *capture) release() {
	resp := c.Response[:0]
	if cap(resp) > maxPooled {
		resp = nil
	}
	c.Capture = httpx.Capture{Response: resp}
	c.req.Reset()
	if c.req.Cap() > maxPooled {
		c.req = bytes.Buffer{}
	}
	c.body.Reset(nil)
	captures.Put(c)
}

// bodyReader is the request body handed on: a reader over the copy.
type bodyReader struct{ bytes.Reader }

func (*bodyReader) Close() error { return nil }

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// Collectors returns the recorder's metrics for a Prometheus registry:
// saasplane_apilog_recorded_total, saasplane_apilog_dropped_total and the
// queue length.
func Collectors(rec *apilog.Recorder) []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "saasplane_apilog_recorded_total",
			Help: "API log entries written to the database.",
		}, func() float64 { return float64(rec.Recorded()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "saasplane_apilog_dropped_total",
			Help: "API log entries lost: the queue was full (overload), or their batch could not be written.",
		}, func() float64 { return float64(rec.Dropped()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "saasplane_apilog_queue_length",
			Help: "API log entries waiting to be written.",
		}, func() float64 { return float64(rec.Queued()) }),
	}
}
