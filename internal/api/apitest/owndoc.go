package apitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	apispec "github.com/saasplane/saasplane/api"
)

// ownRouters holds one router per family prefix over our own documents.
var ownRouters sync.Map // prefix -> func() (routers.Router, error)

func ownRouter(prefix string) (routers.Router, error) {
	v, _ := ownRouters.LoadOrStore(prefix, sync.OnceValues(func() (routers.Router, error) {
		src, ok := apispec.Documents[prefix]
		if !ok {
			return nil, fmt.Errorf("no document of ours serves %s", prefix)
		}
		doc, err := openapi3.NewLoader().LoadFromData(src)
		if err != nil {
			return nil, err
		}
		if err := doc.Validate(context.Background()); err != nil {
			return nil, err
		}
		doc.Servers = openapi3.Servers{{URL: "http://saasplane.test" + prefix}}
		return gorillamux.NewRouter(doc)
	}))
	return v.(func() (routers.Router, error))()
}

// Conforms fails the test unless r is a response that our own document of
// the family at prefix (api/*.yaml, e.g. "/v1/billing") allows: its
// status among the operation's, its body of the declared schema.
func Conforms(t testing.TB, prefix string, r *Response) *Response {
	t.Helper()
	router, err := ownRouter(prefix)
	if err != nil {
		t.Fatalf("our document of %s: %v", prefix, err)
	}
	u, _ := url.Parse("http://saasplane.test" + r.Path)
	req, _ := http.NewRequest(r.Method, u.String(), nil)
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s: no route in our document of %s: %v", r, prefix, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, ExcludeRequestBody: true}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.Status, Header: r.Header,
		Body: io.NopCloser(bytes.NewReader(r.Body)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s: does not conform to our document of %s: %v", r, prefix, err)
	}
	return r
}
