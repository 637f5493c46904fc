package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/saasplane/saasplane/internal/sigv1"
)

// runUsage runs the usage client commands.
func runUsage(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		return fmt.Errorf("%w: usage needs a subcommand: import", ErrUsage)
	}
	return usageImportCmd(ctx, args[1:], getenv, stdout, stderr)
}

// usageImport is one run of `saasplane usage import`.
type usageImport struct {
	file, progressPath string
	concurrency        int
	retries            int
	c                  *client
	sum                string // the file's SHA-256, hex
	rows               []usageRow
	done               map[int]bool // lines acknowledged by earlier runs

	sent, retried atomic.Int64
	stop          atomic.Bool
	mu            sync.Mutex
	failure       *rowError // the first row the server refused
}

// importSummary is what --json prints, and the table shows.
type importSummary struct {
	File        string     `json:"file"`
	SHA256      string     `json:"sha256"`
	Rows        int        `json:"rows"`
	Already     int        `json:"already_imported"`
	Sent        int64      `json:"sent"`
	Remaining   int        `json:"remaining"`
	Retries     int64      `json:"retries"`
	DryRun      bool       `json:"dry_run,omitempty"`
	Interrupted bool       `json:"interrupted,omitempty"`
	Errors      []rowError `json:"errors,omitempty"`
	Progress    string     `json:"progress_file,omitempty"`
	checked     bool       // the file passed its checks
}

func usageImportCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("usage import", stderr)
	server := fs.String("server", envOr(getenv, "SAASPLANE_SERVER", "http://127.0.0.1:8080"), "the saasplane server (env SAASPLANE_SERVER)")
	asJSON := fs.Bool("json", false, "print a JSON summary instead of a table, and no progress bar")
	dryRun := fs.Bool("dry-run", false, "check the file (and its tenants and meters on the server) and send nothing")
	concurrency := fs.Int("concurrency", 4, "how many updates are in flight at once (1 to 64)")
	retries := fs.Int("retries", 8, "how many times an update is retried after a network error, 429 or 5xx (0 to 100)")
	progressPath := fs.String("progress-file", "", "where the import records its progress (default FILE.progress)")
	bar := fs.String("progress-bar", "auto", "auto (on a terminal, without --json), always or never")
	pos, err := parseWithArgs(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 1 || pos[0] == "":
		return fmt.Errorf("%w: usage import needs exactly one CSV file", ErrUsage)
	case *concurrency < 1 || *concurrency > 64:
		return fmt.Errorf("%w: --concurrency must be from 1 to 64", ErrUsage)
	case *retries < 0 || *retries > 100:
		return fmt.Errorf("%w: --retries must be from 0 to 100", ErrUsage)
	case *bar != "auto" && *bar != "always" && *bar != "never":
		return fmt.Errorf("%w: --progress-bar must be auto, always or never", ErrUsage)
	}
	c, err := newClient(*server, getenv)
	if err != nil {
		return err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = *concurrency
	c.http = &http.Client{Timeout: 30 * time.Second, Transport: tr}
	imp := &usageImport{file: pos[0], progressPath: *progressPath, concurrency: *concurrency, retries: *retries, c: c}
	if imp.progressPath == "" {
		imp.progressPath = imp.file + ".progress"
	}
	showBar := *bar == "always" || (*bar == "auto" && !*asJSON && isTerminal(stdout) && isTerminal(stderr))
	sum, err := imp.run(ctx, *dryRun, showBar, stderr)
	if *asJSON {
		b, jerr := json.Marshal(sum)
		if jerr != nil {
			return jerr
		}
		fmt.Fprintf(stdout, "%s\n", b)
	} else if sum.checked {
		printImportSummary(stdout, sum)
	}
	return err
}

