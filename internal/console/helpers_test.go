package console_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// newTestServer serves h on a loopback listener until the test ends.
func newTestServer(t *testing.T, h http.Handler) string {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}
