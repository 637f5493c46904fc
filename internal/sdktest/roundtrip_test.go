package sdktest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	// The generated client imports the oapi-codegen runtime. Importing it
	// here keeps it a direct requirement in go.mod, so `go mod tidy` does not
	// drop it: the generated code lives under testdata, which tidy ignores.
	_ "github.com/oapi-codegen/runtime"

	"github.com/saasplane/saasplane/internal/app"
	"github.com/saasplane/saasplane/internal/testenv"
)

// skipMessage is the reason given when the upstream reference files are absent.
const skipMessage = "../shared not found: the SDK round trip needs the SaaSus reference files"

// templateImport is the client's import path as written in the template; the
// test rewrites it to the per-run directory.
const templateImport = "/internal/sdktest/testdata/gen/pricingapi"

// TestSDKRoundTrip generates the Pricing API client from the upstream
// OpenAPI file the way the official SaaSus Go SDK does, then runs SDK-style
// user code with it against a real saasplane. Further SDK scenarios belong
// in here as subtests, so that they share the one (slow) generation and
// compilation.
func TestSDKRoundTrip(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	spec := filepath.Join(root, "..", "shared", "upstream-openapi", "pricingapi.yml")
	if _, err := os.Stat(spec); err != nil {
		t.Skip(skipMessage)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout(t))
	defer cancel()

	// Generate while the server starts: generation is the slow part.
	dir, err := newGenDir(t, root)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var genLog string
	var genErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		genLog, genErr = generate(ctx, root, spec, dir)
	}()
	t.Cleanup(wg.Wait) // after a Fatal below, the deferred cancel stops it first

	creds := map[string]string{
		"SAASUS_SAAS_ID":    "5d2a8e61-7c4b-4f0e-9a3d-1b6c8e2f4a70",
		"SAASUS_API_KEY":    "sdktest-" + randomHex(t, 8),
		"SAASUS_SECRET_KEY": randomHex(t, 32),
	}
	baseURL := startServer(t, creds)

	wg.Wait()
	t.Log(genLog)
	if genErr != nil {
		t.Fatalf("generate the SDK client: %v", genErr)
	}

	env := append(os.Environ(), "SDKTEST_PRICING_URL="+baseURL+"/v1/pricing")
	for k, v := range creds {
		env = append(env, k+"="+v)
	}
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", "run", ".")
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	t.Logf("go run (compile and round trip) took %s; output:\n%s", time.Since(start).Round(time.Millisecond), out)
	if err != nil {
		t.Fatalf("the SDK round trip failed: %v (see the FAIL line above)", err)
	}
	if !bytes.Contains(out, []byte("PASS: SDK round trip complete")) {
		t.Fatalf("the round-trip program exited 0 without reporting PASS")
	}
}

// newGenDir creates a fresh testdata/gen-* directory, removed when t ends.
// It is inside the module, so the generated code builds against the
// oapi-codegen runtime pinned in go.mod, and under testdata, so ./...
// patterns never see it.
func newGenDir(t *testing.T, root string) (string, error) {
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(testdata, root+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is not inside the module at %s", testdata, root)
	}
	dir, err := os.MkdirTemp(testdata, "gen-")
	if err != nil {
		return "", err
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("remove the generated client: %v", err)
		}
	})
	return dir, nil
}

// generate writes the oapi-codegen client into dir/pricingapi (types.gen.go
// and client.gen.go, one generator run each, as the SDK's generate.sh does)
// and the round-trip program into dir/main.go. It returns a log of what it
// did.
func generate(ctx context.Context, root, spec, dir string) (string, error) {
	var log strings.Builder
	modPath, err := modulePath(root)
	if err != nil {
		return "", err
	}
	tmpl, err := os.ReadFile(filepath.Join("testdata", "roundtrip.go.txt"))
	if err != nil {
		return "", err
	}
	if n := bytes.Count(tmpl, []byte(modPath+templateImport)); n != 1 {
		return "", fmt.Errorf("testdata/roundtrip.go.txt must import %q exactly once, found %d", modPath+templateImport, n)
	}
	pkgDir := filepath.Join(dir, "pricingapi")
	if err := os.Mkdir(pkgDir, 0o755); err != nil {
		return "", err
	}
	for _, kind := range []string{"types", "client"} {
		start := time.Now()
		cmd := exec.CommandContext(ctx, "go", "tool", "oapi-codegen",
			"-generate", kind, "-package", "pricingapi", "-o", filepath.Join(pkgDir, kind+".gen.go"), spec)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return log.String(), fmt.Errorf("go tool oapi-codegen -generate %s: %v\n%s", kind, err, out)
		}
		fmt.Fprintf(&log, "go tool oapi-codegen -generate %s took %s\n", kind, time.Since(start).Round(time.Millisecond))
	}
	rel, err := filepath.Rel(root, pkgDir)
	if err != nil {
		return log.String(), err
	}
	main := bytes.Replace(tmpl, []byte(modPath+templateImport), []byte(modPath+"/"+filepath.ToSlash(rel)), 1)
	return log.String(), os.WriteFile(filepath.Join(dir, "main.go"), main, 0o644)
}

// startServer runs `saasplane serve` in-process on a free port with the
// given bootstrap credentials and a fresh SQLite directory, waits until it
// answers /healthz, and returns its base URL. At the end of the test it
// cancels the server and checks that it shut down cleanly.
func startServer(t *testing.T, creds map[string]string) string {
	t.Helper()
	addr := freeAddr(t)
	env := map[string]string{"SAASPLANE_ACCESS_LOG": "false"}
	for k, v := range creds {
		env[k] = v
	}
	getenv := func(k string) string { return env[k] }

	var stdout, stderr lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, []string{"serve", "--addr", addr, "--data", t.TempDir()}, getenv, &stdout, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("saasplane serve returned %v after cancel, want nil (graceful shutdown)", err)
			}
		case <-time.After(40 * time.Second):
			t.Errorf("saasplane serve did not stop within 40s of cancel")
		}
		if t.Failed() {
			t.Logf("saasplane stdout:\n%s\nsaasplane stderr:\n%s", stdout.String(), stderr.String())
		}
	})

	base := "http://" + addr
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case err := <-done:
			done <- err // let the cleanup see it too
			t.Fatalf("saasplane serve exited before it was healthy: %v\nstderr:\n%s", err, stderr.String())
		default:
		}
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("saasplane did not answer GET /healthz with 200 within 15s (last error: %v)\nstderr:\n%s", err, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// moduleRoot is the repository root.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// modulePath reads the module path from root/go.mod.
func modulePath(root string) (string, error) {
	f, err := os.Open(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", errors.New("go.mod has no module line")
}

// testTimeout leaves a minute of the test binary's deadline for cleanup.
func testTimeout(t *testing.T) time.Duration {
	d := 10 * time.Minute
	if dl, ok := t.Deadline(); ok {
		if left := time.Until(dl) - time.Minute; left < d {
			d = max(left, 30*time.Second)
		}
	}
	return d
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// lockedBuffer is a bytes.Buffer safe for the server goroutine to write
// while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
