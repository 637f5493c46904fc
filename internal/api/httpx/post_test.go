package httpx_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
)

func TestPost(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			if r.Header.Get("X-Test") != "yes" || r.Method != http.MethodPost {
				http.Error(w, "headers lost", http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		case "/down":
			http.Error(w, "receiver down", http.StatusServiceUnavailable)
		case "/slow":
			time.Sleep(300 * time.Millisecond)
		}
	}))
	t.Cleanup(srv.Close)
	c := &http.Client{Timeout: 100 * time.Millisecond}
	for _, tc := range []struct {
		path    string
		status  int
		wantErr string
	}{
		{"/ok", 204, ""},
		{"/down", 503, "HTTP 503: receiver down"},
		{"/slow", 0, "no answer within the timeout"},
	} {
		status, err := httpx.Post(t.Context(), c, srv.URL+tc.path, map[string]string{"X-Test": "yes"}, []byte("{}"))
		if status != tc.status || (tc.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%s: %d, %v; want %d, %q", tc.path, status, err, tc.status, tc.wantErr)
		}
	}
}
