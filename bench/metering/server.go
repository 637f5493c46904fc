package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for --fresh-db
)

// moduleRoot finds the directory of go.mod from the working directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/saasplane/saasplane\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the saasplane module (go.mod not found)")
		}
		dir = parent
	}
}

func goTool(ctx context.Context, root string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// server is a saasplane process this tool started.
type server struct {
	cmd     *exec.Cmd
	url     string
	logPath string
	exited  chan struct{}
	waitErr error
	// profiled: the server is the test binary of this package (see
	// profile_test.go) and answers SIGUSR1/SIGUSR2 with profiles.
	profiled bool
}

type serverConfig struct {
	tmp         string
	root        string
	databaseURL string // empty: SQLite in tmp/data
	extraArgs   []string
	extraEnv    []string // NAME=VALUE, after the bench's own environment
	creds       creds
	// profile: build the profiling test binary instead of cmd/saasplane.
	profile  bool
	profiles []string // cpu profile files, one per phase
	mutex    string
	block    string
}

// build compiles the server once.
func build(ctx context.Context, cfg serverConfig) (string, error) {
	if cfg.profile {
		bin := filepath.Join(cfg.tmp, "saasplane-profiled.test")
		return bin, goTool(ctx, cfg.root, "test", "-c", "-o", bin, "./bench/metering")
	}
	bin := filepath.Join(cfg.tmp, "saasplane")
	return bin, goTool(ctx, cfg.root, "build", "-o", bin, "./cmd/saasplane")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startServer runs the binary on a free loopback port and waits until it
// answers /readyz. A port taken between probing and binding is retried.
func startServer(ctx context.Context, bin string, cfg serverConfig) (*server, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := startOnce(ctx, bin, cfg, attempt)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func startOnce(ctx context.Context, bin string, cfg serverConfig, attempt int) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	args := []string{"serve", "--addr", addr}
	if cfg.databaseURL != "" {
		args = append(args, "--database-url", cfg.databaseURL, "--auto-migrate")
	} else {
		args = append(args, "--data", filepath.Join(cfg.tmp, "data"))
	}
	args = append(args, cfg.extraArgs...)
	env := append(os.Environ(),
		"SAASUS_SAAS_ID="+cfg.creds.SaaSID, "SAASUS_API_KEY="+cfg.creds.APIKey, "SAASUS_SECRET_KEY="+cfg.creds.Secret,
		"SAASPLANE_ACCESS_LOG=false")
	env = append(env, cfg.extraEnv...)
	var cmd *exec.Cmd
	if cfg.profile {
		a, _ := json.Marshal(args)
		cmd = exec.Command(bin, "-test.run", "^TestProfiledServer$", "-test.timeout", "0", "-test.v")
		env = append(env, profileArgsEnv+"="+string(a), profileCPUEnv+"="+strings.Join(cfg.profiles, ","),
			profileMutexEnv+"="+cfg.mutex, profileBlockEnv+"="+cfg.block)
	} else {
		cmd = exec.Command(bin, args...)
	}
	cmd.Env = env
	logPath := filepath.Join(cfg.tmp, fmt.Sprintf("server-%d.log", attempt))
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	s := &server{cmd: cmd, url: "http://" + addr, logPath: logPath, exited: make(chan struct{}), profiled: cfg.profile}
	go func() {
		s.waitErr = cmd.Wait()
		logf.Close()
		close(s.exited)
	}()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("server exited at start (%v):\n%s", s.waitErr, s.tail())
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
	}
	s.stop()
	return nil, fmt.Errorf("server not ready after 90s:\n%s", s.tail())
}

// signal sends sig to the server (used for the profiling phases).
func (s *server) signal(sig os.Signal) error { return s.cmd.Process.Signal(sig) }

// stop asks the server to shut down (SIGTERM) and waits, then kills it.
func (s *server) stop() error {
	select {
	case <-s.exited:
		return s.waitErr
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		return s.waitErr
	case <-time.After(60 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return errors.New("server did not stop within 60s of SIGTERM; killed")
	}
}

// tail returns the end of the server's log.
func (s *server) tail() string {
	b, _ := os.ReadFile(s.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// logLine returns the last log line containing substr.
func (s *server) logLine(substr string) string {
	f, err := os.Open(s.logPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	var last string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), substr) {
			last = sc.Text()
		}
	}
	return last
}

// cpuTime is the process's user+system CPU time so far, from /proc.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc stat format")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, errors.New("unexpected /proc stat format")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	const hz = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / hz, nil
}

// selfCPU is this process's user+system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// freshDatabase creates an empty database on the PostgreSQL server of base
// and returns its URL and a function that drops it.
func freshDatabase(ctx context.Context, base string) (string, func(), error) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "saasplane_bench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	drop := func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// scrapeMetrics reads the values of the named (label-less) metrics.
func scrapeMetrics(ctx context.Context, base string, names ...string) map[string]float64 {
	out := map[string]float64{}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		for _, n := range names {
			if v, ok := strings.CutPrefix(line, n+" "); ok {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					out[n] = f
				}
			}
		}
	}
	return out
}
