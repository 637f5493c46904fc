package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"

	"github.com/saasplane/saasplane/internal/billing"
)

// runInvoices runs the invoice client commands over /v1/billing of a
// running server.
func runInvoices(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: invoices needs a subcommand: preview, finalize, list, show or run", ErrUsage)
	}
	switch args[0] {
	case "preview":
		return invoicesPreview(ctx, args[1:], getenv, stdout, stderr)
	case "finalize":
		return invoicesFinalize(ctx, args[1:], getenv, stdout, stderr)
	case "list":
		return invoicesList(ctx, args[1:], getenv, stdout, stderr)
	case "show":
		return invoicesShow(ctx, args[1:], getenv, stdout, stderr)
	case "run":
		return invoicesRunCmd(ctx, args[1:], getenv, stdout, stderr)
	default:
		return fmt.Errorf("%w: unknown invoices subcommand %q: preview, finalize, list, show or run", ErrUsage, args[0])
	}
}

// invoiceCmd holds the flags every invoices subcommand has.
type invoiceCmd struct {
	fs     *flag.FlagSet
	server *string
	asJSON *bool
}

func newInvoiceCmd(name string, getenv func(string) string, stderr io.Writer) invoiceCmd {
	fs := newFlagSet("invoices "+name, stderr)
	return invoiceCmd{fs: fs,
		server: fs.String("server", envOr(getenv, "SAASPLANE_SERVER", "http://127.0.0.1:8080"), "the saasplane server (env SAASPLANE_SERVER)"),
		asJSON: fs.Bool("json", false, "print the server's JSON instead of tables")}
}

// tenantPeriod adds the --tenant and --period flags.
func (cmd invoiceCmd) tenantPeriod() (tenant, period *string) {
	return cmd.fs.String("tenant", "", "the tenant's id"), cmd.fs.String("period", "", "the billing period: YYYY-MM, or YYYY for a tenant on a yearly plan")
}

// print prints the server's invoice: as is with --json, else as tables.
func (cmd invoiceCmd) print(w io.Writer, raw json.RawMessage) error {
	if *cmd.asJSON {
		_, err := fmt.Fprintf(w, "%s\n", raw)
		return err
	}
	var inv wireInvoice
	if err := json.Unmarshal(raw, &inv); err != nil {
		return fmt.Errorf("read invoice: %w", err)
	}
	return printInvoice(w, inv)
}

// requireTenantPeriod refuses a command line without --tenant or --period.
func requireTenantPeriod(cmd, tenant, period string) error {
	if tenant == "" || period == "" {
		return fmt.Errorf("%w: invoices %s needs --tenant and --period", ErrUsage, cmd)
	}
	return nil
}

// invoicesPreview prints what a tenant's invoice for a period would be now.
func invoicesPreview(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := newInvoiceCmd("preview", getenv, stderr)
	tenant, period := cmd.tenantPeriod()
	if err := parse(cmd.fs, args); err != nil {
		return err
	}
	if err := requireTenantPeriod("preview", *tenant, *period); err != nil {
		return err
	}
	c, err := newClient(*cmd.server, getenv)
	if err != nil {
		return err
	}
	var raw json.RawMessage
	q := url.Values{"tenant_id": {*tenant}, "period": {*period}}
	if err := c.do(ctx, "GET", "/v1/billing/invoices/preview?"+q.Encode(), nil, &raw); err != nil {
		return err
	}
	return cmd.print(stdout, raw)
}

// invoicesFinalize finalizes a tenant's invoice for an ended period and
// says whether it was finalized now or already had been.
func invoicesFinalize(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := newInvoiceCmd("finalize", getenv, stderr)
	tenant, period := cmd.tenantPeriod()
	if err := parse(cmd.fs, args); err != nil {
		return err
	}
	if err := requireTenantPeriod("finalize", *tenant, *period); err != nil {
		return err
	}
	c, err := newClient(*cmd.server, getenv)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]string{"tenant_id": *tenant, "period": *period})
	var raw json.RawMessage
	status, err := c.doStatus(ctx, "POST", "/v1/billing/invoices", body, &raw)
	if err != nil {
		return err
	}
	note := stdout // with --json, stdout holds only the server's JSON
	if *cmd.asJSON {
		note = stderr
	}
	if err := printFinalized(note, status, raw); err != nil {
		return err
	}
	return cmd.print(stdout, raw)
}

