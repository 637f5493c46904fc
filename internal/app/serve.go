package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/saasplane/saasplane/internal/idgen"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/saasplane/saasplane/internal/api"
	"github.com/saasplane/saasplane/internal/api/awsemuapi"
	"github.com/saasplane/saasplane/internal/api/azureapi"
	"github.com/saasplane/saasplane/internal/api/eventsapi"
	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/api/identityapi"
	"github.com/saasplane/saasplane/internal/apilog"
	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/azemu"
	"github.com/saasplane/saasplane/internal/billing"
	"github.com/saasplane/saasplane/internal/communication"
	"github.com/saasplane/saasplane/internal/events"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/integration"
	"github.com/saasplane/saasplane/internal/jobs"
	"github.com/saasplane/saasplane/internal/mail"
	"github.com/saasplane/saasplane/internal/marketplace/aws"
	"github.com/saasplane/saasplane/internal/marketplace/awsmp"
	"github.com/saasplane/saasplane/internal/marketplace/azure"
	"github.com/saasplane/saasplane/internal/metering"
	"github.com/saasplane/saasplane/internal/pricing"
	"github.com/saasplane/saasplane/internal/saas"
	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/tenant"
)

// gcPercent is the garbage collector's target for serve, unless GOGC is
// set: the live heap is small (tens of MB) and request handling allocates
// fast, so collecting at 5× the live heap instead of Go's 2× saves about 6 %
// of the server's CPU under metering load for a few tens of MB (see
// BENCHMARKS.md).
const gcPercent = 400

