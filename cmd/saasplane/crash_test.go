package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/sigv1"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

// TestCrashKeepsAcknowledgedUpdates builds the real binary, loads it with
// concurrent metering updates, kills it with SIGKILL while updates are in
// flight, restarts it on the same data and checks the counts: every
// acknowledged (200) update survived, and nothing beyond the updates that
// were sent was invented.
func TestCrashKeepsAcknowledgedUpdates(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary; skipped with -short")
	}
	bin := binary(t)
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		crashTest(t, bin, []string{"--data", dir})
	})
	t.Run("postgres", func(t *testing.T) {
		u := storetest.PostgresURL(t) // skips without SAASPLANE_TEST_POSTGRES_URL
		crashTest(t, bin, []string{"--database-url", u, "--auto-migrate"})
	})
}

const (
	crashClients  = 16
	crashLoadTime = time.Second
)

// crashProc is one run of the binary.
type crashProc struct {
	cmd    *exec.Cmd
	base   string
	log    *bytes.Buffer
	exited chan struct{}
}

type crashCreds struct{ saasID, apiKey, secret string }

func startCrashServer(t *testing.T, bin string, storeArgs []string, c crashCreds) *crashProc {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", addr}, storeArgs...)...)
	cmd.Env = append(os.Environ(), "SAASUS_SAAS_ID="+c.saasID, "SAASUS_API_KEY="+c.apiKey, "SAASUS_SECRET_KEY="+c.secret,
		"SAASPLANE_ACCESS_LOG=false")
	p := &crashProc{cmd: cmd, base: "http://" + addr, log: &bytes.Buffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &lockedWriter{w: p.log}, &lockedWriter{w: p.log}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = cmd.Process.Kill()
			<-p.exited
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("server exited at start:\n%s", p.output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready within 30s:\n%s", p.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *crashProc) output() string {
	return p.cmd.Stdout.(*lockedWriter).String()
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

// crashClient sends signed requests.
type crashClient struct {
	base string
	c    crashCreds
	hc   *http.Client
}

func (cc *crashClient) do(ctx context.Context, method, pathQuery string, body []byte) (int, []byte, error) {
	u, err := url.Parse(cc.base + pathQuery)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	sig := sigv1.Sign([]byte(cc.c.secret), time.Now(), cc.c.apiKey, method, sigv1.Target(u.Host, u.RequestURI()), body)
	req.Header.Set("Authorization", sigv1.Header{Sig: sig, SaaSID: cc.c.saasID, APIKey: cc.c.apiKey}.Format())
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := cc.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func (cc *crashClient) call(t *testing.T, method, pathQuery string, in any, want int, out any) {
	t.Helper()
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	status, resp, err := cc.do(context.Background(), method, pathQuery, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, pathQuery, err)
	}
	if status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, pathQuery, status, want, resp)
	}
	if out != nil {
		if err := json.Unmarshal(resp, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, pathQuery, err, resp)
		}
	}
}

type crashCounter struct{ tenant, meter string }

func (c crashCounter) path(suffix string) string {
	return "/v1/pricing/metering/tenants/" + c.tenant + "/units/" + c.meter + "/" + suffix
}

type crashMonth struct {
	Month string `json:"month"`
	Count int64  `json:"count"`
}

