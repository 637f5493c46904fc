// Package app is saasplane's composition root: it parses the command line,
// opens the store, builds the services and the HTTP server by hand, in one
// readable order, and runs the chosen subcommand.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/store"
)

const usage = `saasplane: a self-hosted SaaS control plane speaking the SaaSus Platform API.

Usage:
  saasplane serve   [--addr HOST:PORT] [--data DIR | --database-url URL] [flags]
  saasplane migrate [--data DIR | --database-url URL]
  saasplane saas create --name NAME [--data DIR | --database-url URL]
  saasplane saas list [--data DIR | --database-url URL]
  saasplane saas set-timezone --saas-id ID --time-zone ZONE [--data DIR | --database-url URL]
  saasplane keys create|list|revoke --saas-id ID [--api-key KEY] [--data DIR | --database-url URL]
  saasplane aws customers|usage-reports|report-usage [--server URL] [--json]
  saasplane aws template
  saasplane invoices preview|finalize --tenant ID --period YYYY-MM|YYYY [--server URL] [--json]
  saasplane invoices list [--tenant ID] [--period P] [--limit N] [--before NUMBER] [--server URL] [--json]
  saasplane invoices show ID [--html FILE|-] [--server URL] [--json]
  saasplane invoices run --period YYYY-MM|YYYY [--server URL] [--json]
  saasplane catalog export [--server URL] > catalog.yaml
  saasplane catalog apply -f catalog.yaml [--prune] [--dry-run] [--server URL] [--json]
  saasplane tenants list|show ID|create|update ID|delete ID|plan ID PLAN [--server URL] [--json]
  saasplane usage import FILE.csv [--dry-run] [--concurrency N] [--server URL] [--json]
  saasplane jobs list [--state S,...] [--kind K,...] [--limit N] [--json] [--data DIR | --database-url URL]
  saasplane jobs retry [--json] [--data DIR | --database-url URL] ID...
  saasplane mail list [--saas ID] [--limit N] [--json] [--data DIR | --database-url URL]

The jobs commands read and change the background jobs of the servers that
share the database (see docs/architecture.md). The aws, invoices, catalog, tenants and usage commands talk to a running server (--server, env SAASPLANE_SERVER)
as the SaaS of SAASUS_SAAS_ID, SAASUS_API_KEY and SAASUS_SECRET_KEY. The catalog file's format is in docs/catalog-file.md.
The usage file's format is in docs/cli-usage-import.md.

Run 'saasplane COMMAND -h' for the flags of a command.
`

// Run runs the command line args (without the program name). It returns
// when the command is done or, for serve, when ctx is cancelled.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: no command given", ErrUsage)
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args[1:], getenv, stdout, stderr)
	case "saas":
		return runSaaS(ctx, args[1:], getenv, stdout, stderr)
	case "keys":
		return runKeys(ctx, args[1:], getenv, stdout, stderr)
	case "aws":
		return runAWS(ctx, args[1:], getenv, stdout, stderr)
	case "invoices":
		return runInvoices(ctx, args[1:], getenv, stdout, stderr)
	case "catalog":
		return runCatalog(ctx, args[1:], getenv, stdout, stderr)
	case "tenants":
		return runTenants(ctx, args[1:], getenv, stdout, stderr)
	case "usage":
		return runUsage(ctx, args[1:], getenv, stdout, stderr)
	case "jobs":
		return runJobs(ctx, args[1:], getenv, stdout, stderr)
	case "mail":
		return runMail(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: unknown command %q", ErrUsage, args[0])
	}
}

// ErrUsage marks a wrong command line; ErrHelp a request for help (-h),
// already answered by the flag package.
var (
	ErrUsage = errors.New("usage error")
	ErrHelp  = errors.New("help requested")
)

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ErrHelp
		}
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %s", ErrUsage, strings.Join(fs.Args(), " "))
	}
	return nil
}

// openStore opens PostgreSQL when a URL is given, else SQLite in dataDir.
// SQLite is always migrated: it is embedded and owned by this process.
// PostgreSQL is migrated only when migrate is true.
func openStore(ctx context.Context, sf storeFlags, migrate bool, log *slog.Logger) (*store.DB, error) {
	if sf.databaseURL != "" {
		db, err := store.OpenPostgres(ctx, sf.databaseURL)
		if err != nil {
			return nil, err
		}
		if migrate {
			if err := applyMigrations(ctx, db, log); err != nil {
				db.Close()
				return nil, err
			}
			return db, nil
		}
		n, err := db.Pending(ctx)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("check schema version: %w", err)
		}
		if n > 0 {
			db.Close()
			return nil, fmt.Errorf("the PostgreSQL schema has %d pending migration(s): run 'saasplane migrate --database-url ...' or start with --auto-migrate", n)
		}
		return db, nil
	}
	db, err := store.OpenSQLite(sf.dataDir)
	if err != nil {
		return nil, err
	}
	if err := applyMigrations(ctx, db, log); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func applyMigrations(ctx context.Context, db *store.DB, log *slog.Logger) error {
	n, err := db.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", db, err)
	}
	if n > 0 {
		log.Info("applied migrations", "count", n, "database", db.String())
	}
	return nil
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	l, err := parseLevel(level)
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: l}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

// newID is the production id generator: random UUIDs.
func newID() string { return uuid.NewString() }

// newLogID gives API log entries time-ordered UUIDs (version 7): entries
// are written in time order, so their primary-key index grows at its end
// instead of at random pages, which cuts the log's disk writes.
func newLogID() string { return uuid.Must(uuid.NewV7()).String() }
