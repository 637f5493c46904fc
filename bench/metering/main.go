// Command metering is the load test of metering updates: many concurrent
// signed clients doing PUT /v1/pricing/metering/tenants/{t}/units/{m}/now
// {"method":"add","count":1} against a real saasplane server, then, in the
// same run, the baseline (a signed GET /v1/pricing/metering/units with the
// same clients), then a check that the stored counts add up to exactly the
// updates that were acknowledged.
//
// By default it builds ./cmd/saasplane into a temporary directory and runs
// it on SQLite there (or on PostgreSQL with --database-url, in a fresh
// database), on a free loopback port; --server URL targets a running
// server instead, with credentials from SAASUS_SAAS_ID, SAASUS_API_KEY and
// SAASUS_SECRET_KEY. --cpuprofile builds the same server as a test binary
// (profile_test.go) that writes CPU profiles of the measured phases.
//
//	go run ./bench/metering                        # SQLite, 64 clients, 10 s
//	go run ./bench/metering --markdown             # plus a BENCHMARKS.md row
//	go run ./bench/metering --database-url postgres://...
//	go run ./bench/metering --cpuprofile /tmp/updates.pprof
//
// It only talks to loopback (or the --server given) and stops by itself.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
)

// Environment of the profiling server (profile_test.go).
const (
	profileArgsEnv  = "SAASPLANE_BENCH_SERVE_ARGS"
	profileCPUEnv   = "SAASPLANE_BENCH_CPUPROFILES"
	profileMutexEnv = "SAASPLANE_BENCH_MUTEXPROFILE"
	profileBlockEnv = "SAASPLANE_BENCH_BLOCKPROFILE"
)

type options struct {
	server      string
	databaseURL string
	freshDB     bool
	clients     int
	duration    time.Duration
	warmup      time.Duration
	tenants     int
	meters      int
	sameCounter bool
	baseline    bool
	markdown    bool
	label       string
	serverArgs  string
	serverEnv   string
	cpuprofile  string
	mutexprof   string
	blockprof   string
	keep        bool
}

