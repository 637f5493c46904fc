package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/sigv1"
)

// creds are the SaaS credentials every request is signed with.
type creds struct {
	SaaSID, APIKey, Secret string
}

// signer computes SAASUSSIGV1 signatures for one goroutine, reusing its
// HMAC state and buffers. Every request gets a real HMAC over the current
// UTC minute; only the formatting of that minute is cached.
type signer struct {
	c         creds
	mac       hash.Hash
	minute    int64
	minuteStr []byte
	sum       []byte
	hexSig    [2 * sha256.Size]byte
	suffix    string
}

func newSigner(c creds) *signer {
	return &signer{c: c, mac: hmac.New(sha256.New, []byte(c.Secret)), minute: -1,
		suffix: ", SaaSID=" + c.SaaSID + ", APIKey=" + c.APIKey}
}

// sign returns the Authorization header value. signed is the precomputed
// "api key + METHOD + host:port/path?query" of the request.
func (s *signer) sign(now time.Time, signed, body []byte) string {
	if m := now.Unix() / 60; m != s.minute {
		s.minute = m
		s.minuteStr = now.UTC().AppendFormat(s.minuteStr[:0], "200601021504")
	}
	s.mac.Reset()
	s.mac.Write(s.minuteStr)
	s.mac.Write(signed)
	s.mac.Write(body)
	s.sum = s.mac.Sum(s.sum[:0])
	hex.Encode(s.hexSig[:], s.sum)
	return sigv1.Scheme + " Sig=" + string(s.hexSig[:]) + s.suffix
}

// template is a request prepared once and sent many times.
type template struct {
	method string
	u      url.URL
	signed []byte // api key + METHOD + host:port + request URI
	body   []byte
	// okPrefix, when set, is what a 200 body must start with.
	okPrefix []byte
}

func (a *api) template(method, pathQuery string, body []byte) template {
	u, err := url.Parse(a.base + pathQuery)
	if err != nil {
		panic(err)
	}
	return template{method: method, u: *u, body: body,
		signed: []byte(a.creds.APIKey + strings.ToUpper(method) + sigv1.Target(u.Host, u.RequestURI()))}
}

// api talks to one saasplane server.
type api struct {
	base  string // http://host:port
	creds creds
	hc    *http.Client
}

func newAPI(base string, c creds, conns int) *api {
	tr := &http.Transport{
		MaxIdleConns:        conns + 8,
		MaxIdleConnsPerHost: conns + 8,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	return &api{base: strings.TrimRight(base, "/"), creds: c, hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// send signs and sends t, reads the whole response and returns its status
// and body (appended to buf).
func (a *api) send(ctx context.Context, s *signer, t *template, buf []byte) (int, []byte, error) {
	u := t.u // the transport must not share a URL between requests
	req := &http.Request{
		Method:        t.method,
		URL:           &u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Authorization": {s.sign(time.Now(), t.signed, t.body)}},
		Host:          u.Host,
		ContentLength: int64(len(t.body)),
	}
	if len(t.body) > 0 {
		req.Header["Content-Type"] = []string{"application/json"}
		req.Body = io.NopCloser(bytes.NewReader(t.body))
		body := t.body
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	req = req.WithContext(ctx)
	resp, err := a.hc.Do(req)
	if err != nil {
		return 0, buf, err
	}
	defer resp.Body.Close()
	b := bytes.NewBuffer(buf[:0])
	_, err = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.Bytes(), err
}

// call is send for setup and verification: JSON in, JSON out, one status
// expected.
func (a *api) call(ctx context.Context, method, pathQuery string, in any, want int, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	t := a.template(method, pathQuery, body)
	status, resp, err := a.send(ctx, newSigner(a.creds), &t, nil)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, pathQuery, err)
	}
	if status != want {
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, pathQuery, status, want, bytes.TrimSpace(resp))
	}
	if out != nil {
		if err := json.Unmarshal(resp, out); err != nil {
			return fmt.Errorf("%s %s: decode %q: %w", method, pathQuery, resp, err)
		}
	}
	return nil
}

// checkSigner makes sure the reusable signer agrees with internal/sigv1.
func checkSigner(c creds) error {
	s := newSigner(c)
	now := time.Now()
	signed := []byte(c.APIKey + "PUT" + "127.0.0.1:1/v1/x?y=1")
	body := []byte(`{"method":"add","count":1}`)
	for i := 0; i < 2; i++ { // twice: the second one reuses the state
		got := s.sign(now, signed, body)
		want := sigv1.Header{Sig: sigv1.Sign([]byte(c.Secret), now, c.APIKey, "PUT", "127.0.0.1:1/v1/x?y=1", body),
			SaaSID: c.SaaSID, APIKey: c.APIKey}.Format()
		if got != want {
			return fmt.Errorf("signer disagrees with sigv1: %q != %q", got, want)
		}
	}
	return nil
}
