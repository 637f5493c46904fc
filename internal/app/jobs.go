package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/saasplane/saasplane/internal/jobs"
)

// runJobs lists and retries background jobs, in the database that the
// servers share (safe while they run).
func runJobs(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: jobs needs a subcommand: list or retry", ErrUsage)
	}
	var sf storeFlags
	fs := newFlagSet("jobs "+args[0], stderr)
	sf.register(fs, getenv)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	var states, kinds string
	var limit int
	switch args[0] {
	case "list":
		fs.StringVar(&states, "state", "", "only jobs in these states, comma-separated: "+strings.Join(jobs.States, ", "))
		fs.StringVar(&kinds, "kind", "", "only jobs of these kinds, comma-separated")
		fs.IntVar(&limit, "limit", 100, "at most this many jobs, newest first")
	case "retry":
	default:
		return fmt.Errorf("%w: unknown jobs subcommand %q (want list or retry)", ErrUsage, args[0])
	}
	var ids []string // retry's positional arguments, between flags or after them
	if args[0] == "retry" {
		rest := args[1:]
		for {
			if err := fs.Parse(rest); err != nil {
				return parse(fs, rest) // the same usage or help error
			}
			if fs.NArg() == 0 {
				break
			}
			ids, rest = append(ids, fs.Arg(0)), fs.Args()[1:]
		}
	} else if err := parse(fs, args[1:]); err != nil {
		return err
	}
	log, _ := newLogger(stderr, "warn", "text")
	db, err := openStore(ctx, sf, true, log)
	if err != nil {
		return err
	}
	defer db.Close()
	admin, err := jobs.NewAdmin(db.JobDriver())
	if err != nil {
		return err
	}

	if args[0] == "retry" {
		if len(ids) == 0 {
			return fmt.Errorf("%w: jobs retry needs the ids of the jobs to retry", ErrUsage)
		}
		var out []jobs.Job
		for _, a := range ids {
			id, err := strconv.ParseInt(a, 10, 64)
			if err != nil || id <= 0 {
				return fmt.Errorf("%w: %q is not a job id", ErrUsage, a)
			}
			j, err := admin.Retry(ctx, id)
			if errors.Is(err, jobs.ErrNoJob) {
				return fmt.Errorf("%w: %v", ErrUsage, err)
			}
			if err != nil {
				return err
			}
			out = append(out, j)
		}
		return printJobs(stdout, out, *asJSON)
	}
	if limit < 1 || limit > 10000 {
		return fmt.Errorf("%w: --limit must be from 1 to 10000", ErrUsage)
	}
	js, err := admin.List(ctx, jobs.ListFilter{States: splitList(states), Kinds: splitList(kinds), Limit: limit})
	if err != nil {
		if strings.Contains(err.Error(), "unknown job state") {
			return fmt.Errorf("%w: %v", ErrUsage, err)
		}
		return err
	}
	return printJobs(stdout, js, *asJSON)
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func printJobs(w io.Writer, js []jobs.Job, asJSON bool) error {
	if asJSON {
		if js == nil {
			js = []jobs.Job{}
		}
		return printJSON(w, js)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tSTATE\tATTEMPT\tSCHEDULED\tLAST ERROR")
	for _, j := range js {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d/%d\t%s\t%s\n", j.ID, j.Kind, j.State, j.Attempt, j.MaxAttempts,
			j.ScheduledAt.Format(time.RFC3339), oneLine(j.LastError, 80))
	}
	return tw.Flush()
}

// oneLine shortens s to one line of at most n characters.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
