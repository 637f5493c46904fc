package apitest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/saasplane/saasplane/internal/testenv"
)

// UpstreamHost is the host of the SaaSus API; requests are routed through
// the upstream document as if they had been sent there.
const UpstreamHost = "https://api.saasus.io"

// The upstream documents checked against, under ../shared/upstream-openapi.
const (
	PricingDoc = "pricingapi.yml"
	AuthDoc    = "authapi.yml"
	APILogDoc  = "apilogapi.yml"
	// AWSMarketplaceDoc is the AWS Marketplace API.
	AWSMarketplaceDoc = "awsmarketplaceapi.yml"
	// IntegrationDoc is the Integration (EventBridge) API.
	IntegrationDoc = "integration.yml"
)

// checkedDocs are the documents every Server validates responses against.
var checkedDocs = []string{PricingDoc, AuthDoc, APILogDoc, AWSMarketplaceDoc, IntegrationDoc}

// errNoShared means the SaaSus reference files are not beside the repository.
var errNoShared = errors.New("../shared not found: upstream conformance checks need the SaaSus reference files (../shared/upstream-openapi beside the repository root)")

// Upstream is one upstream SaaSus API document with a router over it. It
// records which operations the tests of this binary exercised.
type Upstream struct {
	Doc    *openapi3.T
	router routers.Router // routes https://api.saasus.io/v1/pricing/...

	mu        sync.Mutex
	exercised map[string]int
}

// Upstreams are the documents a Server checks against; a response is
// checked by the document that routes its request.
type Upstreams []*Upstream

// Check validates a response with the document that has a route for it.
func (us Upstreams) Check(method, path string, status int, header http.Header, body []byte) (string, []string) {
	if u, _ := us.route(method, path); u != nil {
		return u.Check(method, path, status, header, body)
	}
	return "", nil
}

// route returns the document that routes the request, and its route; nil
// when none does.
func (us Upstreams) route(method, path string) (*Upstream, *routers.Route) {
	for _, u := range us {
		if route, _ := u.Route(method, path); route != nil {
			return u, route
		}
	}
	return nil, nil
}

var upstreams sync.Map // file name -> *loaded

type loaded struct {
	once sync.Once
	u    *Upstream
	err  error
}

// LoadUpstream returns the upstream Pricing API document, loaded once per
// test binary. It skips the test when ../shared is absent.
func LoadUpstream(t testing.TB) *Upstream { return LoadUpstreamDoc(t, PricingDoc) }

// LoadUpstreamDoc returns one upstream document (PricingDoc, AuthDoc...),
// loaded once per test binary. It skips the test when ../shared is absent.
func LoadUpstreamDoc(t testing.TB, name string) *Upstream {
	t.Helper()
	u, err := loadUpstream(name)
	if errors.Is(err, errNoShared) {
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatalf("load upstream %s: %v", name, err)
	}
	return u
}

func loadUpstream(name string) (*Upstream, error) {
	v, _ := upstreams.LoadOrStore(name, &loaded{})
	l := v.(*loaded)
	l.once.Do(func() { l.u, l.err = readUpstream(name) })
	return l.u, l.err
}

func readUpstream(name string) (*Upstream, error) {
	path, ok := testenv.Shared("upstream-openapi", name)
	if !ok {
		return nil, errNoShared
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	for _, ref := range doc.Components.Schemas {
		tightenUint64(ref, map[*openapi3.Schema]bool{})
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route %s: %w", path, err)
	}
	return &Upstream{Doc: doc, router: router, exercised: map[string]int{}}, nil
}

// tightenUint64 adds minimum 0 to every integer marked x-go-type: uint64.
// Upstream states the constraint only in that extension, yet the Go SDK
// decodes those fields into uint64 and fails on a negative value.
func tightenUint64(ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return
	}
	s := ref.Value
	seen[s] = true
	if strings.Trim(fmt.Sprint(s.Extensions["x-go-type"]), `"`) == "uint64" && s.Min == nil {
		zero := 0.0
		s.Min = &zero
	}
	for _, p := range s.Properties {
		tightenUint64(p, seen)
	}
	for _, list := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, r := range list {
			tightenUint64(r, seen)
		}
	}
	tightenUint64(s.Items, seen)
}

// OperationIDs returns every operationId of the document, sorted.
func (u *Upstream) OperationIDs() []string {
	var ids []string
	for _, item := range u.Doc.Paths.Map() {
		for _, op := range item.Operations() {
			ids = append(ids, op.OperationID)
		}
	}
	sort.Strings(ids)
	return ids
}

// Route returns the upstream route of a request to path (starting with
// /v1/<api>, optionally with a query), or nil when this document has none.
func (u *Upstream) Route(method, path string) (*routers.Route, map[string]string) {
	req, err := http.NewRequest(method, UpstreamHost+path, nil)
	if err != nil {
		return nil, nil
	}
	route, params, err := u.router.FindRoute(req)
	if err != nil {
		return nil, nil
	}
	return route, params
}

// declaresContent reports whether the upstream document that routes the
// request declares a body for its answer with status.
func (us Upstreams) declaresContent(method, path string, status int) bool {
	_, route := us.route(method, path)
	if route == nil {
		return false
	}
	resp := route.Operation.Responses.Status(status)
	return resp != nil && resp.Value != nil && len(resp.Value.Content) > 0
}

// OperationID returns the upstream operationId of method and path, or "".
func (u *Upstream) OperationID(method, path string) string {
	if route, _ := u.Route(method, path); route != nil {
		return route.Operation.OperationID
	}
	return ""
}

// Exercised returns how often each operation was called so far.
func (u *Upstream) Exercised() map[string]int {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make(map[string]int, len(u.exercised))
	for k, v := range u.exercised {
		out[k] = v
	}
	return out
}

func (u *Upstream) record(op string) {
	u.mu.Lock()
	u.exercised[op]++
	u.mu.Unlock()
}

// Check validates one response to method path against the upstream
// document: a 2xx, or any status upstream declares as the operation's only
// outcome (the always-500 test endpoint), must match the declared status and
// schema; a response declared without content must have an empty body. It
// returns the operationId ("" when upstream has no such route) and the
// problems found.
func (u *Upstream) Check(method, path string, status int, header http.Header, body []byte) (string, []string) {
	route, params := u.Route(method, path)
	if route == nil {
		return "", nil
	}
	op := route.Operation.OperationID
	u.record(op)
	if status >= 300 && !onlyOutcome(route.Operation, status) {
		// Upstream declares almost no error statuses; error bodies are
		// checked for shape by the caller.
		return op, nil
	}
	req, err := http.NewRequest(method, UpstreamHost+path, nil)
	if err != nil {
		return op, []string{err.Error()}
	}
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		MultiError:            true,
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                opts,
	}
	var problems []string
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		problems = append(problems, fmt.Sprintf("upstream %s says: %v", op, err))
	}
	if r := route.Operation.Responses.Status(status); r != nil && r.Value != nil && len(r.Value.Content) == 0 && len(body) != 0 {
		problems = append(problems, fmt.Sprintf("upstream %s declares %d without content, got body %q", op, status, truncate(body)))
	}
	return op, problems
}

// onlyOutcome reports whether status is declared and the operation declares
// no 2xx at all (ReturnInternalServerError).
func onlyOutcome(op *openapi3.Operation, status int) bool {
	if op.Responses.Status(status) == nil {
		return false
	}
	for code := range op.Responses.Map() {
		if strings.HasPrefix(code, "2") {
			return false
		}
	}
	return true
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}
