package apilogapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/saasplane/saasplane/internal/api/apilogapi"
	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/apilog"
)

// memStore keeps written entries in memory.
type memStore struct {
	apilog.Store
	mu sync.Mutex
	es []apilog.Entry
}

func (s *memStore) InsertBatch(ctx context.Context, es []apilog.Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.es = append(s.es, slices.Clone(es)...)
	return nil
}

// serveOne runs one request through Trace, Recover, the SaaS in the
// context (as Authenticate leaves it) and the middleware, and returns the
// response and the entries recorded.
func serveOne(t *testing.T, cfg apilog.RecorderConfig, saasID string, req *http.Request, h http.HandlerFunc) (*httptest.ResponseRecorder, []apilog.Entry) {
	t.Helper()
	return serveBehind(t, httpx.TrustedProxies{}, cfg, saasID, req, h)
}

// serveBehind is serveOne with proxies trusted.
func serveBehind(t *testing.T, proxies httpx.TrustedProxies, cfg apilog.RecorderConfig, saasID string, req *http.Request, h http.HandlerFunc) (*httptest.ResponseRecorder, []apilog.Entry) {
	t.Helper()
	st := &memStore{}
	rec := apilog.NewRecorder(st, cfg, func() time.Time { return T0 }, func() string { return "id-1" }, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rec.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	inner := apilogapi.Middleware(rec, proxies)(h)
	auth := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if saasID != "" {
			r = r.WithContext(httpx.WithSaaS(r.Context(), saasID, "key-1"))
		}
		inner.ServeHTTP(w, r)
	})
	w := httptest.NewRecorder()
	httpx.Trace(slog.New(slog.DiscardHandler))(httpx.Recover(auth)).ServeHTTP(w, req)
	if err := rec.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	return w, st.es
}

