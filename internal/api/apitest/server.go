package apitest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/saasplane/saasplane/internal/api"
	"github.com/saasplane/saasplane/internal/api/awsemuapi"
	"github.com/saasplane/saasplane/internal/api/azureapi"
	"github.com/saasplane/saasplane/internal/api/eventsapi"
	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/api/identityapi"
	"github.com/saasplane/saasplane/internal/apilog"
	"github.com/saasplane/saasplane/internal/app"
	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/azemu"
	"github.com/saasplane/saasplane/internal/billing"
	"github.com/saasplane/saasplane/internal/communication"
	"github.com/saasplane/saasplane/internal/events"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/idgen"
	"github.com/saasplane/saasplane/internal/integration"
	"github.com/saasplane/saasplane/internal/integration/eventbridge"
	"github.com/saasplane/saasplane/internal/jobs"
	"github.com/saasplane/saasplane/internal/mail"
	"github.com/saasplane/saasplane/internal/mail/smtpmail"
	"github.com/saasplane/saasplane/internal/marketplace/aws"
	"github.com/saasplane/saasplane/internal/marketplace/awsmp"
	"github.com/saasplane/saasplane/internal/marketplace/azure"
	"github.com/saasplane/saasplane/internal/marketplace/azuremp"
	"github.com/saasplane/saasplane/internal/metering"
	"github.com/saasplane/saasplane/internal/pricing"
	"github.com/saasplane/saasplane/internal/saas"
	"github.com/saasplane/saasplane/internal/sigv1"
	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/tenant"
)

// Server is the complete saasplane handler served on a loopback listener.
type Server struct {
	URL      string // http://127.0.0.1:port
	Host     string // 127.0.0.1:port: what requests are signed over
	DB       *store.DB
	SaaS     *saas.Service
	Pricing  *pricing.Service
	Tenants  *tenant.Service
	Metering *metering.Service
	// AWSMarketplace is the AWS Marketplace service.
	AWSMarketplace *aws.Service
	// AzureMarketplace is the Azure Marketplace service.
	AzureMarketplace *azure.Service
	// AWSEmulator is the AWS Marketplace emulator (clock: Options.Now).
	AWSEmulator *awsemu.Service
	// AzureEmulator is the Azure Marketplace emulator (clock: Options.Now).
	AzureEmulator *azemu.Service
	// Identity is the user pools (clock: Options.Now).
	Identity *identity.Service
	// Mail is the outbox of mail to the SaaSes' users.
	Mail *mail.Service
	// Billing computes invoices (clock: Options.Now).
	Billing *billing.Service
	// Communication keeps the users' feedback (clock: Options.Now).
	Communication *communication.Service
	// Integration keeps the EventBridge settings; its events go to this
	// server's AWS emulator (POST /aws/events).
	Integration *integration.Service
	// Events records and delivers the outbound events (clock: Options.Now).
	Events *events.Service
	// APILog records the calls when Options.APILog is set (Flush it
	// before reading the log); nil otherwise.
	APILog *apilog.Recorder
	// Upstream checks responses against the SaaSus documents; nil when they
	// are absent. Set it to nil to switch the checks off (benchmarks).
	Upstream Upstreams

	http *http.Client
}

// NewServer serves api.NewHandler over db with real services, a fresh
// Prometheus registry and warnings logged to t.Log, until the test ends.
func NewServer(t testing.TB, db *store.DB) *Server {
	t.Helper()
	return NewServerWith(t, db, Options{})
}

// SNSDeliveryConfig is the configuration of the test servers' SNS
// deliverer: posting over HTTP, a short retry schedule (3 retries within
// 350 ms).
func SNSDeliveryConfig(publicURL string) awsemu.DeliveryConfig {
	return awsemu.DeliveryConfig{PublicURL: publicURL, Post: awsemuapi.HTTPPoster{},
		Backoff: []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond}}
}

