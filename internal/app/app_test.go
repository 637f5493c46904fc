package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/app"
	"github.com/saasplane/saasplane/internal/saas"
	"github.com/saasplane/saasplane/internal/sigv1"
	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/store/storetest"
	"github.com/saasplane/saasplane/internal/tenant"
)

// server is a running `saasplane serve`.
type server struct {
	url    string
	stdout *syncBuffer
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	logs   chan struct{} // closed when every log line has been read
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func envFunc(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

var listening = regexp.MustCompile(`saasplane listening"? url=(http://\S+)`)

// serve runs `saasplane serve` on a free port until the test ends.
func serve(t *testing.T, env map[string]string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &server{stdout: &syncBuffer{}, cancel: cancel, done: make(chan error, 1), logs: make(chan struct{})}
	args = append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)
	go func() {
		err := app.Run(ctx, args, envFunc(env), s.stdout, pw)
		pw.CloseWithError(err)
		s.done <- err
	}()
	urlc := make(chan string, 1)
	go func() {
		defer close(s.logs)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				urlc <- m[1]
			}
			t.Log(sc.Text())
		}
		close(urlc)
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case u, ok := <-urlc:
		if !ok {
			t.Fatalf("serve exited before listening: %v", <-s.done)
		}
		s.url = u
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start listening within 20s")
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop cancels the server (as SIGTERM does) and checks it exits cleanly.
func (s *server) stop(t *testing.T) {
	s.once.Do(func() {
		s.cancel()
		select {
		case err := <-s.done:
			if err != nil {
				t.Errorf("serve returned %v, want nil after a graceful shutdown", err)
			}
			<-s.logs
		case <-time.After(40 * time.Second):
			t.Error("serve did not stop within 40s")
		}
	})
}

// signed builds a SAASUSSIGV1-signed request with a body read from r.
func signed(t *testing.T, c saas.Credentials, method, url string, body []byte, r io.Reader) *http.Request {
	t.Helper()
	if r == nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	sig := sigv1.Sign([]byte(c.SecretKey), time.Now(), c.APIKey, method, strings.SplitN(url, "//", 2)[1], body)
	req.Header.Set("Authorization", sigv1.Header{Sig: sig, SaaSID: c.SaaSID, APIKey: c.APIKey}.Format())
	req.Header.Set("Content-Type", "application/json")
	return req
}

func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func run(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := app.Run(t.Context(), args, envFunc(env), &out, &errOut)
	if errOut.Len() > 0 {
		t.Logf("stderr of %v:\n%s", args, errOut.String())
	}
	return out.String(), err
}

func TestFirstStartCreatesCredentials(t *testing.T) {
	dir := t.TempDir()
	s := serve(t, nil, "--data", dir)
	path := filepath.Join(dir, "credentials.json")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials.json mode = %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	var c saas.Credentials
	if err := json.Unmarshal(b, &c); err != nil || c.SaaSID == "" || c.APIKey == "" || c.SecretKey == "" {
		t.Fatalf("credentials.json = %s, %v", b, err)
	}
	if !strings.Contains(s.stdout.String(), c.SecretKey) {
		t.Error("the first start did not print the new credentials")
	}
	env, err := os.ReadFile(filepath.Join(dir, "credentials.env"))
	if err != nil || !strings.Contains(string(env), "export SAASUS_SECRET_KEY="+c.SecretKey+"\n") {
		t.Errorf("credentials.env = %q, %v; want export lines", env, err)
	}
	if code, body := do(t, signed(t, c, "GET", s.url+"/v1/pricing/plans", nil, nil)); code != 200 {
		t.Fatalf("signed GET with the printed credentials = %d %s", code, body)
	}
	s.stop(t)

	// A restart reuses the store and creates nothing new.
	s2 := serve(t, nil, "--data", dir)
	if strings.Contains(s2.stdout.String(), "Created") {
		t.Error("a restart created another SaaS")
	}
	if code, _ := do(t, signed(t, c, "GET", s2.url+"/v1/pricing/plans", nil, nil)); code != 200 {
		t.Fatalf("credentials did not survive a restart: %d", code)
	}
}

func TestBootstrapCredentialsFromEnv(t *testing.T) {
	c := saas.Credentials{SaaSID: "my-saas", APIKey: "my-key", SecretKey: "my-secret"}
	env := map[string]string{"SAASUS_SAAS_ID": c.SaaSID, "SAASUS_API_KEY": c.APIKey, "SAASUS_SECRET_KEY": c.SecretKey, "SAASPLANE_DATA": t.TempDir()}
	s := serve(t, env)
	if code, body := do(t, signed(t, c, "GET", s.url+"/v1/pricing/units", nil, nil)); code != 200 {
		t.Fatalf("signed GET = %d %s", code, body)
	}
	if s.stdout.String() != "" {
		t.Errorf("with SAASUS_* set, serve printed %q; want nothing", s.stdout.String())
	}
	bad := c
	bad.SecretKey = "other"
	if code, _ := do(t, signed(t, bad, "GET", s.url+"/v1/pricing/units", nil, nil)); code != 401 {
		t.Fatalf("wrong secret = %d, want 401", code)
	}
}

func TestPartialBootstrapIsRejected(t *testing.T) {
	_, err := run(t, map[string]string{"SAASUS_SAAS_ID": "x"}, "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "SAASUS_API_KEY") {
		t.Fatalf("serve with only SAASUS_SAAS_ID = %v, want a configuration error", err)
	}
}

// `saas create` and `keys` run against the store of a live server.
func TestAdminCommandsWhileServing(t *testing.T) {
	dir := t.TempDir()
	s := serve(t, nil, "--data", dir)

	out, err := run(t, nil, "saas", "create", "--name", "second", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	var c saas.Credentials
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.SaaSID == "" || c.APIKey == "" || c.SecretKey == "" {
		t.Fatalf("saas create printed %q (%v), want {saas_id, api_key, secret_key}", out, err)
	}
	if code, body := do(t, signed(t, c, "POST", s.url+"/v1/pricing/metering/units", []byte(`{"unit_name":"u","display_name":"U","description":""}`), nil)); code != 201 {
		t.Fatalf("second SaaS create meter = %d %s", code, body)
	}

	out, err = run(t, nil, "keys", "create", "--saas-id", c.SaaSID, "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	var c2 saas.Credentials
	if err := json.Unmarshal([]byte(out), &c2); err != nil || c2.SaaSID != c.SaaSID || c2.APIKey == c.APIKey {
		t.Fatalf("keys create printed %q", out)
	}
	if code, body := do(t, signed(t, c2, "GET", s.url+"/v1/pricing/metering/units", nil, nil)); code != 200 || !strings.Contains(body, `"unit_name":"u"`) {
		t.Fatalf("the new key does not see the SaaS's meter: %d %s", code, body)
	}

	out, err = run(t, map[string]string{"SAASUS_SAAS_ID": c.SaaSID}, "keys", "list", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, c.SecretKey) || strings.Contains(out, c2.SecretKey) {
		t.Fatal("keys list printed a secret key")
	}
	if !strings.Contains(out, c.APIKey) || !strings.Contains(out, c2.APIKey) {
		t.Fatalf("keys list = %s, want both keys", out)
	}

	if _, err := run(t, nil, "keys", "revoke", "--saas-id", c.SaaSID, "--api-key", c.APIKey, "--data", dir); err != nil {
		t.Fatal(err)
	}
	// The CLI is another process: the server trusts its cached copy of the
	// key for at most saas.KeyCacheTTL.
	deadline := time.Now().Add(saas.KeyCacheTTL + 2*time.Second)
	for {
		code, _ := do(t, signed(t, c, "GET", s.url+"/v1/pricing/metering/units", nil, nil))
		if code == 401 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("revoked key still answered %d after %s", code, saas.KeyCacheTTL+2*time.Second)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, _ := do(t, signed(t, c2, "GET", s.url+"/v1/pricing/metering/units", nil, nil)); code != 200 {
		t.Fatalf("the other key stopped working after a revoke: %d", code)
	}
	if _, err := run(t, nil, "keys", "revoke", "--saas-id", "someone-else", "--api-key", c2.APIKey, "--data", dir); err == nil {
		t.Fatal("revoking another SaaS's key succeeded")
	}
}

// A request in flight when the server is told to stop still completes.
func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	c := saas.Credentials{SaaSID: "s", APIKey: "k", SecretKey: "x"}
	env := map[string]string{"SAASUS_SAAS_ID": c.SaaSID, "SAASUS_API_KEY": c.APIKey, "SAASUS_SECRET_KEY": c.SecretKey}
	s := serve(t, env, "--data", t.TempDir())
	body := []byte(`{"unit_name":"slow","display_name":"Slow","description":"sent in two halves"}`)
	pr, pw := io.Pipe()
	req := signed(t, c, "POST", s.url+"/v1/pricing/metering/units", body, pr)
	req.ContentLength = int64(len(body))
	type result struct {
		code int
		body string
	}
	resc := make(chan result, 1)
	go func() {
		code, b := do(t, req)
		resc <- result{code, b}
	}()
	if _, err := pw.Write(body[:10]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the request is now being served
	s.cancel()                         // SIGTERM
	time.Sleep(100 * time.Millisecond)
	if _, err := pw.Write(body[10:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	select {
	case r := <-resc:
		if r.code != 201 {
			t.Fatalf("in-flight request = %d %s, want 201", r.code, r.body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("in-flight request did not complete")
	}
}

func TestPostgresNeedsMigrateOrAutoMigrate(t *testing.T) {
	url := storetest.PostgresURL(t)
	_, err := run(t, nil, "serve", "--database-url", url, "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "saasplane migrate") {
		t.Fatalf("serve on an unmigrated PostgreSQL = %v, want an error telling to run migrate", err)
	}
	out, err := run(t, nil, "migrate", "--database-url", url)
	if err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate = %q, %v", out, err)
	}
	if strings.Contains(out, "postgres://postgres@") && strings.Contains(url, ":") && strings.Contains(out, "password") {
		t.Fatal("migrate printed a password")
	}
	c := saas.Credentials{SaaSID: "pg-saas", APIKey: "pg-key", SecretKey: "pg-secret"}
	env := map[string]string{"SAASUS_SAAS_ID": c.SaaSID, "SAASUS_API_KEY": c.APIKey, "SAASUS_SECRET_KEY": c.SecretKey}
	s := serve(t, env, "--database-url", url)
	if code, body := do(t, signed(t, c, "POST", s.url+"/v1/pricing/tax-rates",
		[]byte(`{"name":"vat","display_name":"VAT","percentage":8.5,"inclusive":true,"country":"JP","description":""}`), nil)); code != 201 {
		t.Fatalf("create tax rate on PostgreSQL = %d %s", code, body)
	}
	out, err = run(t, nil, "saas", "create", "--name", "pg-two", "--database-url", url)
	if err != nil || !strings.Contains(out, "secret_key") {
		t.Fatalf("saas create on PostgreSQL = %q, %v", out, err)
	}
	res, err := http.Get(s.url + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("readyz = %v, %v", res, err)
	}
	res.Body.Close()
}

func TestOperationalEndpoints(t *testing.T) {
	s := serve(t, nil, "--data", t.TempDir())
	for _, tc := range []struct {
		path, want string
	}{
		{"/healthz", `"ok"`},
		{"/readyz", `"ok"`},
		{"/metrics", "saasplane_http_requests_total"},
		{"/metrics", `saasplane_go_sql_open_connections{db_name="write"}`},
		{"/metrics", `saasplane_go_sql_wait_duration_seconds_total{db_name="read"}`},
		{"/v1/pricing/openapi.yaml", "openapi:"},
	} {
		res, err := http.Get(s.url + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(b), tc.want) {
			t.Errorf("GET %s = %d, body without %q", tc.path, res.StatusCode, tc.want)
		}
		if res.Header.Get("X-Saasus-Trace-Id") == "" {
			t.Errorf("GET %s has no X-Saasus-Trace-Id", tc.path)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"bogus"},
		{"serve", "--addr", "nonsense"},
		{"serve", "--database-url", "mysql://x"},
		{"saas", "create"},
		{"keys", "list"},
		{"keys", "revoke", "--saas-id", "x"},
	} {
		t.Run(fmt.Sprint(args), func(t *testing.T) {
			if _, err := run(t, nil, append(args, "--data", t.TempDir())...); err == nil {
				t.Fatalf("Run(%v) succeeded, want an error", args)
			}
		})
	}
}

// Two servers on one PostgreSQL, each running its own reservation
// scheduler, apply a reservation exactly once.
func TestTwoServersApplyAReservationOnce(t *testing.T) {
	url := storetest.PostgresURL(t)
	if _, err := run(t, nil, "migrate", "--database-url", url); err != nil {
		t.Fatal(err)
	}
	c := saas.Credentials{SaaSID: "two", APIKey: "two-key", SecretKey: "two-secret"}
	env := map[string]string{"SAASUS_SAAS_ID": c.SaaSID, "SAASUS_API_KEY": c.APIKey, "SAASUS_SECRET_KEY": c.SecretKey, "SAASPLANE_ACCESS_LOG": "false"}
	a := serve(t, env, "--database-url", url, "--scheduler-interval", "10ms")
	b := serve(t, env, "--database-url", url, "--scheduler-interval", "10ms")

	post := func(s *server, path, body string) map[string]any {
		t.Helper()
		code, out := do(t, signed(t, c, "POST", s.url+path, []byte(body), nil))
		if code != 201 {
			t.Fatalf("POST %s = %d %s", path, code, out)
		}
		var m map[string]any
		_ = json.Unmarshal([]byte(out), &m)
		return m
	}
	plan := post(a, "/v1/pricing/plans", `{"name":"p","display_name":"P","description":"","menu_ids":[]}`)["id"].(string)
	tenantID := post(b, "/v1/auth/tenants", `{"name":"t","attributes":{},"back_office_staff_email":"a@b.co"}`)["id"].(string)
	at := time.Now().Add(time.Second).Unix() + 1
	body := fmt.Sprintf(`{"next_plan_id":%q,"using_next_plan_from":%d}`, plan, at)
	if code, out := do(t, signed(t, c, "PUT", a.url+"/v1/auth/tenants/"+tenantID+"/plans", []byte(body), nil)); code != 200 {
		t.Fatalf("reserve = %d %s", code, out)
	}
	// Wait on the database, not on a read (reads apply due reservations too).
	db, err := store.OpenPostgres(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var hist []tenant.PlanHistory
	deadline := time.Now().Add(10 * time.Second)
	for len(hist) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no scheduler applied the reservation within 10s")
		}
		time.Sleep(20 * time.Millisecond)
		err := db.Tenants().ReadTx(t.Context(), func(tx tenant.Tx) error {
			ts, err := tx.Tenants(t.Context(), c.SaaSID, tenantID)
			if err == nil && len(ts) == 1 {
				hist = ts[0].History
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(200 * time.Millisecond) // give the other scheduler every chance to apply it again
	code, out := do(t, signed(t, c, "GET", b.url+"/v1/auth/tenants/"+tenantID, nil, nil))
	var got struct {
		PlanID        string `json:"plan_id"`
		PlanHistories []struct {
			PlanID        string `json:"plan_id"`
			PlanAppliedAt int64  `json:"plan_applied_at"`
		} `json:"plan_histories"`
	}
	_ = json.Unmarshal([]byte(out), &got)
	if code != 200 || got.PlanID != plan || len(got.PlanHistories) != 1 || got.PlanHistories[0].PlanAppliedAt != at {
		t.Fatalf("tenant after the reservation = %d %s; want exactly one history entry at %d", code, out, at)
	}
}

// The time zone of day buckets is changed through the CLI, while the
// server runs, and the roll-ups follow.
func TestSetTimeZoneRebuildsDays(t *testing.T) {
	dir := t.TempDir()
	c := saas.Credentials{SaaSID: "tz", APIKey: "tz-key", SecretKey: "tz-secret"}
	env := map[string]string{"SAASUS_SAAS_ID": c.SaaSID, "SAASUS_API_KEY": c.APIKey, "SAASUS_SECRET_KEY": c.SecretKey}
	s := serve(t, env, "--data", dir)
	req := func(method, path, body string, want int) string {
		t.Helper()
		code, out := do(t, signed(t, c, method, s.url+path, []byte(body), nil))
		if code != want {
			t.Fatalf("%s %s = %d %s, want %d", method, path, code, out, want)
		}
		return out
	}
	req("POST", "/v1/pricing/metering/units", `{"unit_name":"calls","display_name":"Calls","description":""}`, 201)
	var tn struct{ ID string }
	_ = json.Unmarshal([]byte(req("POST", "/v1/auth/tenants", `{"name":"t","attributes":{},"back_office_staff_email":"a@b.co"}`, 201)), &tn)
	// 2026-11-21 23:30 UTC is 2026-11-22 08:30 in Tokyo.
	ts := time.Date(2026, 11, 21, 23, 30, 0, 0, time.UTC).Unix()
	base := "/v1/pricing/metering/tenants/" + tn.ID + "/units/calls"
	req("PUT", fmt.Sprintf("%s/timestamp/%d", base, ts), `{"method":"add","count":7}`, 200)
	if out := req("GET", base+"/date/2026-11-21", "", 200); !strings.Contains(out, `"count":7`) {
		t.Fatalf("UTC day = %s", out)
	}
	out, err := run(t, nil, "saas", "set-timezone", "--saas-id", c.SaaSID, "--time-zone", "Asia/Tokyo", "--data", dir)
	if err != nil || !strings.Contains(out, `"rebuilt_days": 1`) {
		t.Fatalf("set-timezone = %q, %v", out, err)
	}
	if out := req("GET", base+"/date/2026-11-22", "", 200); !strings.Contains(out, `"count":7`) {
		t.Fatalf("Tokyo day 2026-11-22 = %s, want 7", out)
	}
	if out := req("GET", base+"/date/2026-11-21", "", 200); !strings.Contains(out, `"count":0`) {
		t.Fatalf("Tokyo day 2026-11-21 = %s, want 0", out)
	}
	if _, err := run(t, nil, "saas", "set-timezone", "--saas-id", c.SaaSID, "--time-zone", "Mars/Olympus", "--data", dir); err == nil {
		t.Fatal("an unknown time zone was accepted")
	}
}

// TestServeRefusesBadIdentityLifetimes: the user pools' lifetimes are
// checked before anything starts.
func TestServeRefusesBadIdentityLifetimes(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--temp-code-lifetime", "1s"}, "temporary code lifetime"},
		{[]string{"--id-token-lifetime", "48h"}, "ID token lifetime"},
		{[]string{"--access-token-lifetime", "1m"}, "access token lifetime"},
		{[]string{"--id-token-lifetime", "3h", "--refresh-token-lifetime", "2h"}, "must exceed"},
	} {
		_, err := run(t, nil, append([]string{"serve", "--data", t.TempDir()}, tt.args...)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("serve %v = %v, want an error about %q", tt.args, err, tt.want)
		}
	}
}

// TestServeRefusesBadTrustedProxies: a --trusted-proxies entry that is
// not an address or a CIDR prefix stops serve before it starts.
func TestServeRefusesBadTrustedProxies(t *testing.T) {
	for _, bad := range []string{"proxy.example.com", "10.0.0.0/40", "10.0.0.1,nonsense"} {
		_, err := run(t, nil, "serve", "--data", t.TempDir(), "--trusted-proxies", bad)
		if err == nil || !strings.Contains(err.Error(), "trusted-proxies") {
			t.Errorf("serve --trusted-proxies %s = %v, want an error about trusted-proxies", bad, err)
		}
	}
}
