package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// runCatalog runs the catalog client commands: export writes the SaaS's
// pricing catalog as a catalog file (docs/catalog-file.md), apply makes
// the server's catalog what a file says.
func runCatalog(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: catalog needs a subcommand: export or apply", ErrUsage)
	}
	switch args[0] {
	case "export":
		return catalogExport(ctx, args[1:], getenv, stdout, stderr)
	case "apply":
		return catalogApply(ctx, args[1:], getenv, stdout, stderr)
	default:
		return fmt.Errorf("%w: unknown catalog subcommand %q: export or apply", ErrUsage, args[0])
	}
}

// catalogExport writes the server's catalog to stdout as a catalog file,
// in the server's creation order: the same catalog always gives the same
// bytes, and applying them changes nothing.
func catalogExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("catalog export", stderr)
	server := fs.String("server", envOr(getenv, "SAASPLANE_SERVER", "http://127.0.0.1:8080"), "the saasplane server (env SAASPLANE_SERVER)")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := newClient(*server, getenv)
	if err != nil {
		return err
	}
	cat, err := fetchCatalog(ctx, c)
	if err != nil {
		return err
	}
	if ps := serverDuplicates(cat); len(ps) > 0 {
		msgs := make([]string, len(ps))
		for i, p := range ps {
			msgs[i] = p.Msg
		}
		return fmt.Errorf("the server's catalog cannot be written as a catalog file:\n  %s", strings.Join(msgs, "\n  "))
	}
	var b bytes.Buffer // nothing is written unless all of it can be
	if err := writeCatalogFile(&b, cat); err != nil {
		return err
	}
	_, err = stdout.Write(b.Bytes())
	return err
}

// catalogApply makes the server's catalog what a file says: it reads the
// file and the server's catalog, prints the plan of changes, and makes
// them one by one (unless --dry-run), stopping at the first the server
// refuses.
func catalogApply(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("catalog apply", stderr)
	server := fs.String("server", envOr(getenv, "SAASPLANE_SERVER", "http://127.0.0.1:8080"), "the saasplane server (env SAASPLANE_SERVER)")
	var file string
	fs.StringVar(&file, "f", "", "the catalog file to apply (required)")
	fs.StringVar(&file, "file", "", "same as -f")
	prune := fs.Bool("prune", false, "also delete the plans, menus, units and meters the file does not name (tax rates cannot be deleted)")
	dryRun := fs.Bool("dry-run", false, "only print the plan of changes; change nothing")
	asJSON := fs.Bool("json", false, "print the plan and its results as JSON instead of a table")
	if err := parse(fs, args); err != nil {
		return err
	}
	if file == "" {
		return fmt.Errorf("%w: catalog apply needs -f FILE", ErrUsage)
	}
	c, err := newClient(*server, getenv)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read catalog file: %w", err)
	}
	// A file with problems is still checked against the server (reads
	// only), so that one run reports all of them.
	want, src, perr := parseCatalogFile(file, data)
	var fe *fileError
	if perr != nil && !errors.As(perr, &fe) {
		return perr
	}
	have, err := fetchCatalog(ctx, c)
	if err != nil {
		if perr != nil {
			return perr
		}
		return err
	}
	plan, ps := planCatalog(have, want, *prune)
	if fe != nil {
		fe.problems = append(fe.problems, ps...)
		return fe
	}
	if err := src.problemsError(ps); err != nil {
		return err
	}
	out := applyOutput{w: stdout, json: *asJSON, plan: &plan, dryRun: *dryRun, prune: *prune}
	if err := out.printPlan(); err != nil {
		return err
	}
	if *dryRun || plan.writes() == 0 {
		return out.finish(nil)
	}
	ids := newCatalogIDs(have)
	done := 0
	for i := range plan.Changes {
		ch := &plan.Changes[i]
		if !ch.writes() {
			continue
		}
		if err := applyChange(ctx, c, *ch, want, ids); err != nil {
			ch.Status, ch.Error = "failed", err.Error()
			out.progress(*ch)
			return out.finish(fmt.Errorf("catalog apply stopped after %d of %d changes: %s %s %q: %w", done, plan.writes(), ch.Action, ch.Kind, ch.Name, err))
		}
		ch.Status = "applied"
		done++
		out.progress(*ch)
	}
	return out.finish(nil)
}

// applyOutput prints what apply plans and does: for people, the plan as
// a table, then one line per change made; with --json, one JSON document
// at the end, whatever happened.
type applyOutput struct {
	w              io.Writer
	json           bool
	plan           *catalogPlan
	dryRun, prune  bool
	printedHeading bool
}

