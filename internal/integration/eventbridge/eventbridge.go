// Package eventbridge is saasplane's client of Amazon EventBridge: the
// adapter of internal/integration's Sender, calling PutEvents with the
// aws-sdk-go-v2 EventBridge client (AWS JSON 1.1, SigV4 signing name
// "events") in the region of each SaaS's settings. The endpoint can be
// overridden, so that the same client talks to saasplane's own emulator.
//
// What AWS answers means (the boundary's semantics): a call that fails as
// a whole accepted no entry; a call that succeeds may still have failed
// entries (FailedEntryCount), each with its own ErrorCode, of which
// InternalFailure and ThrottlingException are worth retrying. The SDK
// retries throttling, 5xx and network errors itself (MaxAttempts tries);
// what is left is errs.KindUnavailable, and a refusal (access denied, no
// such bus, invalid credentials or input) errs.KindConflict with type
// eventbridge_refused.
package eventbridge

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/integration"
)

// Config says where and as whom the client calls.
type Config struct {
	// Endpoint is the base URL of every call, whatever the region (e.g.
	// http://127.0.0.1:8080/aws/events, the emulator); "" means AWS's own
	// endpoint of each call's region.
	Endpoint string
	// Credentials sign the calls: static ones, or the default chain's.
	Credentials aws.CredentialsProvider
	// HTTPClient sends every call (http.DefaultClient when nil).
	HTTPClient *http.Client
	// MaxAttempts bounds the tries of one call on throttling, 5xx and
	// network errors (3 when 0, the SDK's default).
	MaxAttempts int
}

// Client sends events to EventBridge. It is safe for concurrent use.
type Client struct {
	c *eventbridge.Client
}

var _ integration.Sender = (*Client)(nil)

// New returns a client for cfg.
func New(cfg Config) *Client {
	o := eventbridge.Options{Credentials: cfg.Credentials, Region: "us-east-1"}
	if cfg.HTTPClient != nil {
		o.HTTPClient = cfg.HTTPClient
	}
	if cfg.Endpoint != "" {
		o.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	if cfg.MaxAttempts > 0 {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) { so.MaxAttempts = cfg.MaxAttempts })
	}
	return &Client{c: eventbridge.New(o)}
}

// PutEvents sends entries to busARN in region.
func (c *Client) PutEvents(ctx context.Context, region, busARN string, entries []integration.Entry) ([]integration.EntryResult, error) {
	in := &eventbridge.PutEventsInput{Entries: make([]types.PutEventsRequestEntry, len(entries))}
	for i, e := range entries {
		in.Entries[i] = types.PutEventsRequestEntry{
			EventBusName: aws.String(busARN), Source: aws.String(e.Source), DetailType: aws.String(e.DetailType),
			Detail: aws.String(string(e.Detail)), Time: aws.Time(e.Time),
		}
	}
	out, err := c.c.PutEvents(ctx, in, func(o *eventbridge.Options) { o.Region = region })
	if err != nil {
		return nil, domainError(err)
	}
	results := make([]integration.EntryResult, len(out.Entries))
	for i, r := range out.Entries {
		results[i] = integration.EntryResult{EventID: aws.ToString(r.EventId), ErrorCode: aws.ToString(r.ErrorCode),
			ErrorMessage: aws.ToString(r.ErrorMessage)}
	}
	return results, nil
}

// domainError turns the SDK's error (after its retries) into the domain's.
func domainError(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var ae smithy.APIError
	var re *smithyhttp.ResponseError
	status := 0
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	if errors.As(err, &ae) {
		msg := fmt.Sprintf("EventBridge refused PutEvents: %s (HTTP %d): %s", ae.ErrorCode(), status, ae.ErrorMessage())
		if status >= 400 && status < 500 && !retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err).Bool() {
			return &errs.Error{Kind: errs.KindConflict, Type: "eventbridge_refused", Message: msg, Err: err}
		}
		return &errs.Error{Kind: errs.KindUnavailable, Type: "eventbridge_unavailable",
			Message: fmt.Sprintf("EventBridge failed PutEvents: %s (HTTP %d): %s", ae.ErrorCode(), status, ae.ErrorMessage()), Err: err}
	}
	return &errs.Error{Kind: errs.KindUnavailable, Type: "eventbridge_unavailable", Message: fmt.Sprintf("EventBridge could not be reached: %v", err), Err: err}
}
