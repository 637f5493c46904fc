package awsemuapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/marketplace/awsmp"
)

// saasplane's own AWS client works against the emulator end to end.
func TestAWSMPClientAgainstTheEmulator(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		p := buy(t, e.admin, pc("prod-awsmp"), "users", 4)
		c := awsmp.New(awsmp.Config{
			MeteringEndpoint: e.s.URL + "/aws/marketplace", EntitlementEndpoint: e.s.URL + "/aws/marketplace",
			STSEndpoint: e.s.URL + "/aws/sts",
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return base, nil }),
			MaxAttempts: 1,
		})
		role := awsmp.Role{ARN: "arn:aws:iam::123456789012:role/seller", ExternalID: "ext-1"}
		cust, err := c.ResolveCustomer(t.Context(), role, p.MarketplaceToken)
		if err != nil || cust.CustomerIdentifier != p.CustomerIdentifier || cust.LicenseArn != p.LicenseArn {
			t.Fatalf("ResolveCustomer = %+v, %v", cust, err)
		}
		ents, err := c.GetEntitlements(t.Context(), role, pc("prod-awsmp"), awsmp.EntitlementFilter{CustomerIdentifier: p.CustomerIdentifier})
		if err != nil || len(ents) != 1 || ents[0].Value.IntegerValue == nil || *ents[0].Value.IntegerValue != 4 {
			t.Fatalf("GetEntitlements = %+v, %v", ents, err)
		}
		res, unprocessed, err := c.BatchMeterUsage(t.Context(), role, pc("prod-awsmp"), []awsmp.UsageRecord{
			{Timestamp: time.Now().Add(-time.Hour), CustomerIdentifier: p.CustomerIdentifier, Dimension: "users", Quantity: 2},
		})
		if err != nil || len(res) != 1 || res[0].Status != awsmp.UsageSuccess || res[0].MeteringRecordID == "" || len(unprocessed) != 0 {
			t.Fatalf("BatchMeterUsage = %+v, %+v, %v", res, unprocessed, err)
		}
	})
}
