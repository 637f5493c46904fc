// Package api assembles saasplane's HTTP surface: the unauthenticated
// operational routes (/healthz, /readyz, /metrics), the public API documents,
// and the SaaSus-compatible /v1 families behind SAASUSSIGV1 authentication.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	apispec "github.com/saasplane/saasplane/api"
	"github.com/saasplane/saasplane/internal/api/apilogapi"
	"github.com/saasplane/saasplane/internal/api/authapi"
	"github.com/saasplane/saasplane/internal/api/awsemuapi"
	"github.com/saasplane/saasplane/internal/api/awsmarketplaceapi"
	"github.com/saasplane/saasplane/internal/api/azureapi"
	"github.com/saasplane/saasplane/internal/api/azuremarketplaceapi"
	"github.com/saasplane/saasplane/internal/api/billingapi"
	"github.com/saasplane/saasplane/internal/api/communicationapi"
	"github.com/saasplane/saasplane/internal/api/eventsapi"
	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/api/identityapi"
	"github.com/saasplane/saasplane/internal/api/integrationapi"
	"github.com/saasplane/saasplane/internal/api/jobsapi"
	"github.com/saasplane/saasplane/internal/api/mailapi"
	"github.com/saasplane/saasplane/internal/api/meteringapi"
	"github.com/saasplane/saasplane/internal/api/oasvalidate"
	"github.com/saasplane/saasplane/internal/api/pricingapi"
	"github.com/saasplane/saasplane/internal/apilog"
	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/azemu"
	"github.com/saasplane/saasplane/internal/billing"
	"github.com/saasplane/saasplane/internal/communication"
	"github.com/saasplane/saasplane/internal/console"
	"github.com/saasplane/saasplane/internal/events"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/integration"
	"github.com/saasplane/saasplane/internal/mail"
	"github.com/saasplane/saasplane/internal/marketplace"
	"github.com/saasplane/saasplane/internal/marketplace/aws"
	"github.com/saasplane/saasplane/internal/marketplace/awsmp"
	"github.com/saasplane/saasplane/internal/marketplace/azure"
	"github.com/saasplane/saasplane/internal/metering"
	"github.com/saasplane/saasplane/internal/pricing"
	"github.com/saasplane/saasplane/internal/tenant"
)

// validators parses the embedded documents once per process.
var validators = sync.OnceValues(func() (map[string]*oasvalidate.Validator, error) {
	vs := make(map[string]*oasvalidate.Validator, len(apispec.Documents))
	for prefix, doc := range apispec.Documents {
		v, err := oasvalidate.New(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", prefix, err)
		}
		vs[prefix] = v
	}
	return vs, nil
})

// eventNames names the events of every documented operation, once per
// process.
var eventNames = sync.OnceValues(func() (eventsapi.Names, error) { return eventsapi.NewNames(apispec.Documents) })

// DefaultMaxBody is the largest request body accepted on /v1 routes.
const DefaultMaxBody = 1 << 20

