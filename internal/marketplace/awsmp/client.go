// Package awsmp is saasplane's client of AWS Marketplace: the metering
// service (ResolveCustomer, BatchMeterUsage) and the entitlement service
// (GetEntitlements), called with the AWS JSON 1.1 protocol, signed with
// SigV4 (the aws-sdk-go-v2 signer) under credentials obtained by assuming
// the seller's role through STS (aws-sdk-go-v2). The endpoints can be
// overridden, so that the same client talks to saasplane's own emulator.
package awsmp

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
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// SigningName is the SigV4 service name of both marketplace services.
const SigningName = "aws-marketplace"

// DefaultRegion is where the SaaS marketplace APIs live.
const DefaultRegion = "us-east-1"

// Config says where and as whom the client calls.
type Config struct {
	// Region of the calls and of their signatures (DefaultRegion when "").
	Region string
	// MeteringEndpoint and EntitlementEndpoint are the services' base
	// URLs; "" means AWS's own in Region. Both may be the same URL: the
	// X-Amz-Target header names the operation.
	MeteringEndpoint, EntitlementEndpoint string
	// STSEndpoint is the base URL of STS; "" means AWS's own.
	STSEndpoint string
	// Credentials are saasplane's own, used only to assume each seller's
	// role.
	Credentials aws.CredentialsProvider
	// HTTPClient sends every call (http.DefaultClient when nil).
	HTTPClient *http.Client
	// MaxAttempts bounds the tries of one call on throttling, 5xx and
	// network errors (5 when 0); Backoff is the wait before try n+1
	// (exponential from 200 ms with jitter, at most 10 s, when nil).
	MaxAttempts int
	Backoff     func(attempt int) time.Duration
	// Now is the signing clock (time.Now when nil).
	Now func() time.Time
}

// Role is a seller's IAM role, which saasplane assumes for its calls.
type Role struct {
	ARN        string
	ExternalID string
}

// Client calls AWS Marketplace. It is safe for concurrent use and caches
// the credentials of each role until shortly before they expire.
type Client struct {
	cfg    Config
	sts    *sts.Client
	signer *v4.Signer

	mu    sync.Mutex
	roles map[Role]*aws.CredentialsCache
}

// New returns a client for cfg.
func New(cfg Config) *Client {
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.MeteringEndpoint == "" {
		cfg.MeteringEndpoint = "https://metering.marketplace." + cfg.Region + ".amazonaws.com"
	}
	if cfg.EntitlementEndpoint == "" {
		cfg.EntitlementEndpoint = "https://entitlement.marketplace." + cfg.Region + ".amazonaws.com"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.Backoff == nil {
		cfg.Backoff = defaultBackoff
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	stsOpts := sts.Options{Region: cfg.Region, Credentials: cfg.Credentials, HTTPClient: cfg.HTTPClient}
	if cfg.STSEndpoint != "" {
		stsOpts.BaseEndpoint = aws.String(cfg.STSEndpoint)
	}
	return &Client{cfg: cfg, sts: sts.New(stsOpts), signer: v4.NewSigner(), roles: map[Role]*aws.CredentialsCache{}}
}

// defaultBackoff waits 200 ms, 400 ms, 800 ms... (at most 10 s), each
// with up to 50 % jitter so that retries of many callers spread out.
func defaultBackoff(attempt int) time.Duration {
	d := min(200*time.Millisecond<<min(attempt, 6), 10*time.Second)
	return d/2 + rand.N(d/2+1)
}

// credentials returns the cached credentials provider of a role.
func (c *Client) credentials(role Role) (*aws.CredentialsCache, error) {
	if role.ARN == "" {
		return nil, errors.New("the AWS Marketplace settings have no role_arn")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cache, ok := c.roles[role]
	if !ok {
		p := stscreds.NewAssumeRoleProvider(c.sts, role.ARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "saasplane"
			o.Duration = time.Hour
			if role.ExternalID != "" {
				o.ExternalID = aws.String(role.ExternalID)
			}
		})
		cache = aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = 5 * time.Minute })
		c.roles[role] = cache
	}
	return cache, nil
}

// APIError is an error answered by AWS (or the emulator) with a type,
// e.g. InvalidTokenException.
type APIError struct {
	Status    int
	Type      string
	Message   string
	RequestID string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("AWS %s (HTTP %d, request %s): %s", e.Type, e.Status, e.RequestID, e.Message)
}

// Retryable reports whether trying the same call again may succeed.
func (e *APIError) Retryable() bool {
	switch e.Type {
	case "ThrottlingException", "InternalServiceErrorException", "ServiceUnavailableException":
		return true
	}
	return e.Status >= 500
}

// IsType reports whether err is an APIError of the given type.
func IsType(err error, typ string) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Type == typ
}

// call sends one JSON 1.1 operation and decodes its answer into out,
// retrying what may succeed on a later try.
func (c *Client) call(ctx context.Context, role Role, endpoint, target string, in, out any) error {
	creds, err := c.credentials(role)
	if err != nil {
		return err
	}
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	var last error
	for attempt := 0; attempt < c.cfg.MaxAttempts; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(c.cfg.Backoff(attempt - 1))
			select {
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("%s: %w (last error: %v)", target, ctx.Err(), last)
			case <-t.C:
			}
		}
		last = c.send(ctx, creds, endpoint, target, body, out)
		if last == nil || !retryable(last) {
			return last
		}
	}
	return fmt.Errorf("%s: gave up after %d attempts: %w", target, c.cfg.MaxAttempts, last)
}

func retryable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Retryable()
	}
	var se *stsError
	if errors.As(err, &se) {
		return false // a refused AssumeRole does not heal by itself
	}
	return true // the network: the call may not have arrived
}

// stsError wraps a failure to obtain the role's credentials.
type stsError struct{ err error }

func (e *stsError) Error() string { return "assume the seller's role: " + e.err.Error() }
func (e *stsError) Unwrap() error { return e.err }

func (c *Client) send(ctx context.Context, creds *aws.CredentialsCache, endpoint, target string, body []byte, out any) error {
	cr, err := creds.Retrieve(ctx)
	if err != nil {
		return &stsError{err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(endpoint, "/")+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, cr, req, hex.EncodeToString(sum[:]), SigningName, c.cfg.Region, c.cfg.Now()); err != nil {
		return err
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return decodeError(resp, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return &APIError{Status: resp.StatusCode, Type: "SerializationException", Message: "undecodable answer: " + err.Error(),
			RequestID: resp.Header.Get("x-amzn-RequestId")}
	}
	return nil
}

// decodeError reads an AWS JSON 1.1 error: the type comes from the body's
// __type (possibly "namespace#Type") or the x-amzn-ErrorType header
// (possibly "Type:http://..."), the message from message or Message.
func decodeError(resp *http.Response, b []byte) error {
	var body struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	_ = json.Unmarshal(b, &body)
	typ := body.Type
	if typ == "" {
		typ = resp.Header.Get("x-amzn-ErrorType")
	}
	if i := strings.LastIndexByte(typ, '#'); i >= 0 {
		typ = typ[i+1:]
	}
	if i := strings.IndexByte(typ, ':'); i >= 0 {
		typ = typ[:i]
	}
	if typ == "" {
		typ = http.StatusText(resp.StatusCode)
	}
	msg := body.Message
	if msg == "" {
		msg = body.MessageU
	}
	if msg == "" && body.Type == "" {
		msg = strings.TrimSpace(string(b[:min(len(b), 200)]))
	}
	return &APIError{Status: resp.StatusCode, Type: typ, Message: msg, RequestID: resp.Header.Get("x-amzn-RequestId")}
}
