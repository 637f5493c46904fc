package aws

import (
	"context"
	_ "embed"
	"net/url"
	"slices"
	"strings"

	"github.com/saasplane/saasplane/internal/marketplace"
)

// sellerTemplate is the CloudFormation template of the seller-side
// resources: the role saasplane assumes, the notification queue and its
// subscriptions to the AWS Marketplace topics of the product.
//
//go:embed aws-seller-resources.yaml
var sellerTemplate []byte

// StackName is the name the launch link gives the seller stack, as SaaSus
// names it.
const StackName = "AWS-Marketplace-seller-Resource"

// The AWS Marketplace topics live in us-east-1, so the stack that
// subscribes to them is created there.
const consoleBase = "https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate"

// FulfillmentURL is saasplane's fulfillment URL for a SaaS: where AWS
// Marketplace sends a buyer after subscribing. The seller enters it as the
// product's fulfillment URL.
func FulfillmentURL(publicURL, saasID string) string {
	return strings.TrimRight(publicURL, "/") + "/awsmarketplace/fulfillment/" + url.PathEscape(saasID)
}

// TemplateURL is where saasplane serves the seller template of a SaaS.
func TemplateURL(publicURL, saasID string) string {
	return strings.TrimRight(publicURL, "/") + "/awsmarketplace/cloudformation/" + url.PathEscape(saasID) + "/template.yaml"
}

// LaunchStackLink builds the CloudFormation console quick-create link of
// the seller stack: the template URL and the external id are filled in,
// and the product code when it is already set.
func LaunchStackLink(publicURL, saasID string, s AWSSettings) string {
	return launchStackLink(TemplateURL(publicURL, saasID), s)
}

// SellerTemplate is the CloudFormation template of the seller resources,
// the same for every SaaS, to upload where CloudFormation can read it.
func SellerTemplate() []byte { return slices.Clone(sellerTemplate) }

func launchStackLink(templateURL string, s AWSSettings) string {
	var b strings.Builder
	b.WriteString(consoleBase)
	add := func(sep, k, v string) {
		b.WriteString(sep + k + "=" + url.QueryEscape(v))
	}
	add("?", "stackName", StackName)
	add("&", "templateURL", templateURL)
	add("&", "param_ExternalId", s.ExternalID)
	if s.ProductCode != "" {
		add("&", "param_ProductCode", s.ProductCode)
	}
	return b.String()
}

// ExternalID returns the SaaS's sts:ExternalId for the seller role,
// generating and storing it on first use; it never changes afterwards.
func (s *Service) ExternalID(ctx context.Context, saasID string) (string, error) {
	st, err := s.ensureExternalID(ctx, saasID)
	return st.ExternalID, err
}

func (s *Service) ensureExternalID(ctx context.Context, saasID string) (AWSSettings, error) {
	st, err := s.settings(ctx, saasID)
	if err != nil || st.ExternalID != "" {
		return st, err
	}
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		st, err = tx.AWSSettings(ctx, saasID)
		if err != nil {
			return marketplace.SaaSNotFound(err, saasID)
		}
		if st.ExternalID != "" { // another request was first
			return nil
		}
		st.ExternalID = s.ids.UUID()
		return tx.PutAWSSettings(ctx, saasID, st)
	})
	return st, err
}

// LaunchStackLink returns the CloudFormation quick-create link for the
// SaaS's seller resources, with the template served under publicURL.
func (s *Service) LaunchStackLink(ctx context.Context, saasID, publicURL string) (string, error) {
	st, err := s.ensureExternalID(ctx, saasID)
	if err != nil {
		return "", err
	}
	if s.tmplURL != "" {
		return launchStackLink(s.tmplURL, st), nil
	}
	return LaunchStackLink(publicURL, saasID, st), nil
}

// SellerTemplate returns the CloudFormation template of the SaaS's seller
// resources; it is not found when there is no such SaaS.
func (s *Service) SellerTemplate(ctx context.Context, saasID string) ([]byte, error) {
	if _, err := s.settings(ctx, saasID); err != nil {
		return nil, err
	}
	return slices.Clone(sellerTemplate), nil
}
