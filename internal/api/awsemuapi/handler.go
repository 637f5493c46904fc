// Package awsemuapi serves saasplane's AWS Marketplace emulator over the
// vendor's wire protocols: AWS JSON 1.1 at POST /aws/marketplace
// (AWSMPMeteringService.ResolveCustomer and BatchMeterUsage,
// AWSMPEntitlementService.GetEntitlements; SigV4 signing name
// "aws-marketplace"), STS AssumeRole in the AWS Query protocol at POST
// /aws/sts (signing name "sts"), EventBridge PutEvents in AWS JSON 1.1 at
// POST /aws/events (AWSEvents.PutEvents; signing name "events"), and the
// emulator's admin APIs under /aws/marketplace/_emulator/ and
// /aws/events/_emulator/ (SAASUSSIGV1, SaaSus error bodies).
//
// Every wire call is SigV4-signed. AssumeRole accepts only the base
// credentials of Config; the marketplace operations accept the base
// credentials or temporary credentials from AssumeRole (with their
// X-Amz-Security-Token).
//
// The SNS notifications the emulator sends point back to it: the signing
// certificate at GET /aws/sns/cert.pem, SubscribeURL GET /aws/sns/confirm
// and UnsubscribeURL GET /aws/sns/unsubscribe, all unauthenticated as at
// SNS.
package awsemuapi

import (
	"context"
	"net/http"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/awsemu"
)

// The default base credentials: fine offline, where the emulator is the
// only thing that checks them.
const (
	DefaultAccessKeyID     = "AKIASAASPLANEEMULATOR"
	DefaultSecretAccessKey = "saasplane-emulator-secret"
)

// Wire limits.
const (
	// MaxBody bounds a wire request body (AWS: under 1 MB).
	MaxBody = 1 << 20
	// MaxClockSkew is how far X-Amz-Date may be from the server's time.
	MaxClockSkew = 15 * time.Minute
)

// Config is the emulator's wire configuration.
type Config struct {
	// AccessKeyID and SecretAccessKey are the base credentials: what
	// signs AssumeRole (and may sign marketplace calls). Empty means the
	// defaults above.
	AccessKeyID     string
	SecretAccessKey string
	// Now is the clock X-Amz-Date is checked against; nil means time.Now.
	// Token, session and usage rules use the service's clock.
	Now func() time.Time
}

// Handler serves the emulator.
type Handler struct {
	svc *awsemu.Service
	cfg Config
}

// New returns the emulator's handler.
func New(svc *awsemu.Service, cfg Config) *Handler {
	if cfg.AccessKeyID == "" {
		cfg.AccessKeyID = DefaultAccessKeyID
	}
	if cfg.SecretAccessKey == "" {
		cfg.SecretAccessKey = DefaultSecretAccessKey
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Handler{svc: svc, cfg: cfg}
}

// Register adds the wire routes to root and the admin routes, wrapped in
// auth (SAASUSSIGV1 authentication that puts the SaaS id in the context).
func (h *Handler) Register(root *httpx.Router, auth func(http.Handler) http.Handler) {
	mp := h.serveJSON(signingName, h.marketplaceOp)
	root.Handle("POST /aws/marketplace", mp)
	root.Handle("POST /aws/marketplace/{$}", mp)
	root.Handle("POST /aws/marketplace/service/", http.HandlerFunc(h.serveCBOR))
	sts := http.HandlerFunc(h.serveSTS)
	root.Handle("POST /aws/sts", sts)
	root.Handle("POST /aws/sts/{$}", sts)
	root.Handle("/aws/marketplace/_emulator/", auth(h.adminRouter()))
	h.registerSNS(root)
	h.registerEvents(root, auth)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
