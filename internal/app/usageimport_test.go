package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/app"
)

// usageWorld is a served binary with two tenants and the meters calls and
// seats, and a directory for usage files.
type usageWorld struct {
	*cliWorld
	tenants []string
	dir     string
	base    int64 // a whole hour three days ago: every row's timestamp is base + a few seconds
}

func newUsageWorld(t *testing.T) *usageWorld {
	t.Helper()
	w := &usageWorld{cliWorld: newCLIWorld(t, "usage"), dir: t.TempDir()}
	for _, m := range []string{"calls", "seats"} {
		w.call(t, "POST", "/v1/pricing/metering/units", map[string]any{"unit_name": m, "display_name": m, "description": m}, 201)
	}
	for _, n := range []string{"acme", "globex"} {
		id := w.call(t, "POST", "/v1/auth/tenants", map[string]any{"name": n, "attributes": map[string]any{}, "back_office_staff_email": "ops@example.com"}, 201)["id"]
		w.tenants = append(w.tenants, id.(string))
	}
	w.base = time.Now().Add(-72 * time.Hour).Truncate(time.Hour).Unix()
	return w
}

func (w *usageWorld) file(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(w.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// entries reads every stored entry of the world's tenants and meters
// around base through the API: "tenant meter ts" -> count.
func (w *usageWorld) entries(t *testing.T) map[string]int64 {
	t.Helper()
	got := map[string]int64{}
	for _, tn := range w.tenants {
		for _, m := range []string{"calls", "seats"} {
			path := fmt.Sprintf("/v1/pricing/metering/tenants/%s/units/%s/date-period?start_timestamp=%d&end_timestamp=%d", tn, m, w.base-86400, w.base+86400)
			var v struct {
				Counts []struct{ Timestamp, Count int64 }
			}
			b, _ := json.Marshal(w.call(t, "GET", path, nil, 200))
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			for _, c := range v.Counts {
				got[fmt.Sprintf("%s %s %d", tn, m, c.Timestamp)] = c.Count
			}
		}
	}
	return got
}

// usageFile is a generated usage file and the entries it leaves when
// applied row by row, in order.
type usageFile struct {
	csv  string
	want map[string]int64
	rows int
}

// genUsage writes n rows over a few hundred entries, so that most entries
// get several rows: adds, and now and then a direct or a sub, whose
// outcome depends on the order of the entry's rows.
func (w *usageWorld) genUsage(n int) usageFile {
	var b strings.Builder
	b.WriteString("tenant_id,metering_unit_name,timestamp,method,count\n")
	want := map[string]int64{}
	for i := range n {
		tn, m := w.tenants[i%2], []string{"calls", "seats"}[(i/2)%2]
		ts := w.base + int64(i%300)
		k := fmt.Sprintf("%s %s %d", tn, m, ts)
		method, count := "add", int64(i%7+1)
		switch {
		case i%11 == 5:
			method, count = "direct", int64(i%13)
		case i%17 == 3 && want[k] >= 2:
			method, count = "sub", 2
		}
		switch method {
		case "add":
			want[k] += count
		case "sub":
			want[k] -= count
		case "direct":
			want[k] = count
		}
		stamp := strconv.FormatInt(ts, 10)
		if i%3 == 0 {
			stamp = time.Unix(ts, 0).UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,%d\n", tn, m, stamp, method, count)
	}
	for k, v := range want {
		if v == 0 {
			delete(want, k) // a direct 0 leaves an entry of 0: compared below as absent or 0
		}
	}
	return usageFile{csv: b.String(), want: want, rows: n}
}

// sameEntries requires the server's entries to be exactly want (an entry
// of 0 counts as absent).
func sameEntries(t *testing.T, what string, got, want map[string]int64) {
	t.Helper()
	for k, v := range got {
		if v == 0 {
			delete(got, k)
		}
	}
	bad := 0
	for k, v := range want {
		if got[k] != v {
			bad++
			if bad <= 5 {
				t.Errorf("%s: entry %s = %d, want %d", what, k, got[k], v)
			}
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected entry %s = %d", what, k, v)
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d entries differ", what, bad)
	}
}

type importJSON struct {
	Rows        int   `json:"rows"`
	Already     int   `json:"already_imported"`
	Sent        int   `json:"sent"`
	Remaining   int   `json:"remaining"`
	Retries     int   `json:"retries"`
	Interrupted bool  `json:"interrupted"`
	DryRun      bool  `json:"dry_run"`
	Errors      []any `json:"errors"`
}

func importOut(t *testing.T, out string) importJSON {
	t.Helper()
	var v importJSON
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("usage import --json printed %q: %v", out, err)
	}
	return v
}

// TestUsageImportAndReimport imports a file, re-imports it (from its
// progress file, then without it: the Idempotency-Keys), and checks
// every entry through the API each time, and the table and dry run.
func TestUsageImportAndReimport(t *testing.T) {
	w := newUsageWorld(t)
	f := w.genUsage(400)
	path := w.file(t, "usage.csv", f.csv)

	out, err := run(t, w.env, "usage", "import", path, "--dry-run")
	if err != nil || !strings.Contains(out, "400 rows are valid; nothing was sent (--dry-run)") {
		t.Fatalf("dry run = %q, %v", out, err)
	}
	if _, err := os.Stat(path + ".progress"); !errors.Is(err, os.ErrNotExist) || len(w.entries(t)) != 0 {
		t.Fatalf("a dry run sent updates or wrote a progress file (%v)", err)
	}

	out, err = run(t, w.env, "usage", "import", path, "--json", "--concurrency", "8")
	if err != nil {
		t.Fatalf("usage import = %v", err)
	}
	if s := importOut(t, out); s.Rows != 400 || s.Sent != 400 || s.Already != 0 || s.Remaining != 0 {
		t.Errorf("usage import --json = %s", out)
	}
	sameEntries(t, "after the import", w.entries(t), f.want)

	out, err = run(t, w.env, "usage", "import", path)
	if err != nil || !strings.Contains(out, "all 400 rows were imported already; nothing was sent") || !hasRow(out, "400 400 0 0 0") {
		t.Errorf("second import = %q, %v", out, err)
	}
	// Without the progress file, every row is sent again with its key,
	// and the server counts none twice.
	if err := os.Remove(path + ".progress"); err != nil {
		t.Fatal(err)
	}
	out, err = run(t, w.env, "usage", "import", path, "--json")
	if s := importOut(t, out); err != nil || s.Sent != 400 {
		t.Errorf("import without progress file = %s, %v", out, err)
	}
	sameEntries(t, "after re-imports", w.entries(t), f.want)

	// The same rows in another file are another import: they count.
	other := w.file(t, "other.csv", "tenant_id,count,metering_unit_name,timestamp\n"+w.tenants[0]+",5,calls,"+strconv.FormatInt(w.base+1000, 10)+"\n")
	var stdout, stderr bytes.Buffer
	err = app.Run(t.Context(), []string{"usage", "import", other, "--progress-bar", "always"}, envFunc(w.env), &stdout, &stderr)
	if err != nil || !strings.Contains(stdout.String(), "Imported "+other) || !hasRow(stdout.String(), "1 0 1 0 0") {
		t.Errorf("import of other.csv = %q, %v", stdout.String(), err)
	}
	if bar := stderr.String(); !strings.Contains(bar, "other.csv") || !strings.Contains(bar, "100%") || !strings.Contains(bar, "(1/1") || !strings.Contains(bar, "rows/s") {
		t.Errorf("the progress bar was %q", bar)
	}
	f.want[fmt.Sprintf("%s calls %d", w.tenants[0], w.base+1000)] = 5
	sameEntries(t, "after other.csv", w.entries(t), f.want)
}

// TestUsageImportResumes interrupts a real import (its context is
// cancelled, as Ctrl-C does), then loses the end of its progress file (as
// a kill before a flush does), resumes it, and checks that every entry is
// exact: no row lost, none counted twice. A file changed since is refused.
func TestUsageImportResumes(t *testing.T) {
	w := newUsageWorld(t)
	f := w.genUsage(3000)
	path := w.file(t, "usage.csv", f.csv)
	progress := path + ".progress"

	ctx, cancel := context.WithCancel(t.Context())
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, []string{"usage", "import", path, "--json", "--concurrency", "2"}, envFunc(w.env), &stdout, &stderr)
	}()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
		if b, _ := os.ReadFile(progress); bytes.Count(b, []byte("\n")) > 100 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the import recorded no progress within 20s")
		}
	}
	cancel()
	err := <-done
	s := importOut(t, stdout.String())
	if err == nil || !strings.Contains(err.Error(), "interrupted after") || !s.Interrupted || s.Sent == 0 || s.Remaining == 0 {
		t.Fatalf("interrupted import = %v, %s; want an interruption part-way", err, stdout.String())
	}
	t.Logf("interrupted after %d rows", s.Sent)

	// Lose the last half of the recorded rows and tear the last line.
	b, _ := os.ReadFile(progress)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	kept := lines[:1+(len(lines)-1)/2]
	if err := os.WriteFile(progress, []byte(strings.Join(kept, "\n")+"\n"+lines[len(lines)-1][:1]), 0o644); err != nil {
		t.Fatal(err)
	}

	out, err := run(t, w.env, "usage", "import", path, "--json")
	r := importOut(t, out)
	if err != nil || r.Already != len(kept)-1 || r.Already+r.Sent != 3000 || r.Remaining != 0 {
		t.Fatalf("resumed import = %s, %v; want %d already imported", out, err, len(kept)-1)
	}
	sameEntries(t, "after the resumed import", w.entries(t), f.want)

	// Changing the file after an import began is refused.
	w.file(t, "usage.csv", f.csv+w.tenants[0]+",calls,"+strconv.FormatInt(w.base, 10)+",add,1\n")
	if _, err := run(t, w.env, "usage", "import", path); err == nil || !strings.Contains(err.Error(), "records an import of another content") {
		t.Errorf("import of a changed file = %v, want a refusal", err)
	}
	sameEntries(t, "after the refusal", w.entries(t), f.want)
}

