package console_test

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

// reportJob stands for a job done for one SaaS that fails for good on its
// first run (a report the far side refused) and succeeds when retried.
type reportJob struct {
	SaaSID string `json:"saas_id"`
}

func (reportJob) Kind() string { return "console_test.export_report" }

var (
	reportEngine atomic.Pointer[jobs.Engine]
	reportRuns   atomic.Int32
)

// registerReportJob is the console server's apitest.Options.Jobs.
func registerReportJob(e *jobs.Engine, _ *apitest.Server) {
	reportEngine.Store(e)
	jobs.Handle(e, func(context.Context, reportJob) error {
		if reportRuns.Add(1) == 1 {
			return jobs.Cancel(errors.New("the report endpoint refused the upload (HTTP 403)"))
		}
		return nil
	})
}

// seedJobs makes one failed job of the client's SaaS and returns its id
// once it has failed.
func seedJobs(t *testing.T, c apitest.Client) string {
	t.Helper()
	id, err := reportEngine.Load().Insert(t.Context(), reportJob{SaaSID: c.SaaSID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		js := c.Do(t, "GET", "/v1/background/jobs?state=cancelled", nil).Want(t, 200).JSON(t)["jobs"].([]any)
		if len(js) == 1 {
			return strconv.FormatInt(id, 10)
		}
	}
	t.Fatal("the seeded job did not fail within 20 s")
	return ""
}