// printFinalized says whether finalizing created the invoice (201) or
// found the one the period already had (200).
func printFinalized(w io.Writer, status int, raw json.RawMessage) error {
	var inv wireInvoice
	if err := json.Unmarshal(raw, &inv); err != nil {
		return fmt.Errorf("read invoice: %w", err)
	}
	what := fmt.Sprintf("invoice #%d of tenant %s for %s", inv.Number, inv.TenantID, inv.Period)
	var err error
	if status == http.StatusCreated {
		_, err = fmt.Fprintf(w, "Finalized %s now (%d Created).\n\n", what, status)
	} else {
		_, err = fmt.Fprintf(w, "The period already had %s (%d OK); it is unchanged.\n\n", what, status)
	}
	return err
}

// invoicesList prints finalized invoices, newest first.
func invoicesList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := newInvoiceCmd("list", getenv, stderr)
	tenant := cmd.fs.String("tenant", "", "only this tenant's invoices")
	period := cmd.fs.String("period", "", "only this period's invoices (YYYY-MM or YYYY)")
	limit := cmd.fs.Int("limit", 100, "at most this many invoices (1 to 1000)")
	before := cmd.fs.Int64("before", 0, "only invoices numbered below this (the next page)")
	if err := parse(cmd.fs, args); err != nil {
		return err
	}
	if *limit < 1 || *limit > billing.MaxList {
		return fmt.Errorf("%w: --limit must be from 1 to %d", ErrUsage, billing.MaxList)
	}
	if *before < 0 {
		return fmt.Errorf("%w: --before must be an invoice number", ErrUsage)
	}
	c, err := newClient(*cmd.server, getenv)
	if err != nil {
		return err
	}
	var raw json.RawMessage
	if err := c.do(ctx, "GET", "/v1/billing/invoices?"+listQuery(*tenant, *period, *limit, *before).Encode(), nil, &raw); err != nil {
		return err
	}
	if *cmd.asJSON {
		_, err := fmt.Fprintf(stdout, "%s\n", raw)
		return err
	}
	var page wireInvoices
	if err := json.Unmarshal(raw, &page); err != nil {
		return fmt.Errorf("read invoices: %w", err)
	}
	if err := printInvoiceList(stdout, page.Invoices); err != nil {
		return err
	}
	if page.NextBefore > 0 {
		fmt.Fprintf(stderr, "There may be more: add --before %d for the next page.\n", page.NextBefore)
	}
	return nil
}

// listQuery is the query of GET /v1/billing/invoices.
func listQuery(tenant, period string, limit int, before int64) url.Values {
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if tenant != "" {
		q.Set("tenant_id", tenant)
	}
	if period != "" {
		q.Set("period", period)
	}
	if before > 0 {
		q.Set("before", strconv.FormatInt(before, 10))
	}
	return q
}

// invoicesShow prints one finalized invoice, or writes it as a printable
// HTML page with --html FILE (--html - writes the page to stdout).
func invoicesShow(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := newInvoiceCmd("show", getenv, stderr)
	htmlFile := cmd.fs.String("html", "", "write the invoice as a printable HTML page to this file (- for stdout)")
	ids, err := parseWithArgs(cmd.fs, args)
	if err != nil {
		return err
	}
	if len(ids) != 1 || ids[0] == "" {
		return fmt.Errorf("%w: invoices show needs exactly one invoice id", ErrUsage)
	}
	if *htmlFile != "" && *cmd.asJSON {
		return fmt.Errorf("%w: invoices show takes --html or --json, not both", ErrUsage)
	}
	c, err := newClient(*cmd.server, getenv)
	if err != nil {
		return err
	}
	var raw json.RawMessage
	if err := c.do(ctx, "GET", "/v1/billing/invoices/"+url.PathEscape(ids[0]), nil, &raw); err != nil {
		return err
	}
	if *htmlFile == "" {
		return cmd.print(stdout, raw)
	}
	return writeInvoicePage(*htmlFile, c.saasID, raw, stdout, stderr)
}

// writeInvoicePage renders the invoice page into file ("-": stdout) and
// says where it went.
func writeInvoicePage(file, issuer string, raw json.RawMessage, stdout, stderr io.Writer) error {
	var inv wireInvoice
	if err := json.Unmarshal(raw, &inv); err != nil {
		return fmt.Errorf("read invoice: %w", err)
	}
	var page bytes.Buffer
	if err := renderInvoicePage(&page, issuer, inv.Invoice); err != nil {
		return fmt.Errorf("render invoice page: %w", err)
	}
	if file == "-" {
		_, err := stdout.Write(page.Bytes())
		return err
	}
	if err := os.WriteFile(file, page.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write invoice page: %w", err)
	}
	fmt.Fprintf(stderr, "Wrote invoice %s to %s.\n", invoiceTitle(inv.Invoice), file)
	return nil
}

// parseWithArgs parses flags that may come before, between or after the
// positional arguments, and returns those.
func parseWithArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, ErrHelp
			}
			return nil, fmt.Errorf("%w: %v", ErrUsage, err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
}
