package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// phaseResult is what one load phase measured.
type phaseResult struct {
	name      string
	requests  int           // completed in the measured window (any outcome)
	ok        int           // answered 200 with the expected body
	elapsed   time.Duration // first request sent .. last answer received
	latencies []int64       // ns, of every completed request, sorted
	errors    map[string]int
	// ambiguous counts requests whose outcome is unknown (no answer): an
	// update may or may not have been applied.
	ambiguous int
	serverCPU time.Duration // -1: unknown (external server)
	clientCPU time.Duration
	// committer is the growth of the metering committer's counters over
	// the measured window (empty when /metrics did not answer).
	committer map[string]float64
}

func (r *phaseResult) rate() float64 { return float64(r.ok) / r.elapsed.Seconds() }

// pct returns the q-quantile (0..1) of the latencies, nearest rank.
func (r *phaseResult) pct(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(q*float64(len(r.latencies))+0.999999) - 1
	i = max(0, min(i, len(r.latencies)-1))
	return time.Duration(r.latencies[i])
}

func (r *phaseResult) errorSummary() string {
	if len(r.errors) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(r.errors))
	for k := range r.errors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %d", k, r.errors[k]))
	}
	return strings.Join(parts, "; ")
}

// clientStats is one client goroutine's tally, merged after the phase.
type clientStats struct {
	requests, ok, ambiguous int
	latencies               []int64
	errors                  map[string]int
	last                    time.Time
}

// runPhase runs clients goroutines sending templates round-robin until
// deadline; a request started before the deadline is always waited for.
// record=false is a warm-up: only acknowledged updates are counted.
func runPhase(ctx context.Context, a *api, clients int, templates []template, pick func(client, i int) int, deadline time.Time, record bool) *phaseResult {
	stats := make([]clientStats, clients)
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Go(func() {
			st := &stats[c]
			st.errors = map[string]int{}
			if record {
				st.latencies = make([]int64, 0, 8192)
			}
			s := newSigner(a.creds)
			buf := make([]byte, 0, 512)
			for i := 0; ctx.Err() == nil; i++ {
				t0 := time.Now()
				if !t0.Before(deadline) {
					break
				}
				t := &templates[pick(c, i)]
				status, body, err := a.send(ctx, s, t, buf)
				t1 := time.Now()
				buf = body[:0]
				st.requests++
				st.last = t1
				if record {
					st.latencies = append(st.latencies, int64(t1.Sub(t0)))
				}
				switch {
				case err != nil:
					st.ambiguous++
					st.errors[errorClass(err)]++
				case status != 200:
					st.errors["HTTP "+strconv.Itoa(status)]++
				case t.okPrefix != nil && !bytes.HasPrefix(body, t.okPrefix):
					st.errors["unexpected 200 body"]++
				default:
					st.ok++
				}
			}
		})
	}
	wg.Wait()
	r := &phaseResult{errors: map[string]int{}}
	last := start
	n := 0
	for i := range stats {
		n += len(stats[i].latencies)
	}
	r.latencies = make([]int64, 0, n)
	for i := range stats {
		st := &stats[i]
		r.requests += st.requests
		r.ok += st.ok
		r.ambiguous += st.ambiguous
		r.latencies = append(r.latencies, st.latencies...)
		for k, v := range st.errors {
			r.errors[k] += v
		}
		if st.last.After(last) {
			last = st.last
		}
	}
	slices.Sort(r.latencies)
	r.elapsed = last.Sub(start)
	return r
}

// errorClass names a transport error briefly, without addresses.
func errorClass(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return "transport: " + s
}