// TestUsageImportRetries imports through a proxy that loses answers
// (the update applied, the connection cut), answers 503 and 429 without
// forwarding: every row is retried with its key until it is acknowledged,
// and each counts once.
func TestUsageImportRetries(t *testing.T) {
	w := newUsageWorld(t)
	f := w.genUsage(200)
	path := w.file(t, "usage.csv", f.csv)
	var n atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		put := r.Method == "PUT"
		switch {
		case put && i%7 == 0:
			rw.Header().Set("Content-Type", "application/json")
			rw.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(rw, `{"type":"unavailable","message":"try again"}`)
			return
		case put && i%50 == 0:
			rw.Header().Set("Retry-After", "1")
			rw.WriteHeader(http.StatusTooManyRequests)
			return
		}
		body, _ := io.ReadAll(r.Body)
		req, _ := http.NewRequest(r.Method, w.srv.url+r.URL.RequestURI(), bytes.NewReader(body))
		req.Header = r.Header.Clone()
		req.Host = r.Host // the client signed the proxy's host
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		rb, _ := io.ReadAll(res.Body)
		if put && i%5 == 0 { // applied, but the answer is lost
			conn, _, _ := rw.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		for k, v := range res.Header {
			rw.Header()[k] = v
		}
		rw.WriteHeader(res.StatusCode)
		rw.Write(rb)
	}))
	defer proxy.Close()
	out, err := run(t, w.env, "usage", "import", path, "--json", "--server", proxy.URL)
	s := importOut(t, out)
	if err != nil || s.Sent != 200 || s.Retries == 0 {
		t.Fatalf("import through a flaky proxy = %s, %v; want all rows sent after retries", out, err)
	}
	sameEntries(t, "through the flaky proxy", w.entries(t), f.want)
}