// Options change how NewServerWith builds a server.
type Options struct {
	// Now is the clock of the domain services (tenant plan changes and
	// reservations); nil means time.Now. Signatures are always checked
	// against the real time, as clients sign with it.
	Now func() time.Time
	// Deps, when set, adjusts the handler's dependencies before the
	// handler is built, e.g. to switch the API log on.
	Deps func(*api.Deps)
	// EmulatorJobs runs a jobs engine on the emulators' queue
	// (RunEmulatorJobs), on a database of the test's own
	// (ForEachIsolatedBackend): SNS messages and webhooks are posted and Azure's
	// due operations complete. Without it, messages stay queued and
	// operations complete only when a request of their SaaS comes.
	EmulatorJobs bool
	// UsageJobs runs the marketplaces' usage rounds on a jobs engine
	// working the default queue (app.UsageJobs), on a database of the
	// test's own: POST .../usage-reports/run answers 503 without it.
	// UsageEvery is how often every SaaS's round runs (an hour when 0).
	UsageJobs  bool
	UsageEvery time.Duration
	// BillingJobs works invoice runs on a jobs engine working the default
	// queue (app.BillingJobs), on a database of the test's own; the
	// periodic close runs hourly, and tests call Billing.CloseDue with
	// their clock.
	BillingJobs bool
	// Jobs, when set with EmulatorJobs or UsageJobs, registers more kinds
	// on that engine, whose node then works the default queue too. (River
	// enqueues periodic jobs on the elected leader only, so the nodes of
	// one database must all register the same periodic kinds: a second
	// engine would never run its own.)
	Jobs func(*jobs.Engine, *Server)
	// SMTPURL, when set, runs the mail outbox's deliveries on a jobs
	// engine working the default queue, on a database of the test's own,
	// sending to that SMTP server (NewSMTPServer). Without it, mail stays
	// queued and readable through /v1/mail.
	SMTPURL string
	// EventJobs delivers the outbound events on a jobs engine working the
	// default queue, on a database of the test's own, with EventsConfig
	// (retries after 50, 100, 200... ms for 2 s unless set). Without it,
	// events are recorded and queued but never posted.
	EventJobs    bool
	EventsConfig *events.Config
	// TrustedProxies (a --trusted-proxies value) are the proxies whose
	// X-Forwarded-For names the client; "" trusts none.
	TrustedProxies string
	// APILog, when set, records every call in the API log with this
	// configuration (Server.APILog), readable through /v1/apilog. Without
	// it, nothing is recorded.
	APILog *apilog.RecorderConfig
}

// AzureDeliveryConfig is the configuration of the test servers' Azure
// webhook deliverer: posting over HTTP, retries after 50, 100, 200...
// ms for at most 2 s, a fast poll.
func AzureDeliveryConfig() azemu.DeliveryConfig {
	return azemu.DeliveryConfig{Post: azureapi.HTTPPoster{},
		Backoff:  func(n int) time.Duration { return 50 * time.Millisecond << min(n-1, 4) },
		RetryFor: 2 * time.Second}
}

// RunEmulatorJobs works the emulators' queue of db until the test ends,
// as a serving node does (app.EmulatorJobs), with the test servers'
// delivery configurations, a 20 ms poll and due operations settled every
// 25 ms. The services are one "node": several calls over one database
// are several nodes.
func RunEmulatorJobs(t testing.TB, db *store.DB, aws *awsemu.Service, az *azemu.Service, publicURL string) {
	t.Helper()
	e := newEngine(t, db, jobs.QueueEmulators)
	emulatorJobs(aws, az, publicURL).Register(e)
	startEngine(t, e)
}

// emulatorJobs are the emulators' jobs with the test servers' delivery
// configurations.
func emulatorJobs(aws *awsemu.Service, az *azemu.Service, publicURL string) app.EmulatorJobs {
	return app.EmulatorJobs{
		SNS: awsemu.NewDeliverer(aws, SNSDeliveryConfig(publicURL)), Webhooks: azemu.NewDeliverer(az, AzureDeliveryConfig()),
		Azure: az, SettleEvery: 25 * time.Millisecond,
	}
}

// newEngine returns a jobs engine over db working queues, polling every
// 20 ms, for startEngine once its kinds are registered.
func newEngine(t testing.TB, db *store.DB, queues ...string) *jobs.Engine {
	t.Helper()
	if shared(db) {
		// Every test binary's engines on the shared database would work
		// this test's jobs, with their own test clocks and marketplace
		// clients: one whose clock advanced an hour schedules this test's
		// next retry an hour away.
		t.Fatal("apitest: background jobs need a database of the test's own: use ForEachIsolatedBackend")
	}
	log := slog.New(slog.NewTextHandler(newTestWriter(t), &slog.HandlerOptions{Level: slog.LevelWarn}))
	engine, err := jobs.New(db.JobDriver(), jobs.Config{PollInterval: 20 * time.Millisecond, Queues: queues}, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	return engine
}

// startEngine starts e until the test ends.
func startEngine(t testing.TB, e *jobs.Engine) {
	t.Helper()
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.Stop(ctx); err != nil {
			t.Errorf("stop the jobs engine: %v", err)
		}
	})
}

