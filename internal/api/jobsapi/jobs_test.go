package jobsapi_test

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/jobs"
)

const B = "/v1/background"

// reportJob stands for a job done for one SaaS (its arguments name it).
type reportJob struct {
	SaaSID string `json:"saas_id"`
}

func (reportJob) Kind() string { return "test.report" }

// TestTheSaaSSeesAndRetriesItsJobs: a SaaS lists its own jobs (and only
// those), filtered by state and kind; a job that failed for good shows
// its error and runs again on a retry; another SaaS's job is 404.
func TestTheSaaSSeesAndRetriesItsJobs(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		var engine *jobs.Engine
		var failing atomic.Bool
		failing.Store(true)
		srv := apitest.NewServerWith(t, b.DB, apitest.Options{EventJobs: true, Jobs: func(e *jobs.Engine, _ *apitest.Server) {
			engine = e
			jobs.Handle(e, func(_ context.Context, _ reportJob) error {
				if failing.Load() {
					return jobs.Cancel(errors.New("the marketplace refused the report"))
				}
				return nil
			})
		}})
		c, other := srv.NewSaaS(t), srv.NewSaaS(t)
		mine, err := engine.Insert(t.Context(), reportJob{SaaSID: c.SaaSID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := engine.Insert(t.Context(), reportJob{SaaSID: other.SaaSID}, nil); err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(mine, 10)

		job := func(query string) []any {
			t.Helper()
			return apitest.Conforms(t, B, c.Do(t, "GET", B+"/jobs"+query, nil).Want(t, 200)).JSON(t)["jobs"].([]any)
		}
		var js []any
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(30 * time.Millisecond) {
			if js = job("?state=cancelled"); len(js) == 1 {
				break
			}
		}
		if len(js) != 1 {
			t.Fatalf("cancelled jobs = %v, want the SaaS's one", js)
		}
		j := js[0].(map[string]any)
		if j["id"].(float64) != float64(mine) || j["kind"] != "test.report" || j["last_error"] != "the marketplace refused the report" ||
			j["args"].(map[string]any)["saas_id"] != c.SaaSID || j["finalized_at"] == nil {
			t.Errorf("the cancelled job = %v", j)
		}
		if js := job("?kind=test.report,events.deliver_endpoint&limit=10"); len(js) != 1 {
			t.Errorf("by kind: %d jobs, want 1", len(js))
		}
		if js := job("?state=completed"); len(js) != 0 {
			t.Errorf("completed jobs = %v, want none yet", js)
		}
		c.Do(t, "GET", B+"/jobs?state=lost", nil).WantError(t, 400, "invalid_request", "state")
		c.Do(t, "GET", B+"/jobs?limit=0", nil).WantError(t, 400, "invalid_request", "limit")

		other.Do(t, "POST", B+"/jobs/"+id+"/retry", nil).WantError(t, 404, "not_found")
		c.Do(t, "POST", B+"/jobs/nope/retry", nil).WantError(t, 404, "not_found")
		failing.Store(false)
		r := apitest.Conforms(t, B, c.Do(t, "POST", B+"/jobs/"+id+"/retry", nil).Want(t, 200)).JSON(t)
		if r["state"] != "available" && r["state"] != "running" && r["state"] != "completed" {
			t.Errorf("retried job = %v", r)
		}
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(30 * time.Millisecond) {
			if js = job("?state=completed"); len(js) == 1 {
				break
			}
		}
		if len(js) != 1 {
			t.Fatalf("after the retry, completed jobs = %v", js)
		}
	})
}