// run checks the file, then sends what earlier runs did not.
func (imp *usageImport) run(ctx context.Context, dryRun, showBar bool, stderr io.Writer) (importSummary, error) {
	sum := importSummary{File: imp.file, DryRun: dryRun}
	data, err := os.ReadFile(imp.file)
	if err != nil {
		return sum, err
	}
	h := sha256.Sum256(data)
	imp.sum = hex.EncodeToString(h[:])
	sum.SHA256 = imp.sum
	rows, problems := parseUsageCSV(data, imp.c.now())
	sum.Rows = len(rows)
	for _, p := range problems {
		if p.Line > 1 {
			sum.Rows++ // a bad row
		}
	}
	if len(problems) == 0 {
		if problems, err = imp.checkServer(ctx, rows); err != nil {
			return sum, err
		}
	}
	if len(problems) > 0 {
		sortRowErrors(problems)
		sum.Errors = problems
		reportRowErrors(stderr, imp.file, problems)
		return sum, fmt.Errorf("%s: %d bad row(s); nothing was sent", imp.file, len(problems))
	}
	imp.rows = rows
	if imp.done, err = loadProgress(imp.progressPath, imp.sum, len(rows)); err != nil {
		return sum, err
	}
	sum.checked = true
	for _, r := range rows {
		if imp.done[r.line] {
			sum.Already++
		}
	}
	sum.Remaining = len(rows) - sum.Already
	if sum.Already > 0 {
		sum.Progress = imp.progressPath
	}
	if dryRun || sum.Remaining == 0 {
		return sum, nil
	}
	sum.Progress = imp.progressPath
	p, err := openProgress(imp.progressPath, imp.sum, len(rows))
	if err != nil {
		return sum, err
	}
	err = imp.send(ctx, p, sum.Already, showBar, stderr)
	if cerr := p.Close(); err == nil {
		err = cerr
	}
	sum.Sent, sum.Retries = imp.sent.Load(), imp.retried.Load()
	sum.Remaining -= int(sum.Sent)
	if imp.failure != nil {
		sum.Errors = []rowError{*imp.failure}
	}
	if ctx.Err() != nil {
		sum.Interrupted = true
		return sum, fmt.Errorf("interrupted after %d of %d rows: run the same command again to continue (%s keeps the progress)", len(rows)-sum.Remaining, len(rows), imp.progressPath)
	}
	return sum, err
}

// checkServer reports the rows whose tenant or meter the SaaS does not
// have (deleted tenants included), before anything is sent.
func (imp *usageImport) checkServer(ctx context.Context, rows []usageRow) ([]rowError, error) {
	var tenants struct {
		Tenants []struct{ ID string } `json:"tenants"`
	}
	var meters struct {
		Units []struct {
			Name string `json:"unit_name"`
		} `json:"units"`
	}
	if err := imp.c.do(ctx, "GET", "/v1/auth/tenants", nil, &tenants); err != nil {
		return nil, err
	}
	if err := imp.c.do(ctx, "GET", "/v1/pricing/metering/units", nil, &meters); err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, t := range tenants.Tenants {
		known["t\x00"+t.ID] = true
	}
	for _, m := range meters.Units {
		known["m\x00"+m.Name] = true
	}
	var problems []rowError
	for _, r := range rows {
		var p []string
		if !known["t\x00"+r.tenantID] {
			p = append(p, fmt.Sprintf("tenant_id: the SaaS has no tenant %q", r.tenantID))
		}
		if !known["m\x00"+r.meter] {
			p = append(p, fmt.Sprintf("metering_unit_name: the SaaS has no meter %q", r.meter))
		}
		if len(p) > 0 {
			problems = append(problems, rowError{r.line, strings.Join(p, "; ")})
		}
	}
	return problems, nil
}

// maxReported is how many bad rows are written to stderr.
const maxReported = 50

func reportRowErrors(w io.Writer, file string, es []rowError) {
	for i, e := range es {
		if i == maxReported {
			fmt.Fprintf(w, "%s: and %d more bad rows\n", file, len(es)-i)
			break
		}
		fmt.Fprintf(w, "%s:%d: %s\n", file, e.Line, e.Message)
	}
}

// send sends the rows not yet acknowledged with imp.concurrency workers.
// The rows of one entry (tenant, meter, second) go to one worker, in file
// order, so the entry ends as if the file were applied row by row; other
// entries go in parallel. A refusal by the server stops the import after
// the updates in flight.
func (imp *usageImport) send(ctx context.Context, p *progressFile, already int, showBar bool, stderr io.Writer) error {
	var groups [][]usageRow
	index := map[string]int{}
	for _, r := range imp.rows {
		if imp.done[r.line] {
			continue
		}
		k := r.entry()
		i, ok := index[k]
		if !ok {
			i = len(groups)
			index[k] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], r)
	}
	var bar *progressbar.ProgressBar
	if showBar {
		bar = progressbar.NewOptions(len(imp.rows), progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription(filepath.Base(imp.file)),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("rows"),
			progressbar.OptionSetPredictTime(true), progressbar.OptionSetElapsedTime(true), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
		_ = bar.Set(already)
	}
	work := make(chan []usageRow)
	var wg sync.WaitGroup
	for range imp.concurrency {
		wg.Go(func() {
			for g := range work {
				for _, r := range g {
					if imp.stop.Load() || ctx.Err() != nil {
						break
					}
					if err := imp.sendRow(ctx, r); err != nil {
						if ctx.Err() == nil {
							imp.fail(rowError{r.line, err.Error()})
						}
						break
					}
					imp.sent.Add(1)
					p.Done(r.line)
					if bar != nil {
						_ = bar.Add(1)
					}
				}
			}
		})
	}
feed:
	for _, g := range groups {
		select {
		case work <- g:
		case <-ctx.Done():
			break feed
		}
		if imp.stop.Load() {
			break
		}
	}
	close(work)
	wg.Wait()
	if bar != nil && imp.failure == nil && ctx.Err() == nil {
		_ = bar.Finish()
	} else if bar != nil {
		fmt.Fprintln(stderr)
	}
	if f := imp.failure; f != nil {
		return fmt.Errorf("%s:%d: %s; %d rows were imported before it (see %s): fix the cause and run the same command again to continue",
			imp.file, f.Line, f.Message, already+int(imp.sent.Load()), imp.progressPath)
	}
	return nil
}

