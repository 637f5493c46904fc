package app_test

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestMetricNamesAreStable: every metric a serving node exposes is named
// saasplane_..., and saasplane's own names (not the Go runtime's and the
// process's, which come from client_golang) are exactly those of
// testdata/metrics.txt. Dashboards and alerts depend on these names:
// renaming or dropping one is a breaking change, so the list changes
// only on purpose (SAASPLANE_UPDATE_METRICS=1 rewrites it).
func TestMetricNamesAreStable(t *testing.T) {
	s := serve(t, nil, "--data", t.TempDir())
	// One request first, so that the request series exist: it is counted
	// once its handler returns, which may be just after the client has its
	// answer, so read /metrics until it shows.
	res, err := http.Get(s.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var body []byte
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if res, err = http.Get(s.url + "/metrics"); err != nil {
			t.Fatal(err)
		}
		body, err = io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(body, []byte("saasplane_http_requests_total{")) || time.Now().After(deadline) {
			break
		}
	}
	var own []string
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || f[0] != "#" || f[1] != "TYPE" {
			continue
		}
		name := f[2]
		if !strings.HasPrefix(name, "saasplane_") {
			t.Errorf("metric %s is not prefixed saasplane_", name)
		}
		if strings.HasPrefix(name, "saasplane_go_") && !strings.HasPrefix(name, "saasplane_go_sql_") || strings.HasPrefix(name, "saasplane_process_") {
			continue // the runtime's, named by client_golang
		}
		own = append(own, name+" "+f[3])
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(own)
	golden := filepath.Join("testdata", "metrics.txt")
	if os.Getenv("SAASPLANE_UPDATE_METRICS") == "1" {
		if err := os.WriteFile(golden, []byte(strings.Join(own, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(golden)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	var wantLines []string
	for line := range strings.SplitSeq(strings.TrimSpace(string(b)), "\n") {
		wantLines = append(wantLines, strings.TrimSpace(line))
	}
	for _, w := range wantLines {
		if !slices.Contains(own, w) {
			t.Errorf("metric %q is gone or changed type: a breaking change for dashboards", w)
		}
	}
	for _, g := range own {
		if !slices.Contains(wantLines, g) {
			t.Errorf("metric %q is new: add it to %s (SAASPLANE_UPDATE_METRICS=1) and to the metrics table of docs/observability.md", g, golden)
		}
	}
}