// shutdownGrace is how long in-flight requests get to finish on SIGTERM.
const shutdownGrace = 30 * time.Second

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := Default()
	var sf storeFlags
	fs := newFlagSet("serve", stderr)
	fs.StringVar(&cfg.Addr, "addr", envOr(getenv, "SAASPLANE_ADDR", cfg.Addr), "listen address HOST:PORT (env SAASPLANE_ADDR)")
	sf.register(fs, getenv)
	fs.BoolVar(&cfg.AutoMigrate, "auto-migrate", envBool(getenv, "SAASPLANE_AUTO_MIGRATE", false), "apply pending PostgreSQL migrations on start (env SAASPLANE_AUTO_MIGRATE); SQLite is always migrated")
	fs.StringVar(&cfg.PublicURL, "public-url", getenv("SAASPLANE_PUBLIC_URL"), "base of absolute URLs saasplane hands out (env SAASPLANE_PUBLIC_URL; default http://ADDR)")
	fs.StringVar(&cfg.LogLevel, "log-level", envOr(getenv, "SAASPLANE_LOG_LEVEL", cfg.LogLevel), "debug, info, warn or error (env SAASPLANE_LOG_LEVEL)")
	fs.StringVar(&cfg.LogFormat, "log-format", envOr(getenv, "SAASPLANE_LOG_FORMAT", cfg.LogFormat), "text or json (env SAASPLANE_LOG_FORMAT)")
	fs.Int64Var(&cfg.MaxBody, "max-body-bytes", cfg.MaxBody, "largest accepted request body")
	fs.DurationVar(&cfg.SchedulerInterval, "scheduler-interval", cfg.SchedulerInterval, "how often due plan reservations are looked for (reads apply them at once anyway)")
	fs.IntVar(&cfg.Jobs.Workers, "job-workers", cfg.Jobs.Workers, "background jobs this node works at once")
	fs.DurationVar(&cfg.Jobs.PollInterval, "job-poll-interval", cfg.Jobs.PollInterval, "how often this node looks for background jobs that became due")
	fs.DurationVar(&cfg.Jobs.JobTimeout, "job-timeout", cfg.Jobs.JobTimeout, "how long one background job may run before it is cancelled and retried")
	fs.DurationVar(&cfg.Jobs.RescueAfter, "job-rescue-after", cfg.Jobs.RescueAfter, "how long a job may stay running before it is taken for the work of a dead node and run again; more than --job-timeout")
	fs.DurationVar(&cfg.Identity.ID, "id-token-lifetime", cfg.Identity.ID, "how long users' ID tokens are valid, 5m to 24h")
	fs.DurationVar(&cfg.Identity.Access, "access-token-lifetime", cfg.Identity.Access, "how long users' access tokens are valid, 5m to 24h")
	fs.DurationVar(&cfg.Identity.Refresh, "refresh-token-lifetime", cfg.Identity.Refresh, "how long users' refresh tokens are valid, 1h to 3650 days, longer than the tokens they renew")
	fs.DurationVar(&cfg.Identity.TempCode, "temp-code-lifetime", cfg.Identity.TempCode, "how long a sign-in's single-use temporary code can be exchanged for tokens, 10s to 5m")
	fs.StringVar(&cfg.TrustedProxies, "trusted-proxies", getenv("SAASPLANE_TRUSTED_PROXIES"), "the reverse proxies in front of saasplane, as IP addresses and CIDR prefixes separated by commas: their X-Forwarded-For names the client that the hosted sign-in's per-address limit counts; empty trusts none (env SAASPLANE_TRUSTED_PROXIES)")
	fs.StringVar(&cfg.SMTPURL, "smtp-url", getenv("SAASPLANE_SMTP_URL"), "where mail to the SaaSes' users goes: smtp://host:port?tls=starttls, smtps://user:pass@host, or smtp://host for a local relay; empty keeps mail stored, readable with `saasplane mail list` (env SAASPLANE_SMTP_URL)")
	fs.BoolVar(&cfg.AccessLog, "access-log", envBool(getenv, "SAASPLANE_ACCESS_LOG", cfg.AccessLog), "log one line per request (env SAASPLANE_ACCESS_LOG)")
	retention, err := envDuration(getenv, "SAASPLANE_APILOG_RETENTION", cfg.APILogRetention)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	fs.BoolVar(&cfg.APILog, "apilog", envBool(getenv, "SAASPLANE_APILOG", cfg.APILog), "record every authenticated /v1 request in the API log (env SAASPLANE_APILOG)")
	fs.DurationVar(&cfg.APILogRetention, "apilog-retention", retention, "how long API log entries are kept, at least 1h (env SAASPLANE_APILOG_RETENTION)")
	billingGrace, err := envDuration(getenv, "SAASPLANE_BILLING_GRACE", cfg.BillingGrace)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	fs.DurationVar(&cfg.BillingGrace, "billing-grace", billingGrace, "how long after a billing period ends (in the SaaS's time zone) every tenant's invoice for it is finalized, so late usage still counts (env SAASPLANE_BILLING_GRACE)")
	fs.DurationVar(&cfg.BillingCloseInterval, "billing-close-interval", cfg.BillingCloseInterval, "how often ended billing periods are looked for")
	fs.IntVar(&cfg.APILogQueue, "apilog-queue", cfg.APILogQueue, "API log entries waiting to be written before new ones are dropped")
	fs.IntVar(&cfg.APILogMaxBody, "apilog-max-body-bytes", cfg.APILogMaxBody, "bytes of each request and response body kept in the API log")
	awsEndpoint := envOr(getenv, "SAASPLANE_AWS_ENDPOINT", "")
	fs.StringVar(&awsEndpoint, "aws-endpoint", awsEndpoint,
		`where saasplane's AWS Marketplace client calls: "" for AWS itself, "emulator" for this server's emulator, or the URL of a saasplane emulator (env SAASPLANE_AWS_ENDPOINT)`)
	templateURL := envOr(getenv, "SAASPLANE_AWS_TEMPLATE_URL", "")
	fs.StringVar(&templateURL, "aws-template-url", templateURL,
		"an https (Amazon S3) copy of the seller CloudFormation template ('saasplane aws template' prints it) for the launch link, which CloudFormation reads only from S3; default: the template saasplane serves (env SAASPLANE_AWS_TEMPLATE_URL)")
	usageInterval := 5 * time.Minute
	fs.DurationVar(&usageInterval, "aws-usage-interval", usageInterval, "how often closed hours of AWS-linked meters are reported to AWS Marketplace, and pending reports retried")
	azureEndpoint := envOr(getenv, "SAASPLANE_AZURE_ENDPOINT", "")
	fs.StringVar(&azureEndpoint, "azure-endpoint", azureEndpoint,
		`where saasplane's Azure Marketplace client calls: "" for Microsoft, "emulator" for this server's Fulfillment API and token issuer, or the URL of a saasplane server (env SAASPLANE_AZURE_ENDPOINT)`)
	azureReconcile, azureUsage := 15*time.Minute, 5*time.Minute
	fs.DurationVar(&azureReconcile, "azure-reconcile-interval", azureReconcile, "how often every Azure-linked subscription is reconciled with the marketplace (lost webhooks, outstanding operations)")
	fs.DurationVar(&azureUsage, "azure-usage-interval", azureUsage, "how often closed hours of Azure-linked meters are reported to the metering API, and pending reports retried")
	var emuCfg awsemuapi.Config // the AWS Marketplace emulator's base credentials
	fs.StringVar(&emuCfg.AccessKeyID, "aws-emulator-access-key-id", envOr(getenv, "SAASPLANE_AWS_EMULATOR_ACCESS_KEY_ID", awsemuapi.DefaultAccessKeyID),
		"access key id that signs calls to the AWS Marketplace emulator's STS (env SAASPLANE_AWS_EMULATOR_ACCESS_KEY_ID)")
	fs.StringVar(&emuCfg.SecretAccessKey, "aws-emulator-secret-access-key", envOr(getenv, "SAASPLANE_AWS_EMULATOR_SECRET_ACCESS_KEY", awsemuapi.DefaultSecretAccessKey),
		"its secret access key (env SAASPLANE_AWS_EMULATOR_SECRET_ACCESS_KEY)")
	eventBridgeEndpoint := envOr(getenv, "SAASPLANE_EVENTBRIDGE_ENDPOINT", "")
	fs.StringVar(&eventBridgeEndpoint, "eventbridge-endpoint", eventBridgeEndpoint,
		`where the SaaSes' EventBridge events go: "" as --aws-endpoint (AWS itself, or the same emulator), "aws" for AWS itself, "emulator" for this server's emulator, or the URL of a saasplane server (env SAASPLANE_EVENTBRIDGE_ENDPOINT)`)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg.DataDir, cfg.DatabaseURL = sf.dataDir, sf.databaseURL
	cfg.Bootstrap = saas.Credentials{SaaSID: getenv("SAASUS_SAAS_ID"), APIKey: getenv("SAASUS_API_KEY"), SecretKey: getenv("SAASUS_SECRET_KEY")}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	if _, set := os.LookupEnv("GOGC"); !set { // the runtime reads the real environment, not getenv
		debug.SetGCPercent(gcPercent)
	}
	log, err := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		return err
	}

	// Store, then services, then HTTP: read top to bottom.
	db, err := openStore(ctx, sf, cfg.AutoMigrate, log)
	if err != nil {
		return err
	}
	defer db.Close()
	now := func() time.Time { return time.Now().UTC() }
	saasSvc := saas.NewService(db, now, newID, log)
	if err := bootstrap(ctx, cfg, saasSvc, stdout, log); err != nil {
		return err
	}
	pricingSvc := pricing.NewService(db.Pricing(), newID, log)
	tenantSvc := tenant.NewService(db.Tenants(), now, newID, log)
	meteringSvc := metering.NewService(db.Metering(), now, log)
	awsEmulator := awsemu.NewService(db.AWSEmulator(), now, idgen.Crypto(), log)
	azureEmulator := azemu.NewService(db.AzureEmulator(), now, idgen.Crypto(), log)
	var recorder *apilog.Recorder // nil: --apilog=false, nothing is recorded
	if cfg.APILog {
		recorder = apilog.NewRecorder(db.APILog(), apilog.RecorderConfig{
			Retention: cfg.APILogRetention, QueueSize: cfg.APILogQueue, MaxBodyBytes: cfg.APILogMaxBody,
		}, now, newLogID, log)
	}
	apilogSvc := apilog.NewService(db.APILog(), now, log)

	reg := prometheus.NewRegistry()
	// Every name is prefixed saasplane_, the runtime's too
	// (saasplane_go_goroutines, saasplane_process_cpu_seconds_total...).
	prometheus.WrapRegistererWithPrefix("saasplane_", reg).MustRegister(collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// The database pools: saasplane_go_sql_open_connections{db_name} and
	// the rest of database/sql's statistics, per pool.
	for name, pool := range db.Pools() {
		prometheus.WrapRegistererWithPrefix("saasplane_", reg).MustRegister(collectors.NewDBStatsCollector(pool, name))
	}

	// Background work: every kind is a job of the one engine (see
	// internal/jobs and docs/architecture.md).
	jobMetrics := jobs.NewMetrics(db.JobReadPool(), db.JobDriver().DatabaseName(), log)
	reg.MustRegister(jobMetrics)
	// A serving node works its own queue and the emulators' (always
	// served), each with --job-workers workers.
	cfg.Jobs.Queues = []string{jobs.QueueDefault, jobs.QueueEmulators}
	engine, err := jobs.New(db.JobDriver(), cfg.Jobs, jobMetrics, log)
	if err != nil {
		return err
	}
	jobs.Handle(engine, func(ctx context.Context, _ jobs.ApplyReservations) error {
		_, err := tenantSvc.ApplyDue(ctx)
		return err
	})
	engine.Every(jobs.ApplyReservations{}, cfg.SchedulerInterval)
	jobs.Handle(engine, func(ctx context.Context, _ jobs.PurgeIdempotencyKeys) error {
		_, err := meteringSvc.PurgeExpired(ctx)
		return err
	})
	engine.Every(jobs.PurgeIdempotencyKeys{}, time.Hour)
	apilogPurger := apilog.NewPurger(db.APILog(), now, 0)
	jobs.Handle(engine, func(ctx context.Context, _ jobs.PurgeAPILog) error {
		_, err := apilogPurger.Purge(ctx)
		return err
	})
	engine.Every(jobs.PurgeAPILog{}, apilog.DefaultPurgeInterval)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close() // when Serve never ran; closing twice is harmless
	publicURL := strings.TrimRight(cfg.PublicURL, "/")
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String() // the real port, also with --addr :0
	}
	if u, err := url.Parse(templateURL); templateURL != "" && (err != nil || u.Scheme != "https" || u.Host == "") {
		return fmt.Errorf("%w: --aws-template-url %q is not an https URL", ErrUsage, templateURL)
	}
	awsClient, err := awsMarketplaceClient(ctx, awsEndpoint, selfURL(ln.Addr()), emuCfg)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	snsVerifier := awsSNSVerifier(awsEndpoint, selfURL(ln.Addr()))
	azureClient, err := azureMarketplaceClient(azureEndpoint, selfURL(ln.Addr()))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	identitySvc, err := identity.NewService(db.Identity(), identity.Config{
		Lifetimes: cfg.Identity, IssuerBase: publicURL + identityapi.Prefix, Now: now, Random: idgen.Crypto(), NewID: newID,
		MailFrom: defaultMailFrom(publicURL),
	})
	if err != nil {
		return err
	}
	mailSvc, err := newMailService(db, cfg.SMTPURL, now)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	jobs.Handle(engine, func(ctx context.Context, a mail.Deliver) error { return mailSvc.Deliver(ctx, a.MessageID) })
	jobs.Handle(engine, func(ctx context.Context, _ jobs.PurgeTempCodes) error {
		_, err := identitySvc.PurgeTempCodes(ctx)
		return err
	})
	engine.Every(jobs.PurgeTempCodes{}, time.Minute)
	jobs.Handle(engine, func(ctx context.Context, _ jobs.PurgeSignInFailures) error {
		_, err := identitySvc.PurgeSignInFailures(ctx)
		return err
	})
	engine.Every(jobs.PurgeSignInFailures{}, 5*time.Minute)
	awsMarketplaceSvc := aws.NewService(db.AWSMarketplace(), aws.Deps{
		IDs: idgen.Crypto(), Now: now, Log: log, AWS: awsmp.Port{C: awsClient}, Tenants: tenantSvc, Users: identitySvc, TemplateURL: templateURL,
	})
	azureMarketplaceSvc := azure.NewService(db.AzureMarketplace(), azure.Deps{
		Now: now, Log: log, Azure: azureClient, Tenants: tenantSvc,
	})
	billingSvc := billing.NewService(db.Billing(), now, newID, log)
	BillingJobs{Billing: billingSvc, Grace: cfg.BillingGrace, CloseEvery: cfg.BillingCloseInterval}.Register(engine)
	communicationSvc := communication.NewService(db.Communication(), identitySvc, now, newID, log)
	eventBridge, err := eventBridgeClient(ctx, eventBridgeEndpoint, awsEndpoint, selfURL(ln.Addr()), emuCfg)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	integrationSvc := integration.NewService(db.Integration(), eventBridge, now, log)
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "saasplane_scheduler_lag_seconds",
		Help: "How late the oldest due plan reservation is (0 when every due one is applied); the scheduler runs every --scheduler-interval.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		lag, err := tenantSvc.SchedulerLag(ctx)
		if err != nil {
			log.Warn("metrics: scheduler lag", "err", err)
			return math.NaN()
		}
		return lag.Seconds()
	}))
	eventsSvc := events.NewService(db.Events(), events.Config{Now: now, NewID: newID, Post: eventsapi.HTTPPoster{}, Bus: integrationSvc, Log: log})
	integrationSvc.OnChange(eventsSvc.ForgetTargets)
	deliveries := NewDeliveryCounter()
	reg.MustRegister(deliveries, newOutboxCollector(eventsSvc))
	EventJobs{Events: eventsSvc, SweepEvery: 30 * time.Second, Deliveries: deliveries}.Register(engine)
	proxies, err := httpx.ParseTrustedProxies(cfg.TrustedProxies) // checked by cfg.Validate
	if err != nil {
		return err
	}
	jobsAdmin, err := jobs.NewAdmin(db.JobDriver())
	if err != nil {
		return err
	}
	handler := api.NewHandler(api.Deps{
		Log: log, Now: now, Keys: saasSvc, Pricing: pricingSvc, Tenants: tenantSvc, Metering: meteringSvc, Registry: reg,
		APILog: recorder, APILogs: apilogSvc, AWSMarketplace: awsMarketplaceSvc, AzureMarketplace: azureMarketplaceSvc,
		AWSUsageRound: AWSRound(engine), AzureUsageRound: AzureRound(engine), SNSVerifier: snsVerifier,
		AWSEmulator: awsEmulator, AWSEmulatorConfig: emuCfg, AzureEmulator: azureEmulator, Identity: identitySvc, Mail: mailSvc,
		Billing: billingSvc, Communication: communicationSvc, Events: eventsSvc, Integration: integrationSvc,
		Jobs: SaaSJobs{Admin: jobsAdmin}, ConsoleSessions: db.ConsoleSessions(), MaxBody: cfg.MaxBody, AccessLog: cfg.AccessLog, PublicURL: publicURL, TrustedProxies: proxies,
		Ready: func(ctx context.Context) error { return ready(ctx, db) },
	})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("saasplane listening", "url", "http://"+ln.Addr().String(), "public_url", publicURL, "database", db.String())

	// Background work stops after the HTTP server, so in-flight requests
	// never race a stopping worker.
	// On every way out, workers are stopped and waited for before the
	// database closes (deferred calls run last-in, first-out).
	bg, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	var workers sync.WaitGroup
	defer workers.Wait()
	defer stopBackground()
	// The metering committer applies updates until the last request is
	// answered, then what is still queued.
	workers.Go(func() { meteringSvc.Run(bg) })
	// Marketplace usage reporting and saasplane's own Azure reconciliation.
	UsageJobs{AWS: awsMarketplaceSvc, Azure: azureMarketplaceSvc, AWSEvery: usageInterval, AzureEvery: azureUsage}.Register(engine)
	jobs.Handle(engine, func(ctx context.Context, _ jobs.ReconcileAzure) error {
		return azureMarketplaceSvc.ReconcileAllAzure(ctx)
	})
	engine.Every(jobs.ReconcileAzure{}, azureReconcile)
	// The emulators' SNS and webhook deliveries and Azure's due operations.
	EmulatorJobs{
		SNS:      awsemu.NewDeliverer(awsEmulator, awsemu.DeliveryConfig{PublicURL: publicURL, Post: awsemuapi.HTTPPoster{}}),
		Webhooks: azemu.NewDeliverer(azureEmulator, azemu.DeliveryConfig{Post: azureapi.HTTPPoster{}}),
		Azure:    azureEmulator, SettleEvery: 5 * time.Second,
	}.Register(engine)
	if err := engine.Start(bg); err != nil {
		return err
	}
	// Stopped before the database closes, after the HTTP server (deferred
	// calls run last-in, first-out): running jobs get the shutdown grace.
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if err := engine.Stop(sctx); err != nil {
			log.Error("stop background jobs", "error", err)
		}
	}()
	// The recorder drains its queue when bg ends: after the last request.
	if recorder != nil {
		workers.Go(func() { recorder.Run(bg) })
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests", "grace", shutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	stopBackground()
	workers.Wait()
	if recorder != nil {
		log.Info("api log flushed", "recorded", recorder.Recorded(), "dropped", recorder.Dropped())
	}
	log.Info("stopped")
	return nil
}

