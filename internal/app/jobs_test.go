package app_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/app"
	"github.com/saasplane/saasplane/internal/jobs"
)

// A serving node works its periodic jobs; `saasplane jobs` lists them and
// retries one, and /metrics counts them per kind.
func TestJobsCommandsAndMetrics(t *testing.T) {
	dir := t.TempDir()
	s := serve(t, nil, "--data", dir, "--scheduler-interval", "1s", "--job-poll-interval", "50ms")

	var done []jobs.Job
	deadline := time.Now().Add(30 * time.Second)
	for len(done) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no reservation job completed within 30s")
		}
		time.Sleep(200 * time.Millisecond)
		out, err := run(t, nil, "jobs", "list", "--json", "--state", "completed", "--kind", "tenant.apply_reservations", "--data", dir)
		if err != nil {
			t.Fatal(err)
		}
		done = nil
		if err := json.Unmarshal([]byte(out), &done); err != nil {
			t.Fatalf("jobs list --json: %v\n%s", err, out)
		}
	}
	if j := done[0]; j.Kind != "tenant.apply_reservations" || j.State != "completed" || j.Attempt != 1 {
		t.Fatalf("listed job %+v", j)
	}

	table, err := run(t, nil, "jobs", "list", "--data", dir)
	if err != nil || !strings.HasPrefix(table, "ID") || !strings.Contains(table, "tenant.apply_reservations") {
		t.Fatalf("jobs list = %v\n%s", err, table)
	}

	id := strconv.FormatInt(done[0].ID, 10)
	out, err := run(t, nil, "jobs", "retry", "--json", "--data", dir, id)
	if err != nil {
		t.Fatal(err)
	}
	var retried []jobs.Job
	if err := json.Unmarshal([]byte(out), &retried); err != nil || len(retried) != 1 || retried[0].State != "available" {
		t.Fatalf("jobs retry = %v, %s; want the job available again", err, out)
	}

	for _, args := range [][]string{
		{"jobs"},
		{"jobs", "bogus"},
		{"jobs", "list", "--state", "nonsense"},
		{"jobs", "list", "--limit", "0"},
		{"jobs", "retry"},
		{"jobs", "retry", "x"},
		{"jobs", "retry", "999999999"},
	} {
		if _, err := run(t, nil, append(args, "--data", dir)...); !errors.Is(err, app.ErrUsage) {
			t.Errorf("Run(%v) = %v, want a usage error", args, err)
		}
	}

	res, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{
		`saasplane_jobs_worked_total{kind="tenant.apply_reservations"}`,
		`saasplane_jobs_failed_total{kind="apilog.purge"} 0`,
		`saasplane_jobs{kind="metering.purge_idempotency_keys",state="discarded"} 0`,
		`saasplane_jobs_oldest_available_seconds{kind="tenant.apply_reservations"}`,
		`saasplane_jobs_duration_seconds_bucket{kind="tenant.apply_reservations"`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
