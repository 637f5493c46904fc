package aws

import (
	"log/slog"
	"time"

	"github.com/saasplane/saasplane/internal/idgen"
	"github.com/saasplane/saasplane/internal/marketplace"
)

// Service is the AWS Marketplace integration of every SaaS: its settings,
// plan links, and the buyers linked to its tenants. Each method takes the
// id of the SaaS that the caller authenticated as; nothing crosses SaaS
// boundaries.
type Service struct {
	store   Store
	ids     *idgen.Source
	now     func() time.Time
	log     *slog.Logger
	aws     AWS
	tenants marketplace.Tenants
	users   Users
	tmplURL string
}

// Deps are what a Service works with besides its store.
type Deps struct {
	// IDs draws the external ids of the CloudFormation launch links and
	// the registration tokens: idgen.Crypto in production.
	IDs *idgen.Source
	Now func() time.Time
	Log *slog.Logger
	// AWS calls AWS Marketplace (or the emulator); nil makes the calls
	// that need it answer 503.
	AWS AWS
	// Tenants gives linked tenants the plans of their AWS contracts.
	Tenants marketplace.Tenants
	// Users is the SaaS's user pool, for the buyers who sign up (signup.go).
	Users Users
	// TemplateURL, when set, is where the launch link points CloudFormation
	// for the seller template (an Amazon S3 URL, the only kind the
	// CloudFormation console reads); otherwise the template saasplane
	// serves itself.
	TemplateURL string
}

// NewService builds a Service.
func NewService(store Store, d Deps) *Service {
	return &Service{store: store, ids: d.IDs, now: d.Now, log: d.Log, aws: d.AWS, tenants: d.Tenants, users: d.Users, tmplURL: d.TemplateURL}
}
