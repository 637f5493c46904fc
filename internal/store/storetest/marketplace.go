package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace/aws"
	"github.com/saasplane/saasplane/internal/store"
)

// testMarketplace checks the AWS Marketplace store: settings default, round
// trip and upsert; plan links upsert and scoping; pricing plan lookup.
func testMarketplace(t *testing.T, db *store.DB) {
	ctx := context.Background()
	st := db.AWSMarketplace()
	mpRead := func(fn func(aws.Tx) error) {
		t.Helper()
		if err := st.ReadTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	mpWrite := func(fn func(aws.Tx) error) {
		t.Helper()
		if err := st.WriteTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	a := newCatalog(t, db)
	other := newSaaS(t, db)

	t.Run("SettingsDefault", func(t *testing.T) {
		mpRead(func(tx aws.Tx) error {
			s, err := tx.AWSSettings(ctx, a.saasID)
			if want := (aws.AWSSettings{ListingStatus: aws.ListingNoListing}); s != want {
				t.Errorf("settings of a new SaaS = %+v, want %+v", s, want)
			}
			return err
		})
	})
	t.Run("SettingsOfMissingSaaS", func(t *testing.T) {
		err := st.ReadTx(ctx, func(tx aws.Tx) error {
			_, err := tx.AWSSettings(ctx, "no-such-saas")
			return err
		})
		if !errors.Is(err, errs.ErrNotExist) {
			t.Errorf("settings of a missing SaaS: %v, want ErrNotExist", err)
		}
	})
	full := aws.AWSSettings{
		ProductCode: "prod", RoleARN: "arn:aws:iam::123456789012:role/r", RoleExternalID: "ext",
		SNSTopicARN: "arn:aws:sns:us-east-1:123456789012:t", CASBucketName: "bucket", CASSNSTopicARN: "arn:aws:sns:us-east-1:123456789012:c",
		SellerSNSTopicARN: "arn:aws:sns:us-east-1:123456789012:s", SQSARN: "arn:aws:sqs:us-east-1:123456789012:q",
		ListingStatus: aws.ListingSecondStepPlanCreated, ExternalID: "generated-" + strings.Repeat("x", 100),
	}
	t.Run("SettingsRoundTripAndReplace", func(t *testing.T) {
		mpWrite(func(tx aws.Tx) error { return tx.PutAWSSettings(ctx, a.saasID, full) })
		mpRead(func(tx aws.Tx) error {
			s, err := tx.AWSSettings(ctx, a.saasID)
			if s != full {
				t.Errorf("read back %+v, want %+v", s, full)
			}
			return err
		})
		changed := full
		changed.RoleARN, changed.ListingStatus = "", aws.ListingPublic
		mpWrite(func(tx aws.Tx) error { return tx.PutAWSSettings(ctx, a.saasID, changed) })
		mpRead(func(tx aws.Tx) error {
			s, err := tx.AWSSettings(ctx, a.saasID)
			if s != changed {
				t.Errorf("after second put %+v, want %+v", s, changed)
			}
			o, err2 := tx.AWSSettings(ctx, other)
			if o.ProductCode != "" || o.ListingStatus != aws.ListingNoListing {
				t.Errorf("another SaaS sees %+v", o)
			}
			return errors.Join(err, err2)
		})
	})
	t.Run("PlanLinks", func(t *testing.T) {
		mpWrite(func(tx aws.Tx) error {
			return errors.Join(
				tx.PutAWSPlanLink(ctx, a.saasID, aws.PlanLink{PlanName: "monthly", PlanID: a.plan.ID}),
				tx.PutAWSPlanLink(ctx, a.saasID, aws.PlanLink{PlanName: "yearly", PlanID: "old"}),
				tx.PutAWSPlanLink(ctx, a.saasID, aws.PlanLink{PlanName: "yearly", PlanID: a.plan.ID}),
				tx.PutAWSPlanLink(ctx, other, aws.PlanLink{PlanName: "monthly", PlanID: "theirs"}),
			)
		})
		mpRead(func(tx aws.Tx) error {
			ls, err := tx.AWSPlanLinks(ctx, a.saasID)
			slices.SortFunc(ls, func(x, y aws.PlanLink) int { return strings.Compare(x.PlanName, y.PlanName) })
			want := []aws.PlanLink{{PlanName: "monthly", PlanID: a.plan.ID}, {PlanName: "yearly", PlanID: a.plan.ID}}
			if !slices.Equal(ls, want) {
				t.Errorf("links %v, want %v", ls, want)
			}
			l, err2 := tx.AWSPlanLink(ctx, other, "monthly")
			if l.PlanID != "theirs" {
				t.Errorf("other SaaS's link %v", l)
			}
			_, err3 := tx.AWSPlanLink(ctx, other, "yearly")
			if !errors.Is(err3, errs.ErrNotExist) {
				t.Errorf("link of a name only A uses, read as another SaaS: %v, want ErrNotExist", err3)
			}
			return errors.Join(err, err2)
		})
	})
	t.Run("PricingPlanIDs", func(t *testing.T) {
		mpRead(func(tx aws.Tx) error {
			got, err := tx.PricingPlanIDs(ctx, a.saasID, a.plan.ID, "missing")
			if !slices.Equal(got, []string{a.plan.ID}) {
				t.Errorf("PricingPlanIDs = %v, want [%s]", got, a.plan.ID)
			}
			got2, err2 := tx.PricingPlanIDs(ctx, other, a.plan.ID)
			if len(got2) != 0 {
				t.Errorf("another SaaS sees A's plan: %v", got2)
			}
			got3, err3 := tx.PricingPlanIDs(ctx, a.saasID)
			if len(got3) != 0 {
				t.Errorf("PricingPlanIDs() = %v, want none", got3)
			}
			return errors.Join(err, err2, err3)
		})
	})
}