// NewServerWith is NewServer with options.
func NewServerWith(t testing.TB, db *store.DB, o Options) *Server {
	t.Helper()
	if o.Now == nil {
		o.Now = time.Now
	}
	logger := slog.New(slog.NewTextHandler(newTestWriter(t), &slog.HandlerOptions{Level: slog.LevelWarn}))
	saasSvc := saas.NewService(db, time.Now, uuid.NewString, logger)
	pricingSvc := pricing.NewService(db.Pricing(), uuid.NewString, logger)
	tenantSvc := tenant.NewService(db.Tenants(), o.Now, uuid.NewString, logger)
	meteringSvc := metering.NewService(db.Metering(), o.Now, logger)
	committer, stopCommitter := context.WithCancel(context.Background())
	committed := make(chan struct{})
	go func() { meteringSvc.Run(committer); close(committed) }()
	t.Cleanup(func() { stopCommitter(); <-committed }) // registered first: runs after the listener closed
	deps := api.Deps{
		Log: logger, Now: time.Now, Keys: saasSvc, Pricing: pricingSvc, Tenants: tenantSvc, Metering: meteringSvc,
		Ready:    func(ctx context.Context) error { return db.Ping(ctx) },
		Registry: prometheus.NewRegistry(),
	}
	awsemuSvc := awsemu.NewService(db.AWSEmulator(), o.Now, SeededIDs(t), logger)
	deps.AWSEmulator = awsemuSvc
	azemuSvc := azemu.NewService(db.AzureEmulator(), o.Now, SeededIDs(t), logger)
	deps.AzureEmulator = azemuSvc
	ts := httptest.NewUnstartedServer(nil)
	deps.PublicURL = "http://" + ts.Listener.Addr().String()
	proxies, err := httpx.ParseTrustedProxies(o.TrustedProxies)
	if err != nil {
		t.Fatal(err)
	}
	deps.TrustedProxies = proxies
	// saasplane's AWS client talks to this server's own emulator, with
	// short retries.
	awsClient := awsmp.New(awsmp.Config{
		MeteringEndpoint: deps.PublicURL + "/aws/marketplace", EntitlementEndpoint: deps.PublicURL + "/aws/marketplace",
		STSEndpoint: deps.PublicURL + "/aws/sts",
		Credentials: credentials.NewStaticCredentialsProvider(awsemuapi.DefaultAccessKeyID, awsemuapi.DefaultSecretAccessKey, ""),
		MaxAttempts: 4, Backoff: func(int) time.Duration { return 10 * time.Millisecond },
	})
	// saasplane's Azure client talks to this server's own emulator
	// (Fulfillment API under /api, token service and keys under /azure),
	// with short retries and Retry-After waits.
	azureClient := azuremp.New(azuremp.Config{
		FulfillmentURL: deps.PublicURL + "/api", Authority: deps.PublicURL + "/azure", Now: o.Now,
		MaxAttempts: 4, Backoff: func(int) time.Duration { return 10 * time.Millisecond }, MaxRetryAfter: 100 * time.Millisecond,
	})
	identitySvc, err := identity.NewService(db.Identity(), identity.Config{
		IssuerBase: deps.PublicURL + identityapi.Prefix, Now: o.Now, Random: idgen.Crypto(), NewID: uuid.NewString,
		MailFrom: "no-reply@saasplane.test",
	})
	if err != nil {
		t.Fatal(err)
	}
	deps.Identity = identitySvc
	awsMarketplaceSvc := aws.NewService(db.AWSMarketplace(), aws.Deps{
		IDs: SeededIDs(t), Now: o.Now, Log: logger, AWS: awsmp.Port{C: awsClient}, Tenants: tenantSvc, Users: identitySvc,
	})
	deps.AWSMarketplace = awsMarketplaceSvc
	azureMarketplaceSvc := azure.NewService(db.AzureMarketplace(), azure.Deps{
		Now: o.Now, Log: logger, Azure: azureClient, Tenants: tenantSvc,
	})
	deps.AzureMarketplace = azureMarketplaceSvc
	var sender mail.Sender
	if o.SMTPURL != "" {
		smtp, err := smtpmail.New(o.SMTPURL)
		if err != nil {
			t.Fatal(err)
		}
		sender = smtp
	}
	mailSvc := mail.NewService(db.Mail(), sender, o.Now)
	deps.Mail = mailSvc
	billingSvc := billing.NewService(db.Billing(), o.Now, uuid.NewString, logger)
	deps.Billing = billingSvc
	communicationSvc := communication.NewService(db.Communication(), identitySvc, o.Now, uuid.NewString, logger)
	deps.Communication = communicationSvc
	integrationSvc := integration.NewService(db.Integration(), eventbridge.New(eventbridge.Config{Endpoint: deps.PublicURL + "/aws/events",
		Credentials: credentials.NewStaticCredentialsProvider(awsemuapi.DefaultAccessKeyID, awsemuapi.DefaultSecretAccessKey, ""), MaxAttempts: 2,
	}), o.Now, logger)
	deps.Integration = integrationSvc
	ecfg := events.Config{Backoff: func(n int) time.Duration { return 50 * time.Millisecond << min(n-1, 4) }, RetryFor: 2 * time.Second}
	if o.EventsConfig != nil {
		ecfg = *o.EventsConfig
	}
	if ecfg.Now == nil {
		ecfg.Now = o.Now
	}
	ecfg.NewID, ecfg.Log = uuid.NewString, logger
	if ecfg.Post == nil {
		ecfg.Post = eventsapi.HTTPPoster{}
	}
	if ecfg.Bus == nil {
		ecfg.Bus = integrationSvc
	}
	eventsSvc := events.NewService(db.Events(), ecfg)
	integrationSvc.OnChange(eventsSvc.ForgetTargets)
	deps.Events = eventsSvc
	deps.SNSVerifier = &awsmp.SNSVerifier{TrustedURL: deps.PublicURL + "/aws/sns/cert.pem"} // the emulator's
	var engine *jobs.Engine
	if o.EmulatorJobs || o.UsageJobs || o.BillingJobs || o.EventJobs || o.SMTPURL != "" {
		var queues []string
		if o.EmulatorJobs {
			queues = append(queues, jobs.QueueEmulators)
		}
		if o.UsageJobs || o.BillingJobs || o.EventJobs || o.Jobs != nil || o.SMTPURL != "" {
			queues = append(queues, jobs.QueueDefault)
		}
		engine = newEngine(t, db, queues...)
	}
	if o.UsageJobs {
		deps.AWSUsageRound, deps.AzureUsageRound = app.AWSRound(engine), app.AzureRound(engine)
	}
	var apiLog *apilog.Recorder
	if o.APILog != nil {
		st := db.APILog()
		apiLog = apilog.NewRecorder(st, *o.APILog, time.Now, uuid.NewString, logger)
		deps.APILog, deps.APILogs = apiLog, apilog.NewService(st, time.Now, logger)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { apiLog.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	admin, err := jobs.NewAdmin(db.JobDriver())
	if err != nil {
		t.Fatal(err)
	}
	deps.Jobs = app.SaaSJobs{Admin: admin}
	deps.ConsoleSessions = db.ConsoleSessions()
	if o.Deps != nil {
		o.Deps(&deps)
	}
	ts.Config.Handler = api.NewHandler(deps)
	ts.Start()
	t.Cleanup(ts.Close)
	client := ts.Client()
	client.Timeout = 30 * time.Second
	// Show redirects to the test instead of following them: the SDKs sign
	// one URL and a redirect is a response of its own.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s := &Server{
		URL: ts.URL, Host: strings.TrimPrefix(ts.URL, "http://"),
		DB: db, SaaS: saasSvc, Pricing: pricingSvc, Tenants: tenantSvc, Metering: meteringSvc, http: client,
	}
	s.AWSMarketplace = awsMarketplaceSvc
	s.AzureMarketplace = azureMarketplaceSvc
	s.AWSEmulator = awsemuSvc
	s.AzureEmulator = azemuSvc
	s.Identity = identitySvc
	s.Mail = mailSvc
	s.Billing = billingSvc
	s.Communication = communicationSvc
	s.Integration = integrationSvc
	s.Events = eventsSvc
	s.APILog = apiLog
	if engine != nil {
		if o.EmulatorJobs {
			emulatorJobs(awsemuSvc, azemuSvc, deps.PublicURL).Register(engine)
		}
		if o.UsageJobs {
			every := cmp.Or(o.UsageEvery, time.Hour)
			app.UsageJobs{AWS: awsMarketplaceSvc, Azure: azureMarketplaceSvc, AWSEvery: every, AzureEvery: every}.Register(engine)
		}
		if o.BillingJobs {
			app.BillingJobs{Billing: billingSvc, Grace: time.Hour, CloseEvery: time.Hour}.Register(engine)
		}
		if o.EventJobs {
			app.EventJobs{Events: eventsSvc, SweepEvery: time.Hour}.Register(engine)
		}
		if o.SMTPURL != "" {
			jobs.Handle(engine, func(ctx context.Context, a mail.Deliver) error { return mailSvc.Deliver(ctx, a.MessageID) })
		}
		if o.Jobs != nil {
			o.Jobs(engine, s)
		}
		startEngine(t, engine)
	}
	for _, name := range checkedDocs {
		u, err := loadUpstream(name)
		switch {
		case err == nil:
			s.Upstream = append(s.Upstream, u)
		case errors.Is(err, errNoShared):
			t.Logf("upstream conformance checks OFF: %v", err)
			return s
		default:
			t.Fatalf("load upstream %s: %v", name, err)
		}
	}
	return s
}

// testWriter sends log lines to t.Log until the test's cleanup runs, and
// drops them afterwards (t.Log panics once a test has finished).
type testWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func newTestWriter(t testing.TB) io.Writer {
	w := &testWriter{t: t}
	t.Cleanup(func() { w.mu.Lock(); w.done = true; w.mu.Unlock() })
	return w
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log("server: " + strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

// Client signs requests as one SaaS. It is a value: copy it and change a
// field to forge a request (another SaaSID, an unknown APIKey, a wrong
// Secret).
type Client struct {
	Server *Server
	SaaSID string
	APIKey string
	Secret string
}

// NewSaaS creates a fresh SaaS with its first API key and returns a client
// signing as it.
func (s *Server) NewSaaS(t testing.TB) Client {
	t.Helper()
	creds, err := s.SaaS.Create(context.Background(), "apitest "+t.Name())
	if err != nil {
		t.Fatalf("create SaaS: %v", err)
	}
	return Client{Server: s, SaaSID: creds.SaaSID, APIKey: creds.APIKey, Secret: creds.SecretKey}
}

// Request is one request to send. Only Method and Path are required.
type Request struct {
	Method string
	Path   string // request-target: path and optional "?query"
	// Body is sent as is when it is a string, []byte or json.RawMessage,
	// and JSON-encoded otherwise; nil sends no body.
	Body   any
	Header http.Header // extra headers, e.g. X-SaaSus-Trace-Id
	// SignedAt is the time signed over; zero means now.
	SignedAt time.Time
	// SignBody, when non-nil, is signed instead of the bytes sent.
	SignBody []byte
	// SignPath, when set, is signed instead of Path.
	SignPath string
	// Authorization, when non-nil, is sent verbatim instead of the computed
	// signature header; a pointer to "" sends no Authorization at all.
	Authorization *string
}

// Do sends a signed request; see Request for body.
func (c Client) Do(t testing.TB, method, path string, body any) *Response {
	t.Helper()
	return c.Send(t, Request{Method: method, Path: path, Body: body})
}

// Send sends r, signed as the client unless r says otherwise.
func (c Client) Send(t testing.TB, r Request) *Response {
	t.Helper()
	body := Encode(t, r.Body)
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if r.Authorization != nil {
		if *r.Authorization != "" {
			h.Set("Authorization", *r.Authorization)
		}
	} else {
		h.Set("Authorization", c.Authorization(r, body))
	}
	return c.Server.Raw(t, r.Method, r.Path, body, h)
}

// Authorization computes the SAASUSSIGV1 header for r with the given body
// bytes, exactly as the Go SDK does.
func (c Client) Authorization(r Request, body []byte) string {
	at := r.SignedAt
	if at.IsZero() {
		at = time.Now()
	}
	signBody := body
	if r.SignBody != nil {
		signBody = r.SignBody
	}
	path := r.Path
	if r.SignPath != "" {
		path = r.SignPath
	}
	sig := sigv1.Sign([]byte(c.Secret), at.UTC(), c.APIKey, r.Method, c.Server.Host+path, signBody)
	return sigv1.Header{Sig: sig, SaaSID: c.SaaSID, APIKey: c.APIKey}.Format()
}

// Encode turns a request body value into bytes: strings, []byte and
// json.RawMessage as they are, nil as nothing, anything else as JSON.
func Encode(t testing.TB, v any) []byte {
	t.Helper()
	switch b := v.(type) {
	case nil:
		return nil
	case string:
		return []byte(b)
	case []byte:
		return b
	case json.RawMessage:
		return b
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode request body: %v", err)
	}
	return b
}

// Raw sends a request exactly as given (no signature is added) and checks
// the response; see the package comment for what is checked.
func (s *Server) Raw(t testing.TB, method, path string, body []byte, header http.Header) *Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatalf("build request %s %s: %v", method, path, err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	r := &Response{Method: method, Path: path, Status: resp.StatusCode, Header: resp.Header, Body: b}
	for _, p := range s.check(r) {
		t.Errorf("%s: %s", r, p)
	}
	return r
}

// check returns what is wrong with r beyond its status.
func (s *Server) check(r *Response) []string {
	var problems []string
	if r.Header.Get("X-Saasus-Trace-Id") == "" {
		problems = append(problems, "no X-Saasus-Trace-Id header")
	}
	v1 := strings.HasPrefix(r.Path, "/v1/")
	if ct := r.Header.Get("Content-Type"); v1 && ct != "application/json" {
		problems = append(problems, fmt.Sprintf("Content-Type %q, want application/json", ct))
	}
	if r.Status >= 400 {
		if err := checkErrorBody(r.Body); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if s.Upstream != nil && v1 {
		var p []string
		r.OperationID, p = s.Upstream.Check(r.Method, r.Path, r.Status, r.Header, r.Body)
		problems = append(problems, p...)
	}
	return problems
}

// checkErrorBody requires the SaaSus error body: a JSON object with
// non-empty string "type" and "message".
func checkErrorBody(body []byte) error {
	var e map[string]any
	if err := json.Unmarshal(body, &e); err != nil {
		return fmt.Errorf("error body is not a JSON object: %v", err)
	}
	for _, f := range []string{"type", "message"} {
		if s, ok := e[f].(string); !ok || s == "" {
			return fmt.Errorf("error body field %q is %v, want a non-empty string", f, e[f])
		}
	}
	return nil
}

// Response is a response read in full.
type Response struct {
	Method, Path string
	Status       int
	Header       http.Header
	Body         []byte
	// OperationID is the upstream operation the request routed to, when the
	// upstream checks are on.
	OperationID string
}

// String describes the request and its outcome for failure messages.
func (r *Response) String() string {
	return fmt.Sprintf("%s %s -> %d %s", r.Method, r.Path, r.Status, truncate(r.Body))
}

// JSON decodes the body as a JSON object; the test fails if it is not one.
func (r *Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.Decode(t, &m)
	return m
}

// Decode decodes the body into v; the test fails if it cannot.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("%s: decode body: %v", r, err)
	}
}

// Error returns the error body's type and message ("" when absent).
func (r *Response) Error() (typ, message string) {
	var e struct{ Type, Message string }
	_ = json.Unmarshal(r.Body, &e)
	return e.Type, e.Message
}

// Want fails the test unless the status is status.
func (r *Response) Want(t testing.TB, status int) *Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d", r, r.Status, status)
	}
	return r
}

// WantError fails the test unless the response is status with error type
// typ and a message mentioning every one of fields.
func (r *Response) WantError(t testing.TB, status int, typ string, fields ...string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s: status %d, want %d", r, r.Status, status)
		return
	}
	gotType, msg := r.Error()
	if typ != "" && gotType != typ {
		t.Errorf("%s: error type %q, want %q", r, gotType, typ)
	}
	for _, f := range fields {
		if !strings.Contains(msg, f) {
			t.Errorf("%s: error message %q does not name %q", r, msg, f)
		}
	}
}
