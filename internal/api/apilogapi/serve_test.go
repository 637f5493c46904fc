package apilogapi_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/apilog"
	"github.com/saasplane/saasplane/internal/app"
	"github.com/saasplane/saasplane/internal/sigv1"
	"github.com/saasplane/saasplane/internal/store"
)

var listening = regexp.MustCompile(`saasplane listening"? url=(http://\S+)`)

// `saasplane serve` records through the real wiring, and a graceful
// shutdown writes every queued entry before the process ends: requests made
// right before SIGTERM are in the log afterwards.
func TestServeFlushesTheLogOnShutdown(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SAASUS_SAAS_ID": "saas-e2e", "SAASUS_API_KEY": "key-e2e", "SAASUS_SECRET_KEY": "secret-e2e",
		"SAASPLANE_APILOG_RETENTION": "2h"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := app.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--access-log=false"},
			func(k string) string { return env[k] }, io.Discard, pw)
		pw.CloseWithError(err)
		done <- err
	}()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				urlc <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	var base string
	select {
	case base = <-urlc:
	case err := <-done:
		t.Fatalf("serve exited: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start")
	}

	const n = 20
	for i := range n {
		body := []byte(`{"unit_name":"m` + strings.Repeat("x", i) + `","display_name":"M","description":"","password":"pw"}`)
		url := base + "/v1/pricing/metering/units"
		req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
		sig := sigv1.Sign([]byte("secret-e2e"), time.Now(), "key-e2e", "POST", strings.TrimPrefix(url, "http://"), body)
		req.Header.Set("Authorization", sigv1.Header{Sig: sig, SaaSID: "saas-e2e", APIKey: "key-e2e"}.Format())
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 201 {
			t.Fatalf("POST #%d = %d", i, res.StatusCode)
		}
	}
	cancel() // as SIGTERM does, at once: most entries are still queued
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("serve did not stop")
	}

	db, err := store.OpenSQLite(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	es, err := db.APILog().List(context.Background(), apilog.Filter{SaaSID: "saas-e2e"}, nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != n {
		t.Fatalf("%d entries after shutdown, want %d", len(es), n)
	}
	for _, e := range es {
		if e.Status != 201 || !strings.Contains(e.RequestBody, `"password":"***"`) || e.TTL.Sub(e.CreatedAt) != 2*time.Hour {
			t.Fatalf("entry %+v: want status 201, a redacted body and a 2h ttl", e)
		}
	}
}