func crashTest(t *testing.T, bin string, storeArgs []string) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	creds := crashCreds{saasID: "crash-saas-" + hex.EncodeToString(b[:4]), apiKey: "sp_crash_" + hex.EncodeToString(b[4:10]), secret: hex.EncodeToString(b)}
	p := startCrashServer(t, bin, storeArgs, creds)
	tr := &http.Transport{MaxIdleConnsPerHost: 2 * crashClients, DisableCompression: true}
	defer tr.CloseIdleConnections()
	cc := &crashClient{base: p.base, c: creds, hc: &http.Client{Transport: tr, Timeout: 20 * time.Second}}

	// Two meters × two tenants: batches touch several counters.
	var counters []crashCounter
	var meters, tenants []string
	for i := 0; i < 2; i++ {
		name := "crash_" + strconv.Itoa(i)
		cc.call(t, "POST", "/v1/pricing/metering/units", map[string]string{"unit_name": name, "display_name": name, "description": ""}, 201, nil)
		meters = append(meters, name)
		var tn struct {
			ID string `json:"id"`
		}
		cc.call(t, "POST", "/v1/auth/tenants", map[string]any{"name": "crash " + strconv.Itoa(i), "attributes": map[string]any{}, "back_office_staff_email": "crash@example.com"}, 201, &tn)
		tenants = append(tenants, tn.ID)
	}
	for _, tn := range tenants {
		for _, m := range meters {
			counters = append(counters, crashCounter{tn, m})
		}
	}
	before := map[crashCounter]crashMonth{}
	for _, c := range counters {
		var m crashMonth
		cc.call(t, "GET", c.path("thismonth"), nil, 200, &m)
		if m.Count != 0 {
			t.Fatalf("fresh counter %v counts %d", c, m.Count)
		}
		before[c] = m
	}
	loadStart := time.Now()

	// Load: every client loops until its request fails, which happens once
	// the server is killed.
	var acked, unknown, inFlight atomic.Int64
	var unexpected sync.Map // status -> first body
	killed := make(chan struct{})
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	body := []byte(`{"method":"add","count":1}`)
	for i := 0; i < crashClients; i++ {
		wg.Go(func() {
			for j := 0; ctx.Err() == nil; j++ {
				select {
				case <-killed:
					return // whatever was in flight at the kill has been answered or failed
				default:
				}
				c := counters[(i+j)%len(counters)]
				inFlight.Add(1)
				status, resp, err := cc.do(ctx, "PUT", c.path("now"), body)
				inFlight.Add(-1)
				switch {
				case err != nil:
					unknown.Add(1) // sent, no answer: may or may not have been applied
					return
				case status == http.StatusOK:
					acked.Add(1)
				default:
					unexpected.LoadOrStore(status, string(resp))
					unknown.Add(1) // counted on the safe side; reported as an error below
				}
			}
		})
	}
	time.Sleep(crashLoadTime)
	// Kill while requests are in flight (with 16 looping clients they
	// practically always are; wait briefly otherwise).
	for i := 0; i < 1000 && inFlight.Load() == 0; i++ {
		time.Sleep(time.Millisecond)
	}
	flightAtKill := inFlight.Load()
	ackedAtKill := acked.Load()
	if err := p.cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	close(killed)
	<-p.exited
	wg.Wait()
	tr.CloseIdleConnections()
	loadEnd := time.Now()
	unexpected.Range(func(k, v any) bool {
		t.Errorf("update answered %v before the kill: %s", k, v)
		return true
	})
	if ackedAtKill < 100 {
		t.Fatalf("only %d updates acknowledged in %s before the kill: too few to test anything\n%s", ackedAtKill, crashLoadTime, p.output())
	}

	// Restart on the same data and read the counts back.
	p2 := startCrashServer(t, bin, storeArgs, creds)
	cc.base = p2.base
	var total, entries int64
	for _, c := range counters {
		var m crashMonth
		cc.call(t, "GET", c.path("thismonth"), nil, 200, &m)
		total += m.Count
		if m0 := before[c].Month; m.Month != m0 { // the month changed during the test
			var old crashMonth
			cc.call(t, "GET", c.path("month/"+m0), nil, 200, &old)
			total += old.Count
		}
		var period struct {
			Counts []struct {
				Count int64 `json:"count"`
			} `json:"counts"`
		}
		cc.call(t, "GET", c.path(fmt.Sprintf("date-period?start_timestamp=%d&end_timestamp=%d", loadStart.Unix()-2, loadEnd.Unix()+2)), nil, 200, &period)
		for _, e := range period.Counts {
			entries += e.Count
		}
	}
	a, u := acked.Load(), unknown.Load()
	t.Logf("acknowledged %d, unanswered %d (in flight at the kill: %d), stored after restart %d (entries %d)", a, u, flightAtKill, total, entries)
	if total < a {
		t.Errorf("lost acknowledged updates: stored %d < acknowledged %d", total, a)
	}
	if total > a+u {
		t.Errorf("invented updates: stored %d > acknowledged %d + unanswered %d", total, a, u)
	}
	if entries != total {
		t.Errorf("roll-ups and entries disagree after the crash: months add up to %d, entries to %d", total, entries)
	}
	if u > crashClients {
		t.Errorf("%d updates unanswered, more than the %d clients could have had in flight", u, crashClients)
	}
}