// ready reports whether the database answers and is fully migrated.
func ready(ctx context.Context, db *store.DB) error {
	if err := db.Ping(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	n, err := db.Pending(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%d migration(s) pending", n)
	}
	return nil
}

// bootstrap makes sure a SaaS exists to sign requests with: the one named by
// the SAASUS_* variables, or, on a store with no SaaS at all, a fresh one
// whose credentials are printed once and written to DIR/credentials.json.
func bootstrap(ctx context.Context, cfg Config, svc *saas.Service, stdout io.Writer, log *slog.Logger) error {
	if cfg.Bootstrap.SaaSID != "" {
		if err := svc.Ensure(ctx, cfg.Bootstrap, "default"); err != nil {
			return fmt.Errorf("bootstrap credentials from SAASUS_*: %w", err)
		}
		log.Info("bootstrap credentials ready", "saas_id", cfg.Bootstrap.SaaSID, "api_key", cfg.Bootstrap.APIKey)
		return nil
	}
	all, err := svc.List(ctx)
	if err != nil {
		return err
	}
	if len(all) > 0 {
		return nil
	}
	creds, err := svc.Create(ctx, "default")
	if err != nil {
		return err
	}
	b, _ := json.MarshalIndent(creds, "", "  ")
	env := fmt.Sprintf("export SAASUS_SAAS_ID=%s\nexport SAASUS_API_KEY=%s\nexport SAASUS_SECRET_KEY=%s\n", creds.SaaSID, creds.APIKey, creds.SecretKey)
	saved := ""
	if cfg.DatabaseURL == "" {
		for name, content := range map[string][]byte{"credentials.json": append(b, '\n'), "credentials.env": []byte(env)} {
			path := filepath.Join(cfg.DataDir, name)
			if err := os.WriteFile(path, content, 0o600); err != nil {
				return fmt.Errorf("write %s: %w", path, err)
			}
		}
		saved = " (also saved in " + filepath.Join(cfg.DataDir, "credentials.json") + " and, for shells, credentials.env)"
		log.Info("created the first SaaS", "saas_id", creds.SaaSID, "credentials", filepath.Join(cfg.DataDir, "credentials.json"))
	}
	fmt.Fprintf(stdout, "Created the first SaaS. Its credentials%s:\n%s\nTo sign requests from a shell:\n%s", saved, b, env)
	return nil
}
