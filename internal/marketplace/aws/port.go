package aws

import (
	"context"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// AWSRole is the seller's IAM role saasplane assumes to call AWS.
type AWSRole struct {
	ARN        string
	ExternalID string
}

// Buyer identifies an AWS Marketplace customer. Both pairs are kept:
// CustomerIdentifier with ProductCode (products before June 2026) and
// CustomerAWSAccountID with LicenseArn (after).
type Buyer struct {
	CustomerIdentifier   string
	CustomerAWSAccountID string
	ProductCode          string
	LicenseArn           string
}

// Entitlement is one dimension (an AWS plan name) a buyer's contract
// entitles them to.
type Entitlement struct {
	Dimension string
	Quantity  int64
	Expires   time.Time // zero: no end known
}

// AWS is what the AWS Marketplace flow needs from AWS; internal/marketplace/awsmp
// implements it over the real services or saasplane's emulator. Errors
// the caller should see are *errs.Error (an invalid or expired token is
// KindInvalid; AWS unreachable or refusing the role is KindUnavailable).
type AWS interface {
	ResolveCustomer(ctx context.Context, role AWSRole, token string) (Buyer, error)
	Entitlements(ctx context.Context, role AWSRole, b Buyer) ([]Entitlement, error)
}

// role returns the role and external id saasplane assumes: the external
// id of the settings when set, else the one the launch link carried.
func (st AWSSettings) role() AWSRole {
	ext := st.RoleExternalID
	if ext == "" {
		ext = st.ExternalID
	}
	return AWSRole{ARN: st.RoleARN, ExternalID: ext}
}

// awsReady returns the settings when the SaaS can call AWS.
func (s *Service) awsReady(ctx context.Context, saasID string) (AWSSettings, error) {
	st, err := s.settings(ctx, saasID)
	if err != nil {
		return st, err
	}
	if s.aws == nil {
		return st, errs.E(errs.KindUnavailable, "this server has no AWS client configured")
	}
	if st.RoleARN == "" {
		return st, errs.Conflict("the AWS Marketplace settings have no role_arn: PUT /v1/awsmarketplace/settings first").WithType("aws_settings_incomplete")
	}
	return st, nil
}