func TestMiddlewareCapturesAndRedacts(t *testing.T) {
	req := httptest.NewRequest("PUT", "/v1/x/y?a=1&refresh_token=rt-xyz", strings.NewReader(`{"password":"pw-xyz","name":"n"}`))
	req.RemoteAddr = "[2001:db8::1]:4711"
	req.Header.Set("X-SaaSus-Referer", "/v1/auth/user_info")
	var seen string
	w, es := serveOne(t, apilog.RecorderConfig{}, "saas-1", req, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		seen = string(b)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"id":"1",`)
		_, _ = io.WriteString(w, `"secret_key":"sk-xyz"}`)
	})
	if seen != `{"password":"pw-xyz","name":"n"}` {
		t.Errorf("the handler read %q: the body must be handed on unchanged", seen)
	}
	if w.Code != 202 || w.Body.String() != `{"id":"1","secret_key":"sk-xyz"}` {
		t.Errorf("the client got %d %s: the response must pass unchanged", w.Code, w.Body)
	}
	if len(es) != 1 {
		t.Fatalf("%d entries, want 1", len(es))
	}
	e := es[0]
	want := apilog.Entry{
		APILogID: "id-1", TraceID: w.Header().Get(httpx.TraceHeader), SaaSID: "saas-1", APIKey: "key-1",
		CreatedAt: T0, TTL: T0.Add(apilog.DefaultRetention), Method: "PUT", Status: 202,
		RequestURI: "/v1/x/y?a=1&refresh_token=***", RemoteAddress: "2001:db8::1", Referer: "/v1/auth/user_info",
		RequestBody: `{"password":"***","name":"n"}`, ResponseBody: `{"id":"1","secret_key":"***"}`,
	}
	if e != want {
		t.Errorf("entry\n got %+v\nwant %+v", e, want)
	}
}

func TestMiddlewareCutsLongResponses(t *testing.T) {
	big := `{"items":"` + strings.Repeat("日本語", 100000) + `"}`
	req := httptest.NewRequest("GET", "/v1/big", nil)
	w, es := serveOne(t, apilog.RecorderConfig{MaxBodyBytes: 1000}, "s", req, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, big)
	})
	if w.Body.String() != big {
		t.Fatal("the client did not get the whole response")
	}
	body := es[0].ResponseBody
	kept, mark, ok := strings.Cut(body, "…[truncated ")
	if !ok || len(kept) > 1000 || !utf8.ValidString(kept) || !strings.HasPrefix(big, kept) {
		t.Fatalf("stored %d bytes %q...: want at most 1000 bytes of the start, whole characters, then a mark", len(kept), kept[:20])
	}
	if want := len(big) - len(kept); mark != strconv.Itoa(want)+" bytes]" {
		t.Errorf("mark = %q, want %d bytes left out", mark, want)
	}
	if es[0].Status != 200 {
		t.Errorf("status %d, want the implicit 200", es[0].Status)
	}
}

func TestMiddlewareRecordsPanicsAs500(t *testing.T) {
	req := httptest.NewRequest("POST", "/v1/boom", strings.NewReader(`{}`))
	w, es := serveOne(t, apilog.RecorderConfig{}, "s", req, func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	if w.Code != 500 || len(es) != 1 || es[0].Status != 500 || es[0].ResponseBody != w.Body.String() {
		t.Fatalf("client got %d %s; entries %+v: want one entry with the 500 the client saw", w.Code, w.Body, es)
	}
}

func TestMiddlewareSkipsUnauthenticated(t *testing.T) {
	_, es := serveOne(t, apilog.RecorderConfig{}, "", httptest.NewRequest("GET", "/v1/x", nil), func(w http.ResponseWriter, r *http.Request) {})
	if len(es) != 0 {
		t.Fatalf("recorded %+v without a SaaS", es)
	}
}

func TestMiddlewareOffIsTransparent(t *testing.T) {
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	if got := apilogapi.Middleware(nil, httpx.TrustedProxies{})(h); got == nil {
		t.Fatal("nil handler")
	}
}

// The request path pays for the two stored strings and little else: the
// capture buffers are pooled, ids and TTLs are made by the recorder.
func TestMiddlewareAllocations(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts: not in -short or -race runs")
	}
	rec := apilog.NewRecorder(&memStore{}, apilog.RecorderConfig{QueueSize: 1024}, time.Now, func() string { return "x" }, slog.New(slog.DiscardHandler))
	h := apilogapi.Middleware(rec, httpx.TrustedProxies{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write([]byte(`{"id":"1","name":"x"}`))
	}))
	body := strings.NewReader(`{"name":"x"}`)
	req := httptest.NewRequest("POST", "/v1/x", body)
	req = req.WithContext(httpx.WithSaaS(req.Context(), "s", "k"))
	w := httptest.NewRecorder()
	baseline := testing.AllocsPerRun(200, func() { body.Seek(0, io.SeekStart); req.Body = io.NopCloser(body); w.Body.Reset() })
	got := testing.AllocsPerRun(200, func() {
		body.Seek(0, io.SeekStart)
		req.Body = io.NopCloser(body)
		w.Body.Reset()
		h.ServeHTTP(w, req)
	}) - baseline
	if got > 3 {
		t.Errorf("the middleware allocates %.1f times per request, want at most 3 (the two stored bodies, and the header snapshot of httptest.ResponseRecorder)", got)
	}
	t.Logf("%.1f allocations per request", got)
}

// TestMiddlewareRecordsTheClientBehindATrustedProxy: behind a trusted
// proxy the entry's address is the client that X-Forwarded-For names;
// from any other peer the header is ignored.
func TestMiddlewareRecordsTheClientBehindATrustedProxy(t *testing.T) {
	proxies, err := httpx.ParseTrustedProxies("10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ peer, xff, want string }{
		{"10.1.2.3:5000", "198.51.100.7", "198.51.100.7"},
		{"10.1.2.3:5000", "203.0.113.9, 198.51.100.7, 10.9.9.9", "198.51.100.7"},
		{"192.0.2.1:5000", "198.51.100.7", "192.0.2.1"},
		{"10.1.2.3:5000", "", "10.1.2.3"},
	} {
		req := httptest.NewRequest("GET", "/v1/x", nil)
		req.RemoteAddr = c.peer
		if c.xff != "" {
			req.Header.Set("X-Forwarded-For", c.xff)
		}
		_, es := serveBehind(t, proxies, apilog.RecorderConfig{}, "saas-1", req, func(w http.ResponseWriter, r *http.Request) {})
		if len(es) != 1 || es[0].RemoteAddress != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: recorded %+v, want address %s", c.peer, c.xff, es, c.want)
		}
	}
}
