// Package saasus points code written against the official SaaSus SDKs at
// a saasplane server with one line of setup:
//
//	if err := saasus.Use("https://saasplane.example.com"); err != nil { ... }
//
// The SaaSus Go SDK's clients and ready-made helpers send every request
// to https://api.saasus.io, through Go's default transport (their
// generated clients make an http.Client without one). Use wraps
// http.DefaultTransport with one that sends those requests to saasplane
// instead and
// signs each one again (SAASUSSIGV1, with the SAASUS_SAAS_ID,
// SAASUS_API_KEY and SAASUS_SECRET_KEY the SDK reads), so the signature
// covers the URL actually sent and stays valid behind any proxy. Requests
// to other hosts pass through untouched. Clients built with their own
// http.Client take Transport instead.
package saasus

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/sigv1"
)

// Host is the host the SDKs call.
const Host = "api.saasus.io"

// Credentials are what a redirected request is signed with.
type Credentials struct{ SaaSID, APIKey, SecretKey string }

// FromEnv reads the credentials the SaaSus SDKs read, at each request.
func FromEnv() (Credentials, error) {
	c := Credentials{SaaSID: os.Getenv("SAASUS_SAAS_ID"), APIKey: os.Getenv("SAASUS_API_KEY"), SecretKey: os.Getenv("SAASUS_SECRET_KEY")}
	if c.SaaSID == "" || c.APIKey == "" || c.SecretKey == "" {
		return c, errors.New("saasus: SAASUS_SAAS_ID, SAASUS_API_KEY and SAASUS_SECRET_KEY must be set")
	}
	return c, nil
}

// Use sends the SDKs' requests to the saasplane server at base (scheme
// and host, e.g. http://127.0.0.1:8080), by wrapping
// http.DefaultTransport; SAASPLANE_SERVER is used when base is "". Call it
// once, at start-up, before any request: it changes the process's default
// transport, for api.saasus.io only.
func Use(base string) error {
	if base == "" {
		base = os.Getenv("SAASPLANE_SERVER")
	}
	next := http.DefaultTransport
	if r, ok := next.(*redirect); ok {
		next = r.next // a second Use replaces the first
	}
	t, err := Transport(base, next, FromEnv)
	if err != nil {
		return err
	}
	http.DefaultTransport = t
	return nil
}

// Transport returns a RoundTripper that sends requests for api.saasus.io
// to base through next, signed again with the credentials creds answers
// (FromEnv when nil), and every other request to next unchanged.
func Transport(base string, next http.RoundTripper, creds func() (Credentials, error)) (http.RoundTripper, error) {
	u, err := url.Parse(base)
	switch {
	case err != nil:
		return nil, fmt.Errorf("saasus: server URL %q: %w", base, err)
	case (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return nil, fmt.Errorf("saasus: server URL %q: want http(s)://host[:port]", base)
	case strings.Trim(u.Path, "/") != "" || u.RawQuery != "":
		return nil, fmt.Errorf("saasus: server URL %q: want no path or query (the SDK's /v1/... paths are kept)", base)
	}
	if next == nil {
		next = http.DefaultTransport
	}
	if creds == nil {
		creds = FromEnv
	}
	return &redirect{scheme: u.Scheme, host: u.Host, next: next, creds: creds, now: time.Now}, nil
}

type redirect struct {
	scheme, host string
	next         http.RoundTripper
	creds        func() (Credentials, error)
	now          func() time.Time
}

func (rt *redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.EqualFold(req.URL.Hostname(), Host) {
		return rt.next.RoundTrip(req)
	}
	c, err := rt.creds()
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context()) // a RoundTripper must not change the caller's request
	out.URL.Scheme, out.URL.Host, out.Host = rt.scheme, rt.host, ""
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		out.ContentLength = int64(len(body))
	}
	target := strings.SplitN(out.URL.String(), "//", 2)[1] // as the SDK signs: the URL without its scheme
	sig := sigv1.Sign([]byte(c.SecretKey), rt.now(), c.APIKey, out.Method, target, body)
	out.Header.Set("Authorization", sigv1.Header{Sig: sig, SaaSID: c.SaaSID, APIKey: c.APIKey}.Format())
	return rt.next.RoundTrip(out)
}
