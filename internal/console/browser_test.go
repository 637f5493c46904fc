package console_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/console"
	"github.com/saasplane/saasplane/internal/testenv"
)

// required says whether a missing browser, Node.js or console build fails
// the test instead of skipping it (scripts/test.sh sets it).
func required() bool { return os.Getenv("SAASPLANE_TEST_BROWSER") == "required" }

func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if required() {
		t.Fatal("SAASPLANE_TEST_BROWSER=required, but " + why)
	}
	t.Skip(why + ": browser test SKIPPED (run ./scripts/test.sh, which builds the console)")
}

// The console, as a person uses it in headless Chromium: web/console/e2e/
// console.e2e.mjs drives Debian's chromium with playwright-core (from npm)
// against a real server seeded through the signed API, and saves a
// screenshot of each page into testenv.Screenshots(t, "console").
func TestConsoleInBrowser(t *testing.T) {
	chromium := testenv.Chromium(t)
	if _, built := console.Assets(); !built {
		skipOrFail(t, "the console is not built into internal/console/dist (run scripts/build-console.sh)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skipOrFail(t, "no node in PATH")
	}
	web, err := filepath.Abs(filepath.Join("..", "..", "web", "console"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(web, "node_modules", "playwright-core")); err != nil {
		skipOrFail(t, "web/console/node_modules/playwright-core is missing (run scripts/build-console.sh)")
	}

	clock := &shiftClock{}
	srv := newConsoleServer(t, clock) // the API log on; clock for plan history in the past
	c := srv.NewSaaS(t)
	s := seed(t, c, time.Now())
	x := seedPages(t, c, clock, s, time.Now())
	job := seedJobs(t, c)
	data, _ := json.Marshal(map[string]string{"saas_id": c.SaaSID, "api_key": c.APIKey, "secret_key": c.Secret,
		"acme": s.acme, "globex": s.globex, "feedback": s.feedback,
		"invoice": x.invoice, "last_invoice": x.lastInvoice, "run": x.run, "month_before": x.monthBefore, "last_month": x.lastMonth,
		"aws_customer": x.awsCustomer, "azure_subscription": x.azureSub, "trace": x.trace,
		"ann": s.ann, "ann_token": s.annToken, "invitation": s.invitation, "job": job})
	shots := testenv.Screenshots(t, "console")

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("e2e", "console.e2e.mjs"))
	cmd.Dir = web
	cmd.Env = append(os.Environ(), "CONSOLE_URL="+srv.URL, "CHROMIUM="+chromium, "SCREENSHOTS="+shots, "E2E="+string(data),
		"TZ=UTC")
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		t.Log(line)
	}
	if err != nil {
		t.Fatalf("console e2e: %v (screenshots in %s)", err, shots)
	}
	t.Logf("screenshots in %s", shots)
}
