package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/saasplane/saasplane/internal/api/mailapi"
	"github.com/saasplane/saasplane/internal/mail"
	"github.com/saasplane/saasplane/internal/mail/smtpmail"
	"github.com/saasplane/saasplane/internal/store"
)

// newMailService is the outbox over db, sending through the SMTP server
// of smtpURL, or keeping every message stored when it is "".
func newMailService(db *store.DB, smtpURL string, now func() time.Time) (*mail.Service, error) {
	var sender mail.Sender // a nil interface, not a nil *smtpmail.Sender
	if smtpURL != "" {
		s, err := smtpmail.New(smtpURL)
		if err != nil {
			return nil, fmt.Errorf("smtp-url: %w", err)
		}
		sender = s
	}
	return mail.NewService(db.Mail(), sender, now), nil
}

// defaultMailFrom is the sender of a SaaS's mail until it sets its own
// (basic-info): no-reply at the public URL's host, when that is a domain
// name, else at localhost.
func defaultMailFrom(publicURL string) string {
	host := "localhost"
	if u, err := url.Parse(publicURL); err == nil && strings.Contains(u.Hostname(), ".") && net.ParseIP(u.Hostname()) == nil {
		host = u.Hostname()
	}
	return "no-reply@" + host
}

// runMail lists the mail sent (or kept) for the SaaSes' users, from the
// database that the servers share: with no SMTP server, this is how a
// developer reads a temporary password or a code.
func runMail(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "list" {
		return fmt.Errorf("%w: mail needs the subcommand list", ErrUsage)
	}
	var sf storeFlags
	fs := newFlagSet("mail list", stderr)
	sf.register(fs, getenv)
	saasID := fs.String("saas", "", "only this SaaS's mail (default: every SaaS's)")
	limit := fs.Int("limit", 20, "at most this many messages, newest first")
	asJSON := fs.Bool("json", false, "print JSON, with each message's text, instead of a table")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *limit < 1 || *limit > mail.MaxList {
		return fmt.Errorf("%w: --limit must be from 1 to %d", ErrUsage, mail.MaxList)
	}
	log, _ := newLogger(stderr, "warn", "text")
	db, err := openStore(ctx, sf, true, log)
	if err != nil {
		return err
	}
	defer db.Close()
	ms, err := mail.NewService(db.Mail(), nil, time.Now).List(ctx, *saasID, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]any, len(ms))
		for i, m := range ms {
			out[i] = mailapi.ToResp(m)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"messages": out})
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CREATED\tSTATUS\tTO\tSUBJECT\tID")
	for _, m := range ms {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.CreatedAt.UTC().Format(time.DateTime), m.Status, m.To, m.Subject, m.ID)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, m := range ms {
		fmt.Fprintf(stdout, "\n--- %s to %s: %s\n%s\n", m.ID, m.To, m.Subject, m.Text)
	}
	return nil
}
