package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// counter is one (tenant, meter) pair updated by the load.
type counter struct {
	tenant, meter string
}

type bench struct {
	a        *api
	o        options
	srv      *server // nil for --server
	counters []counter
	meters   []string
}

type result struct {
	backend   string
	o         options
	updates   *phaseResult
	baseline  *phaseResult
	acked     int // every 200 to an update, warm-up included
	ambiguous int // updates without an answer
	stored    int64
	period    int64 // -1: not checked
	verified  bool
	verifyMsg string
	apilog    map[string]float64 // after the update phase
	apilogEnd map[string]float64 // after the baseline
}

// newBench creates the meters and tenants through the signed API.
func newBench(ctx context.Context, a *api, o options, srv *server) (*bench, error) {
	b := &bench{a: a, o: o, srv: srv}
	run := randomHex(3)
	for i := 0; i < o.meters; i++ {
		name := fmt.Sprintf("bench_%s_%d", run, i)
		in := map[string]string{"unit_name": name, "display_name": "bench meter " + strconv.Itoa(i), "description": "load test"}
		if err := a.call(ctx, "POST", "/v1/pricing/metering/units", in, 201, nil); err != nil {
			return nil, fmt.Errorf("create meter: %w", err)
		}
		b.meters = append(b.meters, name)
	}
	var tenants []string
	for i := 0; i < o.tenants; i++ {
		in := map[string]any{"name": fmt.Sprintf("bench tenant %s %d", run, i), "attributes": map[string]any{}, "back_office_staff_email": "bench@example.com"}
		var out struct {
			ID string `json:"id"`
		}
		if err := a.call(ctx, "POST", "/v1/auth/tenants", in, 201, &out); err != nil {
			return nil, fmt.Errorf("create tenant: %w", err)
		}
		if out.ID == "" {
			return nil, fmt.Errorf("create tenant: no id in the answer")
		}
		tenants = append(tenants, out.ID)
	}
	for _, t := range tenants {
		for _, m := range b.meters {
			b.counters = append(b.counters, counter{t, m})
		}
	}
	if o.sameCounter {
		b.counters = b.counters[:1]
	}
	return b, nil
}

func countPath(c counter, suffix string) string {
	return "/v1/pricing/metering/tenants/" + url.PathEscape(c.tenant) + "/units/" + url.PathEscape(c.meter) + "/" + suffix
}

type monthCount struct {
	Month string `json:"month"`
	Count int64  `json:"count"`
}

// counts reads every counter's count in month (this month when empty).
func (b *bench) counts(ctx context.Context, month string) (map[counter]monthCount, error) {
	out := map[counter]monthCount{}
	for _, c := range b.counters {
		suffix := "thismonth"
		if month != "" {
			suffix = "month/" + month
		}
		var mc monthCount
		if err := b.a.call(ctx, "GET", countPath(c, suffix), nil, 200, &mc); err != nil {
			return nil, err
		}
		out[c] = mc
	}
	return out, nil
}

func (b *bench) signal(sig syscall.Signal) {
	if b.srv != nil && b.srv.profiled {
		_ = b.srv.signal(sig)
		time.Sleep(100 * time.Millisecond) // let the profiler start or flush
	}
}

// measure runs a warm-up then a measured phase, with CPU accounting.
func (b *bench) measure(ctx context.Context, name string, templates []template, pick func(c, i int) int) (warm, meas *phaseResult) {
	fmt.Fprintf(os.Stderr, "%s: %d clients, warm-up %s, measuring %s ...\n", name, b.o.clients, b.o.warmup, b.o.duration)
	warm = runPhase(ctx, b.a, b.o.clients, templates, pick, time.Now().Add(b.o.warmup), false)
	b.signal(syscall.SIGUSR1)
	var srvCPU0 time.Duration = -1
	if b.srv != nil {
		if v, err := cpuTime(b.srv.cmd.Process.Pid); err == nil {
			srvCPU0 = v
		}
	}
	com0 := scrapeMetrics(ctx, b.a.base, committerMetrics...)
	cli0 := selfCPU()
	meas = runPhase(ctx, b.a, b.o.clients, templates, pick, time.Now().Add(b.o.duration), true)
	meas.name = name
	meas.clientCPU = selfCPU() - cli0
	if com1 := scrapeMetrics(ctx, b.a.base, committerMetrics...); len(com1) == len(committerMetrics) && len(com0) == len(com1) {
		meas.committer = map[string]float64{}
		for k, v := range com1 {
			meas.committer[k] = v - com0[k]
		}
	}
	meas.serverCPU = -1
	if srvCPU0 >= 0 {
		if v, err := cpuTime(b.srv.cmd.Process.Pid); err == nil {
			meas.serverCPU = v - srvCPU0
		}
	}
	b.signal(syscall.SIGUSR2)
	return warm, meas
}