// Deps is what the HTTP layer needs from the rest of the program.
type Deps struct {
	Log      *slog.Logger
	Now      func() time.Time
	Keys     httpx.KeyLookup
	Pricing  *pricing.Service
	Tenants  *tenant.Service
	Metering *metering.Service
	Ready    func(context.Context) error // nil error once the database is reachable and migrated
	Registry *prometheus.Registry        // metrics are registered here; nil disables /metrics
	MaxBody  int64                       // 0 means DefaultMaxBody
	// AccessLog logs one line per request at info level.
	AccessLog bool
	// APILog records every authenticated /v1 request; nil records nothing.
	APILog *apilog.Recorder
	// APILogs serves /v1/apilog; nil leaves those routes out.
	APILogs *apilog.Service
	// PublicURL is the base of absolute URLs handed out to clients and
	// browsers (no trailing slash), e.g. "http://127.0.0.1:8080".
	PublicURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (the hosted sign-in's per-address limit).
	TrustedProxies httpx.TrustedProxies
	// AWSMarketplace serves /v1/awsmarketplace, the seller template, the
	// fulfillment URL, the sign-up page and the SNS endpoint; nil leaves
	// those routes out.
	AWSMarketplace *aws.Service
	// AzureMarketplace serves /v1/azuremarketplace and the Azure webhook;
	// nil leaves those routes out.
	AzureMarketplace *azure.Service
	// AWSUsageRound and AzureUsageRound run a SaaS's usage round for POST
	// .../usage-reports/run (the jobs engine, so it never overlaps the
	// periodic one); nil answers 503.
	AWSUsageRound, AzureUsageRound marketplace.RoundRunner
	// SNSVerifier checks the AWS Marketplace notifications SNS posts; nil
	// refuses them.
	SNSVerifier *awsmp.SNSVerifier
	// AWSEmulator serves the AWS Marketplace emulator (/aws/marketplace,
	// /aws/sts, /aws/marketplace/_emulator/); nil leaves it out.
	AWSEmulator *awsemu.Service
	// AWSEmulatorConfig holds the emulator's base credentials.
	AWSEmulatorConfig awsemuapi.Config
	// Identity serves the user pools' public routes (/identity/); nil
	// leaves them out.
	Identity *identity.Service
	// Mail serves the outbox of mail to the SaaSes' users (/v1/mail);
	// nil leaves it out.
	Mail *mail.Service
	// Billing serves invoices (/v1/billing); nil leaves it out.
	Billing *billing.Service
	// Communication serves the users' feedback (/v1/communication); nil
	// leaves it out.
	Communication *communication.Service
	// Integration serves the EventBridge settings and sends
	// (/v1/integration); nil leaves it out.
	Integration *integration.Service
	// Events serves /v1/events and makes an event of every non-GET call
	// (eventsapi.Middleware); nil leaves both out.
	Events *events.Service
	// Jobs shows the SaaS's background jobs (/v1/background); nil leaves
	// it out.
	Jobs jobsapi.Jobs
	// ConsoleSessions keeps the console's signed-out sessions for every
	// node; nil keeps them per node.
	ConsoleSessions console.Revocations
	// AzureEmulator serves the Azure Marketplace emulator (/api/saas,
	// /api/usageEvent(s), /api/batchUsageEvent, /azure/); nil leaves it
	// out.
	AzureEmulator *azemu.Service
}

// NewHandler returns the complete HTTP handler.
func NewHandler(d Deps) http.Handler {
	if d.MaxBody == 0 {
		d.MaxBody = DefaultMaxBody
	}
	v1 := httpx.NewRouter()
	pricingapi.New(d.Pricing).Register(v1)
	authapi.New(d.Tenants, d.Identity, d.AWSMarketplace).Register(v1)
	meteringapi.New(d.Metering).Register(v1)
	if d.APILogs != nil {
		apilogapi.New(d.APILogs).Register(v1)
	}
	if d.Mail != nil {
		mailapi.New(d.Mail).Register(v1)
	}
	if d.Billing != nil {
		billingapi.New(d.Billing).Register(v1)
	}
	if d.Communication != nil {
		communicationapi.New(d.Communication).Register(v1)
	}
	if d.Integration != nil {
		integrationapi.New(d.Integration).Register(v1)
	}
	if d.Events != nil {
		eventsapi.New(d.Events).Register(v1)
	}
	if d.Jobs != nil {
		jobsapi.New(d.Jobs).Register(v1)
	}
	var awsAPI *awsmarketplaceapi.Handler
	if d.AWSMarketplace != nil {
		awsAPI = awsmarketplaceapi.New(d.AWSMarketplace, d.AWSUsageRound, d.PublicURL, d.SNSVerifier)
		awsAPI.Register(v1)
	}
	var azureAPI *azuremarketplaceapi.Handler // the ISV side of Azure
	if d.AzureMarketplace != nil {
		azureAPI = azuremarketplaceapi.New(d.AzureMarketplace, d.AzureUsageRound, d.PublicURL)
		azureAPI.Register(v1)
	}
	vs, err := validators()
	if err != nil {
		panic("embedded OpenAPI document: " + err.Error()) // a build defect, caught by tests
	}
	// A request is checked by the document of its API only (found by
	// prefix, so one route search per request, not one per document).
	checked := make(map[string]http.Handler, len(vs))
	for prefix, v := range vs {
		checked[prefix+"/"] = v.Middleware(v1)
	}
	validated := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Count updates are the hottest route of the product. Their
		// handler and the metering service check everything the document
		// says, so they skip its generic check (a tenth of the server's
		// time per update).
		if r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/v1/pricing/metering/tenants/") {
			v1.ServeHTTP(w, r)
			return
		}
		for prefix, h := range checked {
			if strings.HasPrefix(r.URL.Path, prefix) {
				h.ServeHTTP(w, r)
				return
			}
		}
		v1.ServeHTTP(w, r) // no document: the router answers 404
	})

	root := httpx.NewRouter()
	root.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) error {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		return nil
	})
	root.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) error {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := d.Ready(ctx); err != nil {
			httpx.Logger(ctx).Warn("not ready", "err", err)
			httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
			return nil
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		return nil
	})
	for prefix, doc := range apispec.Documents {
		root.Handle("GET "+prefix+"/openapi.yaml", specHandler(doc))
	}
	if awsAPI != nil {
		awsAPI.RegisterPublic(root) // unsigned: the seller template, the fulfillment URL, the sign-up page, SNS
	}
	if azureAPI != nil {
		azureAPI.RegisterPublic(root) // unsigned: the marketplace's webhook, with its own bearer JWT
	}
	if d.Identity != nil {
		identityapi.New(d.Identity, d.Now, d.TrustedProxies).Register(root) // unsigned: what verifiers of the SaaSes' tokens fetch, and the hosted sign-in
	}
	if d.AWSEmulator != nil {
		awsemuapi.New(d.AWSEmulator, d.AWSEmulatorConfig).Register(root, httpx.Authenticate(d.Keys, d.Now, d.MaxBody))
	}
	if d.AzureEmulator != nil {
		azureapi.New(d.AzureEmulator, azureapi.Config{PublicURL: d.PublicURL}).Register(root, httpx.Authenticate(d.Keys, d.Now, d.MaxBody))
	}
	if d.Registry != nil {
		root.Handle("GET /metrics", promhttp.HandlerFor(d.Registry, promhttp.HandlerOpts{}))
		if d.APILog != nil {
			d.Registry.MustRegister(apilogapi.Collectors(d.APILog)...)
		}
		if d.Metering != nil {
			d.Registry.MustRegister(meteringapi.Collectors(d.Metering)...)
		}
	}
	// The API log records right after authentication, so that it sees
	// validation errors and unknown routes too.
	names, err := eventNames()
	if err != nil {
		panic("embedded OpenAPI document: " + err.Error()) // a build defect, caught by tests
	}
	signed := apilogapi.Middleware(d.APILog, d.TrustedProxies)(eventsapi.Middleware(d.Events, names, d.TrustedProxies)(validated))
	root.Handle("/v1/", httpx.Authenticate(d.Keys, d.Now, d.MaxBody)(signed))
	// The console's bridge hands its session's calls to the same chain.
	console.New(console.Config{Keys: d.Keys, API: signed, Now: d.Now, MaxBody: d.MaxBody, Revocations: d.ConsoleSessions}).Register(root)

	var h http.Handler = httpx.Recover(root)
	h = observe(d, h)
	return httpx.Trace(d.Log)(h)
}

