package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// An idle server sleeps: its background workers poll, they do not spin.
// (A deliverer that woke itself after every round once made an idle
// server burn more than a core.)
func TestIdleServerUsesLittleCPU(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real binary; skipped with -short")
	}
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc to read a process's CPU time")
	}
	p := startCrashServer(t, binary(t), []string{"--data", t.TempDir()}, crashCreds{"idle-saas", "idle-key", "idle-secret"})
	time.Sleep(time.Second) // start-up work is done
	pid := p.cmd.Process.Pid
	before, start := cpuTicks(t, pid), time.Now()
	time.Sleep(3 * time.Second)
	used := float64(cpuTicks(t, pid)-before) / 100 / time.Since(start).Seconds() // ticks are 1/100 s on Linux
	if used > 0.2 {
		t.Fatalf("an idle server used %.0f %% of a core", used*100)
	}
	t.Logf("idle: %.1f %% of a core", used*100)
}

// cpuTicks returns a process's user + system CPU time in clock ticks.
func cpuTicks(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the ")" that ends the command name: state is the 3rd
	// field of the line, utime the 14th and stime the 15th.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return utime + stime
}
