package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/saasplane/saasplane/internal/api/billingapi"
)

// runPoll is how often `invoices run` asks the server how far the run got.
const runPoll = 200 * time.Millisecond

// invoicesRunCmd is `saasplane invoices run --period P`: every tenant's
// invoice for a period that has ended, finalized by the server.
func invoicesRunCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := newInvoiceCmd("run", getenv, stderr)
	period := cmd.fs.String("period", "", "the billing period: YYYY-MM, or YYYY for the tenants on yearly plans")
	if err := parse(cmd.fs, args); err != nil {
		return err
	}
	if *period == "" {
		return fmt.Errorf("%w: invoices run needs --period", ErrUsage)
	}
	c, err := newClient(*cmd.server, getenv)
	if err != nil {
		return err
	}
	return invoicesRun(ctx, c, *period, *cmd.asJSON, stdout, stderr)
}

// invoicesRun starts the period's invoice run on the server (or joins the
// one under way), follows it to its end with a progress bar on stderr, and
// prints its outcome: a table, or with asJSON the run's JSON. A run that
// could not invoice some tenants is an error, after the table that lists
// them.
func invoicesRun(ctx context.Context, c *client, period string, asJSON bool, stdout, stderr io.Writer) error {
	body, _ := json.Marshal(map[string]string{"period": period})
	var run billingapi.Run
	if err := c.do(ctx, "POST", "/v1/billing/invoice-runs", body, &run); err != nil {
		return err
	}
	var bar *progressbar.ProgressBar
	if !asJSON {
		bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("invoices "+run.Period),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionSetElapsedTime(true),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
	}
	for run.Status != "done" {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(runPoll):
		}
		if err := c.do(ctx, "GET", "/v1/billing/invoice-runs/"+run.RunID, nil, &run); err != nil {
			return err
		}
		if bar != nil && run.Status != "queued" {
			if bar.GetMax() != run.Tenants {
				bar.ChangeMax(run.Tenants)
			}
			_ = bar.Set(run.Done)
		}
	}
	if bar != nil {
		_ = bar.Finish()
	}
	if asJSON {
		b, err := json.Marshal(run)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(stdout, "%s\n", b); err != nil {
			return err
		}
	} else if err := printRun(stdout, run); err != nil {
		return err
	}
	if run.Failed > 0 {
		return fmt.Errorf("invoice run %s of %s: %d of %d tenants could not be invoiced (run the period again once fixed)", run.RunID, run.Period, run.Failed, run.Tenants)
	}
	return nil
}

// printRun prints a run's outcome for people.
func printRun(w io.Writer, run billingapi.Run) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tPERIOD\tTENANTS\tFINALIZED\tEXISTING\tSKIPPED\tFAILED")
	fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\n", run.RunID, run.Period, run.Tenants, run.Finalized, run.Existing, run.Skipped, run.Failed)
	if len(run.Failures) > 0 {
		fmt.Fprintln(tw, "\nFAILED TENANT\tTYPE\tMESSAGE")
		for _, f := range run.Failures {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", f.TenantID, f.Type, f.Message)
		}
	}
	return tw.Flush()
}