func main() {
	var o options
	flag.StringVar(&o.server, "server", "", "URL of a running server to load (credentials from SAASUS_SAAS_ID, SAASUS_API_KEY, SAASUS_SECRET_KEY); default: build and start one")
	flag.StringVar(&o.databaseURL, "database-url", "", "start the server on this PostgreSQL (postgres://...) instead of SQLite")
	flag.BoolVar(&o.freshDB, "fresh-db", true, "with --database-url: run in a new database created on that server, dropped afterwards")
	flag.IntVar(&o.clients, "clients", 64, "concurrent clients (keep-alive connections)")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measured time of each phase")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load before each phase")
	flag.IntVar(&o.tenants, "tenants", 16, "tenants to spread updates over")
	flag.IntVar(&o.meters, "meters", 1, "meters to spread updates over (the baseline lists them all)")
	flag.BoolVar(&o.sameCounter, "same-counter", false, "send every update to one counter (first tenant, first meter)")
	flag.BoolVar(&o.baseline, "baseline", true, "run the baseline phase")
	flag.BoolVar(&o.markdown, "markdown", false, "also print a Markdown table row for BENCHMARKS.md")
	flag.StringVar(&o.label, "label", "", "first column of the Markdown row (default: the backend)")
	flag.StringVar(&o.serverArgs, "server-args", "", "extra flags for `saasplane serve`, space-separated (e.g. --apilog=false)")
	flag.StringVar(&o.serverEnv, "server-env", "", "extra environment of the server only, space-separated NAME=VALUE (e.g. GOMAXPROCS=4)")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the server during the measured update phase to this file (and of the baseline phase to FILE.baseline); builds the profiling server")
	flag.StringVar(&o.mutexprof, "mutexprofile", "", "with --cpuprofile: also write the server's mutex profile of the update phase here")
	flag.StringVar(&o.blockprof, "blockprofile", "", "with --cpuprofile: also write the server's block profile of the update phase here")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (binary, data, server log)")
	flag.Parse()
	if flag.NArg() > 0 || o.clients < 1 || o.tenants < 1 || o.meters < 1 || o.duration <= 0 || o.warmup < 0 ||
		o.duration > time.Hour || (o.server != "" && (o.databaseURL != "" || o.cpuprofile != "")) ||
		((o.mutexprof != "" || o.blockprof != "") && o.cpuprofile == "") {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "metering bench:", err)
		os.Exit(1)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func run(ctx context.Context, o options) (err error) {
	var c creds
	var srv *server
	backend := "external"
	base := o.server
	if base != "" {
		c = creds{SaaSID: os.Getenv("SAASUS_SAAS_ID"), APIKey: os.Getenv("SAASUS_API_KEY"), Secret: os.Getenv("SAASUS_SECRET_KEY")}
		if c.SaaSID == "" || c.APIKey == "" || c.Secret == "" {
			return errors.New("--server needs SAASUS_SAAS_ID, SAASUS_API_KEY and SAASUS_SECRET_KEY")
		}
		if u, err := url.Parse(base); err != nil || u.Host == "" {
			return fmt.Errorf("--server %q is not a URL", base)
		}
	} else {
		c = creds{SaaSID: uuid.NewString(), APIKey: "sp_bench_" + randomHex(12), Secret: randomHex(32)}
		root, err := moduleRoot()
		if err != nil {
			return err
		}
		tmp, err := os.MkdirTemp("", "saasplane-bench-")
		if err != nil {
			return err
		}
		if o.keep {
			fmt.Fprintln(os.Stderr, "keeping", tmp)
		} else {
			defer os.RemoveAll(tmp)
		}
		cfg := serverConfig{tmp: tmp, root: root, creds: c, extraArgs: strings.Fields(o.serverArgs), extraEnv: strings.Fields(o.serverEnv),
			profile: o.cpuprofile != "", mutex: abs(o.mutexprof), block: abs(o.blockprof)}
		if o.cpuprofile != "" {
			cfg.profiles = []string{abs(o.cpuprofile), abs(o.cpuprofile) + ".baseline"}
		}
		backend = "sqlite"
		if o.databaseURL != "" {
			backend = "postgres"
			cfg.databaseURL = o.databaseURL
			if o.freshDB {
				u, drop, err := freshDatabase(ctx, o.databaseURL)
				if err != nil {
					return err
				}
				defer drop()
				cfg.databaseURL = u
			}
		}
		fmt.Fprintf(os.Stderr, "building the server (%s) ...\n", map[bool]string{false: "go build ./cmd/saasplane", true: "go test -c ./bench/metering, profiling"}[cfg.profile])
		bin, err := build(ctx, cfg)
		if err != nil {
			return err
		}
		if srv, err = startServer(ctx, bin, cfg); err != nil {
			return err
		}
		base = srv.url
		defer func() {
			if stopErr := srv.stop(); stopErr != nil && err == nil && !srv.profiled {
				err = fmt.Errorf("server shutdown: %w\n%s", stopErr, srv.tail())
			}
			if line := srv.logLine("api log flushed"); line != "" {
				fmt.Fprintln(os.Stderr, "server:", line)
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "server log (tail):\n%s\n", srv.tail())
			}
		}()
		fmt.Fprintf(os.Stderr, "server %s on %s (pid %d)\n", backend, base, srv.cmd.Process.Pid)
	}
	if err := checkSigner(c); err != nil {
		return err
	}
	a := newAPI(base, c, o.clients)
	b, err := newBench(ctx, a, o, srv)
	if err != nil {
		return err
	}
	res, err := b.run(ctx)
	if res != nil {
		res.backend = backend
		res.print(os.Stdout, o)
	}
	return err
}

func abs(p string) string {
	if p == "" {
		return ""
	}
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