// TestUsageImportBadRows: every bad row is reported with its line before
// anything is sent, by the file's own checks, then by the server's
// tenants and meters; a refusal by the server mid-import stops it.
func TestUsageImportBadRows(t *testing.T) {
	w := newUsageWorld(t)
	t0, ts := w.tenants[0], strconv.FormatInt(w.base, 10)
	bad := w.file(t, "bad.csv", strings.Join([]string{
		"tenant_id,metering_unit_name,timestamp,method,count",
		t0 + ",calls," + ts + ",add,1", // 2: fine
		t0 + ",calls," + ts + ",add,-1",
		t0 + ",calls," + ts + ",mul,1",
		t0 + ",calls,yesterday,add,1", // 5
		"",                            // blank lines are skipped
		",calls," + ts + ",add,1.5",   // 7
		t0 + ",calls," + ts + ",add",  // 8
		`"` + t0 + `","calls",` + time.Now().Add(48*time.Hour).UTC().Format(time.RFC3339) + ",direct,1",
		t0 + ",calls,2026-01-02T03:04:05.5Z,add,1",
	}, "\n")+"\n")
	var stdout, stderr bytes.Buffer
	err := app.Run(t.Context(), []string{"usage", "import", bad, "--json"}, envFunc(w.env), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "7 bad row(s); nothing was sent") {
		t.Fatalf("import of bad.csv = %v", err)
	}
	var s struct {
		Rows   int
		Errors []struct {
			Line    int
			Message string
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range s.Errors {
		lines = append(lines, strconv.Itoa(e.Line))
	}
	if s.Rows != 8 || strings.Join(lines, ",") != "3,4,5,7,8,9,10" {
		t.Errorf("bad rows = %+v, want 8 rows and lines 3,4,5,7,8,9,10", s)
	}
	for _, want := range []string{
		bad + `:3: count: "-1" is not an integer from 0 to 1099511627776`,
		bad + `:4: method: "mul" is not add, sub or direct`,
		bad + `:5: timestamp: "yesterday" is neither RFC 3339`,
		bad + `:7: tenant_id: is empty; count: "1.5" is not an integer`,
		bad + `:8: has 4 fields, the header has 5`,
		bad + `:9: timestamp: `, "is more than 24 hours ahead of now",
		bad + `:10: timestamp: "2026-01-02T03:04:05.5Z" has a fraction of a second`,
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}

	unknown := w.file(t, "unknown.csv", "tenant_id,metering_unit_name,timestamp,count\n"+t0+",calls,"+ts+",1\nnobody,calls,"+ts+",1\n"+t0+",nometer,"+ts+",1\n")
	_, err = run(t, w.env, "usage", "import", unknown)
	if err == nil || !strings.Contains(err.Error(), "2 bad row(s); nothing was sent") {
		t.Errorf("import of unknown.csv = %v", err)
	}
	header := w.file(t, "header.csv", "tenant,metering_unit_name,timestamp,count,count\n")
	if _, err := run(t, w.env, "usage", "import", header); err == nil || !strings.Contains(err.Error(), "1 bad row(s)") {
		t.Errorf("import of header.csv = %v", err)
	}
	empty := w.file(t, "empty.csv", "")
	if _, err := run(t, w.env, "usage", "import", empty); err == nil || !strings.Contains(err.Error(), "1 bad row(s)") {
		t.Errorf("import of an empty file = %v", err)
	}
	if out, err := run(t, w.env, "usage", "import", w.file(t, "none.csv", "\ufefftenant_id,metering_unit_name,timestamp,count\r\n")); err != nil || !strings.Contains(out, "has no rows; nothing was sent") {
		t.Errorf("import of a header without rows = %q, %v", out, err)
	}
	for _, p := range []string{bad, unknown, header} {
		if _, err := os.Stat(p + ".progress"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a refused file got a progress file (%v)", err)
		}
	}
	if got := w.entries(t); len(got) != 0 {
		t.Errorf("refused files sent updates: %v", got)
	}

	// A sub below zero is refused by the server: the import stops there,
	// with the line, and goes on from it once the cause is gone.
	neg := w.file(t, "neg.csv", "tenant_id,metering_unit_name,timestamp,method,count\n"+
		t0+",calls,"+ts+",add,1\n"+t0+",calls,"+ts+",sub,3\n"+t0+",calls,"+ts+",add,10\n")
	_, err = run(t, w.env, "usage", "import", neg, "--concurrency", "1")
	if err == nil || !strings.Contains(err.Error(), neg+":3: PUT ") || !strings.Contains(err.Error(), "409 negative_count") {
		t.Fatalf("import of neg.csv = %v, want the server's 409 at line 3", err)
	}
	key := t0 + " calls " + ts
	if got := w.entries(t); got[key] != 1 {
		t.Errorf("after the refusal: %v, want only line 2 applied", got)
	}
	w.call(t, "PUT", "/v1/pricing/metering/tenants/"+t0+"/units/calls/timestamp/"+ts, map[string]any{"method": "add", "count": 2}, 200)
	out, err := run(t, w.env, "usage", "import", neg, "--json")
	if s := importOut(t, out); err != nil || s.Already != 1 || s.Sent != 2 {
		t.Errorf("resumed neg.csv = %s, %v", out, err)
	}
	if got := w.entries(t); got[key] != 10 {
		t.Errorf("after resuming neg.csv: %v, want 1+2-3+10 = 10", got)
	}

	for _, args := range [][]string{
		{"usage"}, {"usage", "export"}, {"usage", "import"}, {"usage", "import", "a.csv", "b.csv"},
		{"usage", "import", neg, "--concurrency", "0"}, {"usage", "import", neg, "--retries", "-1"},
		{"usage", "import", neg, "--progress-bar", "sometimes"}, {"usage", "import", neg, "--server", "ftp://x"},
	} {
		if _, err := run(t, w.env, args...); !errors.Is(err, app.ErrUsage) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
}

// usageChildEnv makes TestUsageImportChild run an import: a JSON object
// of the command line and the environment.
const usageChildEnv = "SAASPLANE_TEST_USAGE_IMPORT_CHILD"

// TestUsageImportChild is the process TestUsageImportSurvivesKill kills.
func TestUsageImportChild(t *testing.T) {
	spec := os.Getenv(usageChildEnv)
	if spec == "" {
		t.Skip("run by TestUsageImportSurvivesKill")
	}
	var c struct {
		Args []string
		Env  map[string]string
	}
	if err := json.Unmarshal([]byte(spec), &c); err != nil {
		t.Fatal(err)
	}
	if err := app.Run(context.Background(), c.Args, envFunc(c.Env), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
}

// TestUsageImportSurvivesKill SIGKILLs a real import process part-way
// (its last answers may be applied on the server and not in the progress
// file), resumes it, and checks every entry: no row lost, none twice.
func TestUsageImportSurvivesKill(t *testing.T) {
	w := newUsageWorld(t)
	f := w.genUsage(3000)
	path := w.file(t, "usage.csv", f.csv)
	spec, _ := json.Marshal(map[string]any{"Args": []string{"usage", "import", path, "--concurrency", "4"}, "Env": w.env})
	child := exec.Command(os.Args[0], "-test.run=^TestUsageImportChild$")
	child.Env = append(os.Environ(), usageChildEnv+"="+string(spec))
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
		if b, _ := os.ReadFile(path + ".progress"); bytes.Count(b, []byte("\n")) > 200 {
			break
		}
		if time.Now().After(deadline) {
			_ = child.Process.Kill()
			t.Fatal("the child recorded no progress within 20s")
		}
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := child.Wait(); err == nil {
		t.Fatal("the child finished before it was killed")
	}
	out, err := run(t, w.env, "usage", "import", path, "--json")
	s := importOut(t, out)
	if err != nil || s.Already == 0 || s.Already+s.Sent != 3000 || s.Remaining != 0 {
		t.Fatalf("import resumed after a kill = %s, %v", out, err)
	}
	t.Logf("killed after %d acknowledged rows", s.Already)
	sameEntries(t, "after the kill and the resumed import", w.entries(t), f.want)
}
