package main

import (
	"context"
	"encoding/json"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"

	"github.com/saasplane/saasplane/internal/app"
)

// TestProfiledServer is not a test: it is the server that
// `go run ./bench/metering --cpuprofile FILE` builds with `go test -c` and
// runs in its own process. It runs app.Run exactly as cmd/saasplane does,
// and adds profiling driven by signals, so that the profile covers only
// the measured phases:
//
//	SIGUSR1  start the next CPU profile of profileCPUEnv (and enable the
//	         mutex and block profiles, if asked for)
//	SIGUSR2  stop it (and write the mutex and block profiles, once)
//	SIGTERM  shut down as `saasplane serve` does
//
// It lives in a _test.go file because only cmd/saasplane may import
// internal/app (internal/archtest), and test files are outside that rule.
func TestProfiledServer(t *testing.T) {
	raw := os.Getenv(profileArgsEnv)
	if raw == "" {
		t.Skip("the profiling server of `go run ./bench/metering --cpuprofile FILE`; not a test")
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		t.Fatal(err)
	}
	var cpu []string
	if v := os.Getenv(profileCPUEnv); v != "" {
		cpu = strings.Split(v, ",")
	}
	mutex, block := os.Getenv(profileMutexEnv), os.Getenv(profileBlockEnv)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	defer close(done)
	go func() {
		next, running, wroteLocks := 0, (*os.File)(nil), false
		stopCPU := func() {
			if running != nil {
				pprof.StopCPUProfile()
				running.Close()
				running = nil
			}
		}
		defer stopCPU()
		for {
			select {
			case <-done:
				return
			case s := <-sigs:
				switch s {
				case syscall.SIGUSR1:
					stopCPU()
					if next < len(cpu) {
						f, err := os.Create(cpu[next])
						if err == nil && pprof.StartCPUProfile(f) == nil {
							running = f
						}
						next++
					}
					if !wroteLocks {
						if mutex != "" {
							runtime.SetMutexProfileFraction(5)
						}
						if block != "" {
							runtime.SetBlockProfileRate(10000) // one sample per 10 µs blocked
						}
					}
				case syscall.SIGUSR2:
					stopCPU()
					if !wroteLocks {
						wroteLocks = true
						writeProfile("mutex", mutex)
						writeProfile("block", block)
						runtime.SetMutexProfileFraction(0)
						runtime.SetBlockProfileRate(0)
					}
				}
			}
		}
	}()
	if err := app.Run(ctx, args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		t.Fatal(err)
	}
}

func writeProfile(name, path string) {
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = pprof.Lookup(name).WriteTo(f, 0)
}
