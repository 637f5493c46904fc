package testenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium finds the browser, or skips the test: with
// SAASPLANE_TEST_BROWSER=required (scripts/test.sh sets it) a missing
// browser fails the test instead.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("SAASPLANE_TEST_BROWSER") == "required" {
		t.Fatal("SAASPLANE_TEST_BROWSER=required, but no chromium in PATH (apt-get install chromium)")
	}
	t.Skip("no chromium in PATH: browser test SKIPPED (run ./scripts/test.sh, which installs it)")
	return ""
}

// Screenshots is where a family of pages' screenshots go:
// SAASPLANE_TEST_ARTIFACTS/screenshots/family (scripts/test.sh keeps them
// in artifacts/), else under the test's temp dir.
func Screenshots(t testing.TB, family string) string {
	t.Helper()
	dir := os.Getenv("SAASPLANE_TEST_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	dir = filepath.Join(dir, "screenshots", family)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// NewChrome starts headless Chromium with a window of width × height for
// the test, and returns its context (60 s for the test's actions). A
// loaded machine sometimes loses a browser at its start; a new one is
// tried before the test gives up.
func NewChrome(t testing.TB, width, height int) context.Context {
	t.Helper()
	exe := Chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(width, height),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-crash-reporter", true))
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(actx)
		// The first call starts the browser, on a context without a
		// timeout (a timeout there would stop the browser itself).
		if err = chromedp.Do(ctx); err == nil {
			t.Cleanup(cancelAlloc)
			t.Cleanup(cancel)
			ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
			t.Cleanup(cancel)
			return ctx
		}
		cancel()
		cancelAlloc()
		t.Logf("start chromium, attempt %d: %v", attempt, err)
	}
	t.Fatalf("start chromium: %v", err)
	return nil
}
