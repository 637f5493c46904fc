package httpx_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/httpx"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestTraceID(t *testing.T) {
	tests := []struct {
		name, sent string
		inherit    bool
	}{
		{"inherited", "6aae5af4-7ee4-4de3-bd1d-5ebf13767cbf", true},
		{"inherited free form", "my-trace.42", true},
		{"none sent", "", false},
		{"too long", strings.Repeat("a", 129), false},
		{"not printable", "a b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&logs, nil))
			h := httpx.Trace(log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				httpx.Logger(r.Context()).Info("inside the handler")
			}))
			req := httptest.NewRequest("GET", "/x", nil)
			if tt.sent != "" {
				req.Header.Set("X-SaaSus-Trace-Id", tt.sent) // the SDKs' spelling
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := rec.Header().Get(httpx.TraceHeader)
			if tt.inherit && got != tt.sent {
				t.Fatalf("trace id = %q, want the inherited %q", got, tt.sent)
			}
			if !tt.inherit && !uuidPattern.MatchString(got) {
				t.Fatalf("trace id = %q, want a fresh UUIDv4", got)
			}
			var line map[string]any
			if err := json.Unmarshal(logs.Bytes(), &line); err != nil || line["trace_id"] != got {
				t.Fatalf("log line %s does not carry trace_id %q", logs.String(), got)
			}
		})
	}
}

func TestRecoverAnswersJSON500(t *testing.T) {
	h := httpx.Recover(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 500 || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("panic answered %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var body httpx.ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Type != "internal_server_error" || strings.Contains(body.Message, "boom") {
		t.Fatalf("panic body = %s: want a generic internal error that hides the cause", rec.Body.String())
	}
}

func TestRouterUnknownRouteAndMethod(t *testing.T) {
	rt := httpx.NewRouter()
	rt.HandleFunc("GET /v1/things", func(w http.ResponseWriter, r *http.Request) error { return nil })
	rt.HandleFunc("POST /v1/things", func(w http.ResponseWriter, r *http.Request) error { return nil })
	tests := []struct {
		method, path string
		status       int
		typ, allow   string
	}{
		{"DELETE", "/v1/things", 405, "method_not_allowed", "GET, POST"},
		{"GET", "/v1/other", 404, "not_found", ""},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		var body httpx.ErrorBody
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		if rec.Code != tt.status || body.Type != tt.typ || body.Message == "" || rec.Header().Get("Allow") != tt.allow {
			t.Errorf("%s %s = %d %s (Allow %q); want %d %s (Allow %q)", tt.method, tt.path, rec.Code, rec.Body.String(), rec.Header().Get("Allow"), tt.status, tt.typ, tt.allow)
		}
	}
}
