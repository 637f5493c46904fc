package awsmp

import (
	"context"
	"errors"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace/aws"
)

// Port adapts a Client to what internal/marketplace/aws needs of AWS, turning
// AWS's errors into the domain's: a bad or expired token is invalid input;
// AWS unreachable, throttling after every retry, or refusing the role is
// unavailable.
type Port struct{ C *Client }

var _ aws.AWS = Port{}

func role(r aws.AWSRole) Role { return Role{ARN: r.ARN, ExternalID: r.ExternalID} }

// ResolveCustomer resolves a marketplace token.
func (p Port) ResolveCustomer(ctx context.Context, r aws.AWSRole, token string) (aws.Buyer, error) {
	c, err := p.C.ResolveCustomer(ctx, role(r), token)
	if err != nil {
		return aws.Buyer{}, domainError("resolve the marketplace token", err)
	}
	return aws.Buyer{CustomerIdentifier: c.CustomerIdentifier, CustomerAWSAccountID: c.CustomerAWSAccountID,
		ProductCode: c.ProductCode, LicenseArn: c.LicenseArn}, nil
}

// Entitlements returns the buyer's entitlements, looked up by license
// (with the account id) when the buyer has one, else by customer
// identifier.
func (p Port) Entitlements(ctx context.Context, r aws.AWSRole, b aws.Buyer) ([]aws.Entitlement, error) {
	f := EntitlementFilter{CustomerIdentifier: b.CustomerIdentifier}
	if b.LicenseArn != "" && b.CustomerAWSAccountID != "" {
		f = EntitlementFilter{CustomerAWSAccountID: b.CustomerAWSAccountID, LicenseArn: b.LicenseArn}
	}
	es, err := p.C.GetEntitlements(ctx, role(r), b.ProductCode, f)
	if err != nil {
		return nil, domainError("read the entitlements", err)
	}
	out := make([]aws.Entitlement, 0, len(es))
	for _, e := range es {
		d := aws.Entitlement{Dimension: e.Dimension, Expires: e.Expires()}
		if e.Value.IntegerValue != nil {
			d.Quantity = *e.Value.IntegerValue
		}
		out = append(out, d)
	}
	return out, nil
}

func domainError(what string, err error) error {
	var ae *APIError
	switch {
	case errors.As(err, &ae) && ae.Type == "InvalidTokenException":
		return errs.Invalid("AWS Marketplace does not know this marketplace token").WithType("invalid_marketplace_token")
	case errors.As(err, &ae) && ae.Type == "ExpiredTokenException":
		return errs.Invalid("the marketplace token has expired: start again from AWS Marketplace").WithType("expired_marketplace_token")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	e := errs.E(errs.KindUnavailable, "AWS Marketplace: could not %s: %v", what, err)
	e.Err = err
	return e
}

var _ aws.UsageSender = Port{}

// MeterUsage reports records with BatchMeterUsage. A record is identified
// by account id and license when its buyer has a license, else by customer
// identifier; its timestamp is the start of its hour.
func (p Port) MeterUsage(ctx context.Context, r aws.AWSRole, productCode string, records []aws.UsageRecord) ([]aws.UsageResult, []bool, error) {
	recs := make([]UsageRecord, len(records))
	for i, rec := range records {
		ur := UsageRecord{Timestamp: rec.Hour, Dimension: rec.Dimension, Quantity: int32(rec.Quantity)}
		if rec.LicenseArn != "" && rec.CustomerAWSAccountID != "" {
			ur.CustomerAWSAccountID, ur.LicenseArn = rec.CustomerAWSAccountID, rec.LicenseArn
		} else {
			ur.CustomerIdentifier = rec.CustomerIdentifier
		}
		recs[i] = ur
	}
	results, _, err := p.C.BatchMeterUsage(ctx, role(r), productCode, recs)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && !ae.Retryable() {
			return nil, nil, errs.Invalid("AWS refused the usage records: %s: %s", ae.Type, ae.Message).WithType("aws_usage_refused")
		}
		return nil, nil, domainError("report usage", err)
	}
	out := make([]aws.UsageResult, len(records))
	done := make([]bool, len(records))
	for _, res := range results {
		for i, rec := range recs {
			if !done[i] && res.Record == rec {
				out[i], done[i] = aws.UsageResult{Status: string(res.Status), MeteringRecordID: res.MeteringRecordID}, true
				break
			}
		}
	}
	return out, done, nil
}
