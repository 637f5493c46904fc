package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/saasplane/saasplane/internal/metering"
	"github.com/saasplane/saasplane/internal/saas"
)

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var sf storeFlags
	fs := newFlagSet("migrate", stderr)
	sf.register(fs, getenv)
	if err := parse(fs, args); err != nil {
		return err
	}
	log, _ := newLogger(stderr, "info", "text")
	db, err := openStore(ctx, sf, true, log)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "%s is up to date\n", db)
	return nil
}

// adminService opens the store (migrating it, so these commands work on a
// fresh store too) and returns the SaaS service over it.
func adminService(ctx context.Context, sf storeFlags, stderr io.Writer) (*saas.Service, func(), error) {
	log, _ := newLogger(stderr, "warn", "text")
	db, err := openStore(ctx, sf, true, log)
	if err != nil {
		return nil, nil, err
	}
	now := func() time.Time { return time.Now().UTC() }
	return saas.NewService(db, now, newID, log), func() { db.Close() }, nil
}

func printJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func runSaaS(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: saas needs a subcommand: create, list or set-timezone", ErrUsage)
	}
	var sf storeFlags
	fs := newFlagSet("saas "+args[0], stderr)
	sf.register(fs, getenv)
	switch args[0] {
	case "create":
		name := fs.String("name", "", "name of the new SaaS (required)")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *name == "" {
			return fmt.Errorf("%w: --name is required", ErrUsage)
		}
		svc, done, err := adminService(ctx, sf, stderr)
		if err != nil {
			return err
		}
		defer done()
		creds, err := svc.Create(ctx, *name)
		if err != nil {
			return err
		}
		return printJSON(stdout, creds)
	case "set-timezone":
		saasID := fs.String("saas-id", getenv("SAASUS_SAAS_ID"), "the SaaS (env SAASUS_SAAS_ID)")
		zone := fs.String("time-zone", "", "IANA time zone of its day and month buckets, e.g. Asia/Tokyo or UTC (required)")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *saasID == "" || *zone == "" {
			return fmt.Errorf("%w: --saas-id and --time-zone are required", ErrUsage)
		}
		log, _ := newLogger(stderr, "warn", "text")
		db, err := openStore(ctx, sf, true, log)
		if err != nil {
			return err
		}
		defer db.Close()
		if _, err := saas.NewService(db, time.Now, newID, log).ListKeys(ctx, *saasID); err != nil {
			return err // unknown SaaS
		}
		n, err := metering.NewService(db.Metering(), time.Now, log).SetTimeZone(ctx, *saasID, *zone)
		if err != nil {
			return err
		}
		return printJSON(stdout, map[string]any{"saas_id": *saasID, "time_zone": *zone, "rebuilt_days": n})
	case "list":
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		svc, done, err := adminService(ctx, sf, stderr)
		if err != nil {
			return err
		}
		defer done()
		all, err := svc.List(ctx)
		if err != nil {
			return err
		}
		type row struct {
			ID        string    `json:"saas_id"`
			Name      string    `json:"name"`
			CreatedAt time.Time `json:"created_at"`
		}
		out := make([]row, len(all))
		for i, s := range all {
			out[i] = row{s.ID, s.Name, s.CreatedAt}
		}
		return printJSON(stdout, out)
	default:
		return fmt.Errorf("%w: unknown saas subcommand %q", ErrUsage, args[0])
	}
}

func runKeys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: keys needs a subcommand: create, list or revoke", ErrUsage)
	}
	var sf storeFlags
	fs := newFlagSet("keys "+args[0], stderr)
	sf.register(fs, getenv)
	saasID := fs.String("saas-id", getenv("SAASUS_SAAS_ID"), "the SaaS whose keys to manage (env SAASUS_SAAS_ID)")
	var apiKey *string
	if args[0] == "revoke" {
		apiKey = fs.String("api-key", "", "the API key to revoke (required)")
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *saasID == "" {
		return fmt.Errorf("%w: --saas-id is required", ErrUsage)
	}
	svc, done, err := adminService(ctx, sf, stderr)
	if err != nil {
		return err
	}
	defer done()
	switch args[0] {
	case "create":
		creds, err := svc.CreateKey(ctx, *saasID)
		if err != nil {
			return err
		}
		return printJSON(stdout, creds)
	case "list":
		keys, err := svc.ListKeys(ctx, *saasID)
		if err != nil {
			return err
		}
		type row struct {
			APIKey    string     `json:"api_key"`
			CreatedAt time.Time  `json:"created_at"`
			RevokedAt *time.Time `json:"revoked_at,omitempty"`
		}
		out := make([]row, len(keys))
		for i, k := range keys {
			out[i] = row{k.APIKey, k.CreatedAt, k.RevokedAt}
		}
		return printJSON(stdout, out)
	case "revoke":
		if *apiKey == "" {
			return fmt.Errorf("%w: --api-key is required", ErrUsage)
		}
		if err := svc.RevokeKey(ctx, *saasID, *apiKey); err != nil {
			return err
		}
		return printJSON(stdout, map[string]string{"revoked": *apiKey})
	default:
		return fmt.Errorf("%w: unknown keys subcommand %q", ErrUsage, args[0])
	}
}
