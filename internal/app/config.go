package app

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/apilog"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/jobs"
	"github.com/saasplane/saasplane/internal/mail/smtpmail"
	"github.com/saasplane/saasplane/internal/saas"
)

// Config is everything `serve` needs. Every field has a flag and an
// environment variable; the flag wins when both are set.
type Config struct {
	Addr        string // SAASPLANE_ADDR
	DataDir     string // SAASPLANE_DATA: SQLite in this directory
	DatabaseURL string // SAASPLANE_DATABASE_URL: PostgreSQL instead of SQLite
	AutoMigrate bool   // SAASPLANE_AUTO_MIGRATE: migrate PostgreSQL on start
	PublicURL   string // SAASPLANE_PUBLIC_URL: base of absolute URLs handed out
	LogLevel    string // SAASPLANE_LOG_LEVEL: debug, info, warn, error
	LogFormat   string // SAASPLANE_LOG_FORMAT: text or json
	MaxBody     int64  // --max-body-bytes (no environment variable)
	AccessLog   bool   // SAASPLANE_ACCESS_LOG

	SchedulerInterval time.Duration // how often due plan reservations are applied

	// BillingGrace (--billing-grace, SAASPLANE_BILLING_GRACE) is how long
	// after a period ends its invoices are finalized, for late usage;
	// BillingCloseInterval how often ended periods are looked for.
	BillingGrace         time.Duration
	BillingCloseInterval time.Duration

	// Jobs tunes this node's background job engine (--job-* flags).
	Jobs jobs.Config

	// The API log: APILog (SAASPLANE_APILOG) records every authenticated
	// /v1 request, kept for APILogRetention (SAASPLANE_APILOG_RETENTION).
	APILog          bool
	APILogRetention time.Duration
	APILogQueue     int // entries waiting to be written; more are dropped
	APILogMaxBody   int // bytes kept of each request and response body

	// Identity is how long what the user pools hand out lives
	// (--id-token-lifetime and the like).
	Identity identity.Lifetimes

	// SMTPURL (SAASPLANE_SMTP_URL) is where mail to the SaaSes' users
	// goes; "" keeps every message stored and readable only.
	SMTPURL string

	// TrustedProxies (--trusted-proxies, SAASPLANE_TRUSTED_PROXIES): the
	// reverse proxies whose X-Forwarded-For saasplane believes, as IP
	// addresses and CIDR prefixes separated by commas.
	TrustedProxies string

	// Bootstrap credentials (SAASUS_SAAS_ID, SAASUS_API_KEY,
	// SAASUS_SECRET_KEY): when set, that SaaS exists with exactly these.
	Bootstrap saas.Credentials
}

// Default returns the zero-config defaults.
func Default() Config {
	return Config{Addr: "127.0.0.1:8080", DataDir: "./data", LogLevel: "info", LogFormat: "text", MaxBody: 1 << 20, AccessLog: true,
		SchedulerInterval: time.Second, BillingGrace: time.Hour, BillingCloseInterval: time.Minute, Identity: identity.DefaultLifetimes(), APILog: true, APILogRetention: apilog.DefaultRetention,
		APILogQueue: apilog.DefaultQueueSize, APILogMaxBody: apilog.DefaultMaxBodyBytes,
		Jobs: jobs.Config{Workers: jobs.DefaultWorkers, PollInterval: jobs.DefaultPollInterval,
			JobTimeout: jobs.DefaultJobTimeout, RescueAfter: jobs.DefaultRescueAfter}}
}

// storeFlags are the flags shared by every command that opens the store.
type storeFlags struct {
	dataDir     string
	databaseURL string
}

func (s *storeFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	def := Default()
	fs.StringVar(&s.dataDir, "data", envOr(getenv, "SAASPLANE_DATA", def.DataDir), "directory of the embedded SQLite database (env SAASPLANE_DATA)")
	fs.StringVar(&s.databaseURL, "database-url", getenv("SAASPLANE_DATABASE_URL"), "PostgreSQL URL, postgres://...; replaces --data (env SAASPLANE_DATABASE_URL)")
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func envBool(getenv func(string) string, key string, def bool) bool {
	switch strings.ToLower(getenv(key)) {
	case "1", "true", "yes", "on":
		return true
	case "0", "false", "no", "off":
		return false
	}
	return def
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("addr: %q is not HOST:PORT", c.Addr))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, errors.New("database-url: must start with postgres:// or postgresql://"))
	}
	if c.DatabaseURL == "" && c.DataDir == "" {
		errs = append(errs, errors.New("data: must not be empty"))
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, fmt.Errorf("log-level: %w", err))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, errors.New("log-format: must be text or json"))
	}
	if c.SchedulerInterval < 10*time.Millisecond {
		errs = append(errs, errors.New("scheduler-interval: must be at least 10ms"))
	}
	if c.BillingGrace < 0 || c.BillingGrace > 31*24*time.Hour {
		errs = append(errs, errors.New("billing-grace: must be from 0 to 744h (31 days)"))
	}
	if c.BillingCloseInterval < time.Second {
		errs = append(errs, errors.New("billing-close-interval: must be at least 1s"))
	}
	if err := c.Jobs.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.APILogRetention < time.Hour {
		errs = append(errs, errors.New("apilog-retention: must be at least 1h (switch recording off with --apilog=false)"))
	}
	if c.APILogQueue < 1 || c.APILogQueue > 1_000_000 {
		errs = append(errs, errors.New("apilog-queue: must be from 1 to 1000000"))
	}
	if c.APILogMaxBody < 256 || c.APILogMaxBody > 1<<20 {
		errs = append(errs, errors.New("apilog-max-body-bytes: must be from 256 to 1048576"))
	}
	if c.SMTPURL != "" {
		if _, err := smtpmail.New(c.SMTPURL); err != nil {
			errs = append(errs, fmt.Errorf("smtp-url: %w", err))
		}
	}
	if _, err := httpx.ParseTrustedProxies(c.TrustedProxies); err != nil {
		errs = append(errs, fmt.Errorf("trusted-proxies: %w", err))
	}
	if err := c.Identity.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("identity: %w", err))
	}
	if c.MaxBody < 1024 {
		errs = append(errs, errors.New("max-body-bytes: must be at least 1024"))
	}
	b := c.Bootstrap
	set := 0
	for _, v := range []string{b.SaaSID, b.APIKey, b.SecretKey} {
		if v != "" {
			set++
		}
	}
	if set != 0 && set != 3 {
		errs = append(errs, errors.New("bootstrap: set all of SAASUS_SAAS_ID, SAASUS_API_KEY and SAASUS_SECRET_KEY, or none"))
	}
	return errors.Join(errs...)
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(s))
	return l, err
}

// envDuration returns the duration in the variable key, or def when it is
// unset; a malformed value is an error rather than silently the default.
func envDuration(getenv func(string) string, key string, def time.Duration) (time.Duration, error) {
	v := getenv(key)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a duration such as 720h", key, v)
	}
	return d, nil
}