// committerMetrics are the metering committer's counters on /metrics.
var committerMetrics = []string{
	"saasplane_metering_batches_total", "saasplane_metering_updates_total", "saasplane_metering_commit_seconds_total",
}

// drainAPILog waits (bounded) until the API log recorder has written what
// the last phase queued, so that it does not weigh on the next phase.
func (b *bench) drainAPILog(ctx context.Context) {
	for i := 0; i < 150 && ctx.Err() == nil; i++ {
		m := scrapeMetrics(ctx, b.a.base, "saasplane_apilog_queue_length")
		if q, ok := m["saasplane_apilog_queue_length"]; !ok || q == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // the batch in flight
}

func (b *bench) run(ctx context.Context) (*result, error) {
	r := &result{o: b.o, period: -1}
	before, err := b.counts(ctx, "")
	if err != nil {
		return nil, err
	}
	loadStart := time.Now()

	body := []byte(`{"method":"add","count":1}`)
	var ups []template
	for _, c := range b.counters {
		t := b.a.template("PUT", countPath(c, "now"), body)
		t.okPrefix = []byte(`{"metering_unit_name":"` + c.meter + `","timestamp":`)
		ups = append(ups, t)
	}
	n := len(ups)
	warm, meas := b.measure(ctx, "updates", ups, func(c, i int) int { return (c + i) % n })
	r.updates = meas
	r.acked = warm.ok + meas.ok
	r.ambiguous = warm.ambiguous + meas.ambiguous
	loadEnd := time.Now()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	// Verify before the baseline, while nothing else writes.
	if err := b.verify(ctx, r, before, loadStart, loadEnd); err != nil {
		return r, err
	}
	r.apilog = scrapeMetrics(ctx, b.a.base, "saasplane_apilog_recorded_total", "saasplane_apilog_dropped_total")

	if b.o.baseline {
		b.drainAPILog(ctx)
		t := b.a.template("GET", "/v1/pricing/metering/units", nil)
		t.okPrefix = []byte(`{"units":[`)
		_, r.baseline = b.measure(ctx, "baseline", []template{t}, func(c, i int) int { return 0 })
		if ctx.Err() != nil {
			return r, ctx.Err()
		}
		b.drainAPILog(ctx)
		r.apilogEnd = scrapeMetrics(ctx, b.a.base, "saasplane_apilog_recorded_total", "saasplane_apilog_dropped_total")
	}
	if !r.verified {
		return r, fmt.Errorf("VERIFICATION FAILED: %s", r.verifyMsg)
	}
	return r, nil
}

// verify reads the counts back: their growth must be exactly the number of
// acknowledged updates (within the unanswered ones, if any).
func (b *bench) verify(ctx context.Context, r *result, before map[counter]monthCount, start, end time.Time) error {
	after, err := b.counts(ctx, "")
	if err != nil {
		return err
	}
	for _, c := range b.counters {
		got := after[c].Count
		if m0 := before[c].Month; after[c].Month != m0 {
			// The month changed during the run: add what went to the old one.
			old, err := b.counts(ctx, m0)
			if err != nil {
				return err
			}
			got += old[c].Count
		}
		r.stored += got - before[c].Count
	}
	low, high := int64(r.acked), int64(r.acked+r.ambiguous)
	r.verified = r.stored >= low && r.stored <= high
	if r.ambiguous == 0 {
		r.verifyMsg = fmt.Sprintf("stored %d, acknowledged %d", r.stored, r.acked)
	} else {
		r.verifyMsg = fmt.Sprintf("stored %d, acknowledged %d, unanswered %d", r.stored, r.acked, r.ambiguous)
	}
	// The entries themselves (date-period), when the server is ours and so
	// nobody else wrote to these counters.
	if b.srv != nil {
		var sum int64
		for _, c := range b.counters {
			q := fmt.Sprintf("date-period?start_timestamp=%d&end_timestamp=%d", start.Unix()-2, end.Unix()+2)
			var p struct {
				Counts []struct {
					Count int64 `json:"count"`
				} `json:"counts"`
			}
			if err := b.a.call(ctx, "GET", countPath(c, q), nil, 200, &p); err != nil {
				return err
			}
			for _, e := range p.Counts {
				sum += e.Count
			}
		}
		r.period = sum
		if sum != r.stored {
			r.verified = false
			r.verifyMsg += fmt.Sprintf("; but the entries (date-period) add up to %d", sum)
		}
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

func (r *result) print(w io.Writer, o options) {
	counters := fmt.Sprintf("%d tenants × %d meters", o.tenants, o.meters)
	if o.sameCounter {
		counters = "1 counter"
	}
	fmt.Fprintf(w, "\nbackend %s, %d clients, %s, GOMAXPROCS %d, %d CPUs\n", r.backend, o.clients, counters, runtime.GOMAXPROCS(0), runtime.NumCPU())
	for _, p := range []*phaseResult{r.updates, r.baseline} {
		if p == nil {
			continue
		}
		fmt.Fprintf(w, "%-9s %9.0f req/s  ok %d of %d in %.2fs  p50 %s  p99 %s  p999 %s  max %s  errors: %s\n",
			p.name, p.rate(), p.ok, p.requests, p.elapsed.Seconds(), ms(p.pct(.5)), ms(p.pct(.99)), ms(p.pct(.999)),
			ms(p.pct(1)), p.errorSummary())
		if p.ok > 0 {
			line := fmt.Sprintf("          CPU per request: client %.0f µs", float64(p.clientCPU.Microseconds())/float64(p.requests))
			if p.serverCPU >= 0 {
				line += fmt.Sprintf(", server %.0f µs (server busy %.2f of %d cores)", float64(p.serverCPU.Microseconds())/float64(p.requests),
					p.serverCPU.Seconds()/p.elapsed.Seconds(), runtime.NumCPU())
			}
			fmt.Fprintln(w, line)
		}
		if c := p.committer; c != nil && c["saasplane_metering_batches_total"] > 0 {
			n := c["saasplane_metering_batches_total"]
			fmt.Fprintf(w, "          committer: %.0f transactions/s of %.1f updates, %.2f ms each (writer busy %.0f %%)\n",
				n/p.elapsed.Seconds(), c["saasplane_metering_updates_total"]/n,
				1000*c["saasplane_metering_commit_seconds_total"]/n, 100*c["saasplane_metering_commit_seconds_total"]/p.elapsed.Seconds())
		}
	}
	ratio := 0.0
	if r.baseline != nil && r.baseline.rate() > 0 {
		ratio = r.updates.rate() / r.baseline.rate()
		fmt.Fprintf(w, "ratio updates/s ÷ baseline req/s: %.2f\n", ratio)
	}
	const rec, drop = "saasplane_apilog_recorded_total", "saasplane_apilog_dropped_total"
	if r.apilog != nil {
		line := fmt.Sprintf("api log: recorded %.0f, dropped %.0f by the end of the update phase", r.apilog[rec], r.apilog[drop])
		if r.apilogEnd != nil {
			line += fmt.Sprintf("; recorded %.0f, dropped %.0f during the baseline", r.apilogEnd[rec]-r.apilog[rec], r.apilogEnd[drop]-r.apilog[drop])
		}
		fmt.Fprintln(w, line)
	}
	status := "OK"
	if !r.verified {
		status = "FAILED"
	}
	period := ""
	if r.period >= 0 {
		period = fmt.Sprintf(", entries (date-period) %d", r.period)
	}
	fmt.Fprintf(w, "verification %s: %s%s\n", status, r.verifyMsg, period)
	if !o.markdown || r.updates == nil {
		return
	}
	label := o.label
	if label == "" {
		label = r.backend
	}
	u := r.updates
	row := []string{label, strconv.Itoa(o.clients), counters,
		fmt.Sprintf("**%s**", thousands(u.rate())), f1(u.pct(.5)), f1(u.pct(.99)), f1(u.pct(.999))}
	if bl := r.baseline; bl != nil {
		row = append(row, thousands(bl.rate()), f1(bl.pct(.5)), f1(bl.pct(.99)), fmt.Sprintf("**%.2f**", ratio))
	} else {
		row = append(row, "–", "–", "–", "–")
	}
	errsCol := "0"
	if n := u.requests - u.ok; n > 0 {
		errsCol = strconv.Itoa(n)
	}
	check := "exact"
	if !r.verified {
		check = "**FAILED**"
	} else if r.ambiguous > 0 {
		check = "within unanswered"
	}
	row = append(row, errsCol, check)
	fmt.Fprintln(w, "\n| backend | clients | counters | updates/s | p50 ms | p99 ms | p999 ms | baseline req/s | base p50 ms | base p99 ms | ratio | errors | counts |")
	fmt.Fprintln(w, "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	fmt.Fprintln(w, "| "+strings.Join(row, " | ")+" |")
}

func f1(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/1e6) }

func thousands(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String()
}