// fail records the first refusal and stops the import.
func (imp *usageImport) fail(e rowError) {
	imp.mu.Lock()
	defer imp.mu.Unlock()
	if imp.failure == nil {
		imp.failure = &e
	}
	imp.stop.Store(true)
}

// idempotencyKey names a row of this content of the file: the same file
// imported again sends the same keys, which the server answers from its
// record (48 hours) without counting again. At most 255 characters: this
// is 17 + 64 + 1 + at most 19.
func (imp *usageImport) idempotencyKey(r usageRow) string {
	return "saasplane-import:" + imp.sum + ":" + strconv.Itoa(r.line)
}

// retryable is an answer worth sending the same update again for.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500
}

// sendRow sends one update, retrying network errors, 429 and 5xx with
// exponential backoff and jitter (and the server's Retry-After).
func (imp *usageImport) sendRow(ctx context.Context, r usageRow) error {
	path := "/v1/pricing/metering/tenants/" + url.PathEscape(r.tenantID) + "/units/" + url.PathEscape(r.meter) +
		"/timestamp/" + strconv.FormatInt(r.timestamp, 10)
	body, _ := json.Marshal(struct {
		Method string `json:"method"`
		Count  int64  `json:"count"`
	}{r.method, r.count})
	key := imp.idempotencyKey(r)
	for attempt := 0; ; attempt++ {
		status, wait, err := imp.put(ctx, path, body, key)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if status != 0 && !retryable(status) || attempt >= imp.retries {
			return err
		}
		imp.retried.Add(1)
		backoff := min(100*time.Millisecond<<attempt, 5*time.Second)
		backoff = backoff/2 + rand.N(backoff/2+1)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(max(backoff, wait)):
		}
	}
}

// put sends one signed PUT with its Idempotency-Key and returns the
// status (0 when no answer came), the server's Retry-After and, unless it
// is 2xx, an error carrying the server's message.
func (imp *usageImport) put(ctx context.Context, path string, body []byte, key string) (int, time.Duration, error) {
	c := imp.c
	req, err := http.NewRequestWithContext(ctx, "PUT", c.base.String()+path, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	sig := sigv1.Sign([]byte(c.secret), c.now(), c.apiKey, "PUT", sigv1.Target(req.Host, req.URL.RequestURI()), body)
	req.Header.Set("Authorization", sigv1.Header{Sig: sig, SaaSID: c.saasID, APIKey: c.apiKey}.Format())
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, 0, err
	}
	if resp.StatusCode/100 == 2 {
		return resp.StatusCode, 0, nil
	}
	var wait time.Duration
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		wait = min(time.Duration(s)*time.Second, time.Minute)
	}
	var e struct{ Type, Message string }
	if json.Unmarshal(b, &e) == nil && e.Message != "" {
		return resp.StatusCode, wait, fmt.Errorf("PUT %s: %d %s: %s", path, resp.StatusCode, e.Type, e.Message)
	}
	return resp.StatusCode, wait, fmt.Errorf("PUT %s: HTTP %d", path, resp.StatusCode)
}

func printImportSummary(w io.Writer, s importSummary) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	switch {
	case s.Rows == 0:
		fmt.Fprintf(tw, "%s has no rows; nothing was sent.\n", s.File)
	case s.DryRun:
		fmt.Fprintf(tw, "%s: %d rows are valid; nothing was sent (--dry-run).\n", s.File, s.Rows)
	case s.Sent == 0 && s.Remaining == 0:
		fmt.Fprintf(tw, "%s: all %d rows were imported already; nothing was sent.\n", s.File, s.Rows)
	case s.Remaining == 0:
		fmt.Fprintf(tw, "Imported %s.\n", s.File)
	}
	fmt.Fprintln(tw, "ROWS\tALREADY IMPORTED\tSENT\tREMAINING\tRETRIES")
	fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\n", s.Rows, s.Already, s.Sent, s.Remaining, s.Retries)
	_ = tw.Flush()
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
