// Package azuremp is saasplane's client of the Azure Marketplace: the SaaS
// Fulfillment API v2 (2018-08-31) and the metering API, called with Entra
// ID client-credentials tokens (cached until shortly before they expire),
// retried with backoff on throttling (honouring Retry-After), 5xx answers
// and network errors; and the validation of the marketplace's webhook
// tokens against the issuer's JWKS. The endpoints are configurable, so
// the same client talks to Microsoft or to saasplane's own emulator. It
// implements marketplace.Azure.
package azuremp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Microsoft's endpoints.
const (
	DefaultFulfillmentURL = "https://marketplaceapi.microsoft.com/api"
	DefaultAuthority      = "https://login.microsoftonline.com"
	APIVersion            = "2018-08-31"
	// ResourceID is the Marketplace SaaS API's Entra application id.
	ResourceID = "20e940b3-4c77-4b0b-9a53-9e16a1b010a7"
)

// Config says where the client calls.
type Config struct {
	// FulfillmentURL is the base of the Fulfillment and metering APIs
	// (DefaultFulfillmentURL when ""); a SaaS's settings may override it.
	FulfillmentURL string
	// Authority is the base of the token service and the signing keys:
	// {Authority}/{tenant}/oauth2/v2.0/token and
	// {Authority}/{tenant}/discovery/v2.0/keys (DefaultAuthority when "";
	// the emulator's is <saasplane>/azure).
	Authority string
	// HTTPClient sends every call (a client with a 30 s timeout when nil).
	HTTPClient *http.Client
	// MaxAttempts bounds the tries of one call on throttling, 5xx and
	// network errors (5 when 0); Backoff is the wait before try n+1
	// (exponential from 200 ms with jitter, at most 10 s, when nil).
	MaxAttempts int
	Backoff     func(attempt int) time.Duration
	// MaxRetryAfter caps a Retry-After wait (30 s when 0).
	MaxRetryAfter time.Duration
	// Now is the clock of token expiry and JWT validation (time.Now when nil).
	Now func() time.Time
}

// Client calls the Azure Marketplace. It is safe for concurrent use.
type Client struct {
	cfg Config

	mu     sync.Mutex
	tokens map[string]cachedToken
	jwks   map[string]*keySet
}

type cachedToken struct {
	token   string
	expires time.Time
}

