// Command idle measures what an idle saasplane server costs: the CPU time
// a `saasplane serve` on SQLite spends doing nothing but its background
// work, for several builds in the same run, so the figures compare as
// ratios to the first (the baseline).
//
//	go run ./bench/idle --bin base=/tmp/saasplane-base --bin now=/tmp/saasplane --seconds 30 --rounds 3
//
// Each round starts every binary in turn on a fresh data directory and a
// free loopback port, waits until /readyz answers and a warm-up passes
// (migrations, the job engine's leader election), then reads the process's
// user and system CPU time (/proc/PID/stat) over --seconds. Rounds
// alternate the binaries, so that the machine's drift hits them alike.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

type binFlag []string

func (b *binFlag) String() string     { return strings.Join(*b, ",") }
func (b *binFlag) Set(v string) error { *b = append(*b, v); return nil }

func main() {
	var bins binFlag
	flag.Var(&bins, "bin", "name=path of a saasplane binary (repeat; the first is the baseline)")
	seconds := flag.Int("seconds", 30, "measured idle seconds per run")
	warmup := flag.Duration("warmup", 5*time.Second, "wait after /readyz before measuring")
	rounds := flag.Int("rounds", 3, "runs of every binary")
	flag.Parse()
	if len(bins) == 0 {
		fmt.Fprintln(os.Stderr, "idle: give at least one --bin name=path")
		os.Exit(2)
	}
	results := map[string][]float64{} // name -> CPU ms per second of each run
	var names []string
	for r := range *rounds {
		for _, b := range bins {
			name, path, ok := strings.Cut(b, "=")
			if !ok {
				fmt.Fprintf(os.Stderr, "idle: --bin %q is not name=path\n", b)
				os.Exit(2)
			}
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
			ms, err := measure(path, *warmup, time.Duration(*seconds)*time.Second)
			if err != nil {
				fmt.Fprintf(os.Stderr, "idle: %s: %v\n", name, err)
				os.Exit(1)
			}
			fmt.Printf("round %d  %-10s %7.2f ms CPU per second idle\n", r+1, name, ms)
			results[name] = append(results[name], ms)
		}
	}
	base := median(results[names[0]])
	fmt.Println()
	fmt.Println("| build | CPU per idle second (median) | ratio to baseline |")
	fmt.Println("|---|---:|---:|")
	for _, n := range names {
		m := median(results[n])
		ratio := "—"
		if base > 0 {
			ratio = fmt.Sprintf("%.2f", m/base)
		}
		fmt.Printf("| %s | %.2f ms | %s |\n", n, m, ratio)
	}
}

// measure runs one idle server and returns its CPU milliseconds per second.
func measure(bin string, warmup, d time.Duration) (float64, error) {
	dir, err := os.MkdirTemp("", "saasplane-idle-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	addr, err := freeAddr()
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data", dir)
	cmd.Env = append(os.Environ(), "SAASPLANE_LOG_LEVEL=warn")
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	if err := waitReady(addr, 30*time.Second); err != nil {
		return 0, err
	}
	time.Sleep(warmup)
	t0, err := cpuTicks(cmd.Process.Pid)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	time.Sleep(d)
	t1, err := cpuTicks(cmd.Process.Pid)
	if err != nil {
		return 0, err
	}
	const ticksPerSecond = 100 // USER_HZ on Linux
	cpuMS := float64(t1-t0) * 1000 / ticksPerSecond
	return cpuMS / time.Since(start).Seconds(), nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitReady(addr string, within time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/readyz", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("not ready in " + within.String())
}

// cpuTicks returns utime+stime of a process, in clock ticks.
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: fields count from ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)  // field 14: utime
	st, err2 := strconv.ParseInt(f[12], 10, 64) // field 15: stime
	return u + st, errors.Join(err1, err2)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
