package apitest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// Browser is an HTTP client that keeps cookies and does not follow
// redirects, so that a test of the hosted pages sees where a page sends
// it, as a browser's user would.
type Browser struct {
	t   testing.TB
	c   *http.Client
	url string
	// clients, when not 0, is the number of the last client address sent
	// in X-Forwarded-For (FromNewClients).
	clients int
}

// FromNewClients makes every later request name a new client address in
// X-Forwarded-For (198.18.0.0/15, the benchmarking range), so that a long
// test of the pages stays within the per-address sign-in limit. The
// server must trust the loopback proxy (Options.TrustedProxies).
func (b *Browser) FromNewClients() { b.clients = 1 }

// NewBrowser is a Browser of the server at baseURL, with no cookies yet.
func NewBrowser(t testing.TB, baseURL string) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{t: t, url: baseURL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Page is one answer of a hosted page.
type Page struct {
	Status int
	Header http.Header
	Body   string
}

// Do sends method to path, posting form (when not nil) as a form does,
// with header's fields added.
func (b *Browser) Do(method, path string, form url.Values, header http.Header) Page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.url+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.clients > 0 {
		b.clients++
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.18.%d.%d", b.clients/250%256, b.clients%250+1))
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return Page{Status: resp.StatusCode, Header: resp.Header, Body: string(raw)}
}

// SignIn signs login in on the hosted sign-in page of saasID, and returns
// the code the page sends to the SaaS's callback URL.
func (b *Browser) SignIn(saasID, login, password string) string {
	b.t.Helper()
	path := "/identity/" + saasID + "/sign-in"
	token := b.Do("GET", path, nil, nil).CSRF(b.t)
	p := b.Do("POST", path, url.Values{"csrf": {token}, "login": {login}, "password": {password}}, nil)
	to, err := url.Parse(p.Header.Get("Location"))
	if p.Status != http.StatusSeeOther || err != nil || to.Query().Get("code") == "" {
		b.t.Fatalf("the hosted sign-in answered %d to %q, want 303 to the callback with a code:\n%s", p.Status, p.Header.Get("Location"), p.Body)
	}
	return to.Query().Get("code")
}

// CSRF reads the form's token out of a page.
func (p Page) CSRF(t testing.TB) string {
	t.Helper()
	const mark = `name="csrf" value="`
	i := strings.Index(p.Body, mark)
	if i < 0 {
		t.Fatalf("no CSRF token in the page:\n%s", p.Body)
	}
	rest := p.Body[i+len(mark):]
	return rest[:strings.IndexByte(rest, '"')]
}

// Want fails the test unless the page answered status and says every one
// of text.
func (p Page) Want(t testing.TB, status int, text ...string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("status %d, want %d:\n%s", p.Status, status, p.Body)
	}
	for _, s := range text {
		if !strings.Contains(p.Body, s) {
			t.Errorf("the page does not say %q:\n%s", s, p.Body)
		}
	}
}