// New returns a client for cfg.
func New(cfg Config) *Client {
	if cfg.FulfillmentURL == "" {
		cfg.FulfillmentURL = DefaultFulfillmentURL
	}
	if cfg.Authority == "" {
		cfg.Authority = DefaultAuthority
	}
	cfg.FulfillmentURL = strings.TrimRight(cfg.FulfillmentURL, "/")
	cfg.Authority = strings.TrimRight(cfg.Authority, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.Backoff == nil {
		cfg.Backoff = func(n int) time.Duration {
			d := min(200*time.Millisecond<<min(n-1, 10), 10*time.Second)
			return d/2 + rand.N(d/2+1)
		}
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{cfg: cfg, tokens: map[string]cachedToken{}, jwks: map[string]*keySet{}}
}

// Creds are the Entra app a call is made as, and an optional base URL.
type Creds struct {
	BaseURL      string
	TenantID     string
	ClientID     string
	ClientSecret string
}

// APIError is a failed answer of the marketplace (after every retry).
type APIError struct {
	Status  int
	Code    string
	Message string
	// Token is true when the token service refused the credentials.
	Token bool
}

func (e *APIError) Error() string {
	what := "Azure Marketplace"
	if e.Token {
		what = "Entra token service"
	}
	return fmt.Sprintf("%s answered HTTP %d %s: %s", what, e.Status, e.Code, e.Message)
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryable reports whether a status is worth another try.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// send sends a request built by build, retrying on throttling, 5xx and
// network errors. It returns the last answer (status >= 400 included).
func (c *Client) send(ctx context.Context, build func() (*http.Request, error)) (int, http.Header, []byte, error) {
	var lastErr error
	for attempt := 1; ; attempt++ {
		req, err := build()
		if err != nil {
			return 0, nil, nil, err
		}
		resp, err := c.cfg.HTTPClient.Do(req.WithContext(ctx))
		var status int
		var header http.Header
		var body []byte
		if err == nil {
			body, err = io.ReadAll(io.LimitReader(resp.Body, 4<<20))
			resp.Body.Close()
			status, header = resp.StatusCode, resp.Header
		}
		if ctx.Err() != nil {
			return 0, nil, nil, ctx.Err()
		}
		if err == nil && !retryable(status) {
			return status, header, body, nil
		}
		if err != nil {
			lastErr = err
		}
		if attempt >= c.cfg.MaxAttempts {
			if err != nil {
				return 0, nil, nil, fmt.Errorf("after %d attempts: %w", attempt, lastErr)
			}
			return status, header, body, nil
		}
		wait := c.cfg.Backoff(attempt)
		if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
			if s, perr := strconv.Atoi(strings.TrimSpace(header.Get("Retry-After"))); perr == nil && s >= 0 {
				wait = min(time.Duration(s)*time.Second, c.cfg.MaxRetryAfter)
			}
		}
		if err := c.sleep(ctx, wait); err != nil {
			return 0, nil, nil, err
		}
	}
}

func secretHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// token returns a cached access token for the app, or a fresh one.
func (c *Client) token(ctx context.Context, cr Creds, fresh bool) (string, error) {
	endpoint := c.cfg.Authority + "/" + url.PathEscape(cr.TenantID) + "/oauth2/v2.0/token"
	key := endpoint + "|" + cr.ClientID + "|" + secretHash(cr.ClientSecret)
	now := c.cfg.Now()
	c.mu.Lock()
	t, ok := c.tokens[key]
	c.mu.Unlock()
	if ok && !fresh && now.Before(t.expires) {
		return t.token, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {cr.ClientID}, "client_secret": {cr.ClientSecret},
		"scope": {ResourceID + "/.default"}}
	status, _, body, err := c.send(ctx, func() (*http.Request, error) {
		req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		return req, err
	})
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(body, &e)
		return "", &APIError{Status: status, Code: e.Error, Message: e.Description, Token: true}
	}
	var r struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.AccessToken == "" {
		return "", fmt.Errorf("token service: unreadable answer: %s", truncate(body))
	}
	secs, _ := strconv.ParseInt(strings.Trim(string(r.ExpiresIn), `"`), 10, 64)
	if secs <= 0 {
		secs = 300
	}
	// Renew a minute early (half the lifetime for short ones).
	ttl := time.Duration(secs) * time.Second
	ttl -= min(time.Minute, ttl/2)
	c.mu.Lock()
	c.tokens[key] = cachedToken{token: r.AccessToken, expires: now.Add(ttl)}
	c.mu.Unlock()
	return r.AccessToken, nil
}

func (c *Client) base(cr Creds) string {
	if cr.BaseURL != "" {
		return strings.TrimRight(cr.BaseURL, "/")
	}
	return c.cfg.FulfillmentURL
}

// call sends one API call: path under the base URL (or an absolute URL
// under it, for @nextLink), with api-version added. A refused token is
// renewed once.
func (c *Client) call(ctx context.Context, cr Creds, method, path string, header map[string]string, in any, out any) (int, error) {
	target := path
	if !strings.HasPrefix(path, "http://") && !strings.HasPrefix(path, "https://") {
		target = c.base(cr) + path
	} else if !strings.HasPrefix(path, c.base(cr)+"/") {
		return 0, fmt.Errorf("refusing to follow %q: not under %s", path, c.base(cr))
	}
	u, err := url.Parse(target)
	if err != nil {
		return 0, err
	}
	q := u.Query()
	q.Set("api-version", APIVersion)
	u.RawQuery = q.Encode()
	var payload []byte
	if in != nil {
		if payload, err = json.Marshal(in); err != nil {
			return 0, err
		}
	}
	for try := 0; ; try++ {
		tok, err := c.token(ctx, cr, try > 0)
		if err != nil {
			return 0, err
		}
		status, _, body, err := c.send(ctx, func() (*http.Request, error) {
			var rd io.Reader
			if payload != nil {
				rd = bytes.NewReader(payload)
			}
			req, err := http.NewRequest(method, u.String(), rd)
			if err != nil {
				return nil, err
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			if payload != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			req.Header.Set("x-ms-requestid", uuid.NewString())
			for k, v := range header {
				req.Header.Set(k, v)
			}
			return req, nil
		})
		if err != nil {
			return 0, err
		}
		if (status == http.StatusUnauthorized || status == http.StatusForbidden) && try == 0 {
			continue // the cached token may have been revoked: one fresh try
		}
		if status >= 400 {
			return status, apiError(status, body)
		}
		if out != nil && len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, out); err != nil {
				return status, fmt.Errorf("%s %s: unreadable answer: %v", method, path, err)
			}
		}
		return status, nil
	}
}

// apiError reads the marketplace's error bodies: {"code","message"},
// {"error":{"code","message"}} or {"Error":{"Code","Message"}}.
func apiError(status int, body []byte) *APIError {
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Error   *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	out := &APIError{Status: status, Code: e.Code, Message: e.Message}
	if e.Error != nil && out.Code == "" {
		out.Code, out.Message = e.Error.Code, e.Error.Message
	}
	if out.Message == "" {
		out.Message = truncate(body)
	}
	return out
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// IsStatus reports whether err is an APIError with that status.
func IsStatus(err error, status int) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == status
}