// observe records metrics and an access log line for every request.
func observe(d Deps, next http.Handler) http.Handler {
	var requests *prometheus.CounterVec
	var latency *prometheus.HistogramVec
	if d.Registry != nil {
		requests = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "saasplane_http_requests_total", Help: "HTTP requests served, by route pattern and status.",
		}, []string{"method", "route", "status"})
		latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "saasplane_http_request_duration_seconds", Help: "Time to serve an HTTP request, by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route"})
		d.Registry.MustRegister(requests, latency)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &httpx.RouteInfo{}
		rec := &httpx.StatusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(httpx.WithRouteInfo(r.Context(), info)))
		took := time.Since(start)
		if rec.Status == 0 {
			rec.Status = http.StatusOK
		}
		route := info.Pattern
		if route == "" {
			route = "unmatched"
		}
		if requests != nil {
			requests.WithLabelValues(r.Method, route, strconv.Itoa(rec.Status)).Inc()
			latency.WithLabelValues(r.Method, route).Observe(took.Seconds())
		}
		if d.AccessLog {
			httpx.Logger(r.Context()).Info("request", "method", r.Method, "path", r.URL.Path, "route", route,
				"status", rec.Status, "bytes", rec.Bytes, "duration_ms", float64(took.Microseconds())/1000)
		}
	})
}
