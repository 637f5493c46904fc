package console_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/apilog"
	"github.com/saasplane/saasplane/internal/console"
)

// The console's calls are in the API log, under the API key that signed
// in, and the log holds neither the session cookie nor the CSRF token.
func TestBridgeIsLogged(t *testing.T) {
	srv := apitest.NewServerWith(t, apitest.OpenSQLite(t), apitest.Options{APILog: &apilog.RecorderConfig{Retention: 24 * time.Hour}})
	c := srv.NewSaaS(t)

	b := newClient(t, srv.URL)
	want(t, b.signIn(c.SaaSID, c.APIKey, c.Secret), 200)
	want(t, b.do("POST", "/console/api/v1/pricing/metering/units", `{"unit_name":"","display_name":"x","description":""}`, true), 400)
	flush, cancelFlush := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelFlush()
	if err := srv.APILog.Flush(flush); err != nil {
		t.Fatal(err)
	}
	logs := string(c.Do(t, "GET", "/v1/apilog/logs?limit=100", nil).Want(t, 200).Body)
	for _, w := range []string{"/v1/pricing/metering/units", "unit_name: must not be empty", c.APIKey} {
		if !strings.Contains(logs, w) {
			t.Errorf("the API log lacks %q: %s", w, logs)
		}
	}
	for _, bad := range []string{console.CookieName, b.csrf} {
		if strings.Contains(logs, bad) {
			t.Errorf("the API log holds %q: %s", bad, logs)
		}
	}
}
