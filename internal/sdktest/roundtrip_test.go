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

// templateImport is the client's import path as written in a template
// (with the package's name after it); the test rewrites it to the per-run
// directory.
const templateImport = "/internal/sdktest/testdata/gen/"

// programs are the SDK-style programs: each template, the upstream
// document its client is generated from, and the client's package.
var programs = []struct{ template, spec, pkg string }{
	{"roundtrip.go.txt", "pricingapi.yml", "pricingapi"},
	{"authflow.go.txt", "authapi.yml", "authapi"},
}

// TestSDKRoundTrip generates the Pricing API client from the upstream
// OpenAPI file the way the official SaaSus Go SDK does, then runs SDK-style
// user code with it against a real saasplane. Further SDK scenarios belong
// in here as subtests, so that they share the one (slow) generation and
// compilation.
func TestSDKRoundTrip(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	specs := filepath.Join(root, "..", "shared", "upstream-openapi")
	if _, err := os.Stat(filepath.Join(specs, "pricingapi.yml")); err != nil {
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
		genLog, genErr = generate(ctx, root, specs, dir)
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

	env := append(os.Environ(), "SDKTEST_PRICING_URL="+baseURL+"/v1/pricing", "SDKTEST_SERVER="+baseURL)
	for k, v := range creds {
		env = append(env, k+"="+v)
	}
	t.Run("pricing", func(t *testing.T) {
		runProgram(t, ctx, filepath.Join(dir, "pricingapi-program"), env, "PASS: SDK round trip complete")
	})
	t.Run("auth", func(t *testing.T) {
		userID, code := signedInUser(t, baseURL, creds)
		runProgram(t, ctx, filepath.Join(dir, "authapi-program"), append(env, "SDKTEST_USER_ID="+userID, "SDKTEST_CODE="+code),
			"PASS: SDK auth flow complete")
	})
}

// runProgram runs the program in dir and requires it to report pass.
func runProgram(t *testing.T, ctx context.Context, dir string, env []string, pass string) {
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", "run", ".")
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	t.Logf("go run (compile and run) took %s; output:\n%s", time.Since(start).Round(time.Millisecond), out)
	if err != nil {
		t.Fatalf("the SDK program failed: %v (see the FAIL line above)", err)
	}
	if !bytes.Contains(out, []byte(pass)) {
		t.Fatalf("the program exited 0 without reporting %q", pass)
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

// generate writes, for each program, the oapi-codegen client into
// dir/<pkg> (types.gen.go and client.gen.go, one generator run each, as
// the SDK's generate.sh does) and the program into dir/<pkg>-program. It
// returns a log of what it did.
func generate(ctx context.Context, root, specs, dir string) (string, error) {
	var log strings.Builder
	modPath, err := modulePath(root)
	if err != nil {
		return "", err
	}
	for _, p := range programs {
		tmpl, err := os.ReadFile(filepath.Join("testdata", p.template))
		if err != nil {
			return "", err
		}
		imp := modPath + templateImport + p.pkg
		if n := bytes.Count(tmpl, []byte(imp+`"`)); n != 1 {
			return "", fmt.Errorf("testdata/%s must import %q exactly once, found %d", p.template, imp, n)
		}
		pkgDir := filepath.Join(dir, p.pkg)
		if err := os.Mkdir(pkgDir, 0o755); err != nil {
			return "", err
		}
		for _, kind := range []string{"types", "client"} {
			start := time.Now()
			cmd := exec.CommandContext(ctx, "go", "tool", "oapi-codegen",
				"-generate", kind, "-package", p.pkg, "-o", filepath.Join(pkgDir, kind+".gen.go"), filepath.Join(specs, p.spec))
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				return log.String(), fmt.Errorf("go tool oapi-codegen -generate %s %s: %v\n%s", kind, p.spec, err, out)
			}
			fmt.Fprintf(&log, "go tool oapi-codegen -generate %s %s took %s\n", kind, p.spec, time.Since(start).Round(time.Millisecond))
		}
		rel, err := filepath.Rel(root, pkgDir)
		if err != nil {
			return log.String(), err
		}
		main := bytes.Replace(tmpl, []byte(imp+`"`), []byte(modPath+"/"+filepath.ToSlash(rel)+`"`), 1)
		progDir := pkgDir + "-program"
		if err := os.Mkdir(progDir, 0o755); err != nil {
			return log.String(), err
		}
		if err := os.WriteFile(filepath.Join(progDir, "main.go"), main, 0o644); err != nil {
			return log.String(), err
		}
	}
	return log.String(), nil
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