// printPlan sets every change's status and, for people, prints the plan.
func (o *applyOutput) printPlan() error {
	for i := range o.plan.Changes {
		ch := &o.plan.Changes[i]
		switch {
		case !ch.writes():
			ch.Status = ch.Action
			if ch.Action == actionKeep {
				ch.Status = "kept"
			}
		case o.dryRun:
			ch.Status = "planned"
		default:
			ch.Status = "pending"
		}
	}
	if o.json {
		return nil
	}
	shown := 0
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 4, 2, ' ', 0)
	for _, ch := range o.plan.Changes {
		if ch.Action == actionUnchanged {
			continue
		}
		if shown == 0 {
			fmt.Fprintln(tw, "ACTION\tKIND\tNAME\tCHANGES")
		}
		shown++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ch.Action, ch.Kind, ch.Name, describeChange(ch))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, l := range strings.SplitAfter(table.String(), "\n") {
		if l != "" {
			fmt.Fprintln(o.w, strings.TrimRight(l, " \n"))
		}
	}
	if shown > 0 {
		fmt.Fprintln(o.w)
	}
	_, err := fmt.Fprintln(o.w, o.summary())
	return err
}

// summary is the plan's one-line count.
func (o *applyOutput) summary() string {
	p := o.plan
	rest := fmt.Sprintf("%d unchanged", p.count(actionUnchanged))
	if k := p.count(actionKeep); k > 0 {
		rest += fmt.Sprintf(", %d kept", k)
	}
	if p.writes() == 0 {
		return "No changes (" + rest + ")."
	}
	s := fmt.Sprintf("Plan: %d to create, %d to update, %d to delete; %s.",
		p.count(actionCreate), p.count(actionUpdate), p.count(actionDelete), rest)
	if o.dryRun {
		s += "\nDry run: nothing was changed."
	}
	return s
}

// progress tells people a change was made, or failed.
func (o *applyOutput) progress(ch change) {
	if o.json {
		return
	}
	if !o.printedHeading {
		fmt.Fprintln(o.w)
		o.printedHeading = true
	}
	if ch.Status == "failed" {
		fmt.Fprintf(o.w, "failed   %s %s %q\n", ch.Action, ch.Kind, ch.Name)
		return
	}
	fmt.Fprintf(o.w, "applied  %s %s %q\n", ch.Action, ch.Kind, ch.Name)
}

// finish ends the output: the JSON document, or the closing line. err is
// the apply's failure, if any, returned after the output.
func (o *applyOutput) finish(err error) error {
	applied := 0
	for _, ch := range o.plan.Changes {
		if ch.Status == "applied" {
			applied++
		}
	}
	if o.json {
		changes := o.plan.Changes
		if changes == nil {
			changes = []change{}
		}
		doc := struct {
			DryRun  bool           `json:"dry_run"`
			Prune   bool           `json:"prune"`
			Changes []change       `json:"changes"`
			Summary map[string]int `json:"summary"`
			Applied int            `json:"applied"`
		}{o.dryRun, o.prune, changes, map[string]int{
			actionCreate: o.plan.count(actionCreate), actionUpdate: o.plan.count(actionUpdate), actionDelete: o.plan.count(actionDelete),
			actionUnchanged: o.plan.count(actionUnchanged), actionKeep: o.plan.count(actionKeep)}, applied}
		b, jerr := json.MarshalIndent(doc, "", "  ")
		if jerr != nil {
			return jerr
		}
		if _, werr := fmt.Fprintf(o.w, "%s\n", b); werr != nil {
			return werr
		}
		return err
	}
	if applied > 0 {
		fmt.Fprintf(o.w, "\nApplied %d of %d changes.\n", applied, o.plan.writes())
	}
	return err
}

// maxShown bounds a value in the table's CHANGES column; --json has them
// whole.
const maxShown = 40

// describeChange is the CHANGES cell of a change: an update's fields,
// "field: from → to", or a keep's note.
func describeChange(ch change) string {
	if ch.Note != "" {
		return ch.Note
	}
	parts := make([]string, len(ch.Fields))
	for i, f := range ch.Fields {
		parts[i] = f.Field + ": " + shorten(f.From) + " → " + shorten(f.To)
	}
	return strings.Join(parts, "; ")
}

func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxShown {
		return s
	}
	r := []rune(s)
	return string(r[:maxShown-1]) + "…"
}
