package aws

import (
	"slices"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/errs"
)

func ptr(s string) *string { return &s }

func TestAWSSettingsUpdateValidate(t *testing.T) {
	t.Parallel()
	ok := []struct {
		name string
		in   AWSSettingsUpdate
	}{
		{"nothing", AWSSettingsUpdate{}},
		{"every field empty clears", AWSSettingsUpdate{ProductCode: ptr(""), RoleARN: ptr(""), RoleExternalID: ptr(""),
			SNSTopicARN: ptr(""), CASBucketName: ptr(""), CASSNSTopicARN: ptr(""), SellerSNSTopicARN: ptr(""), SQSARN: ptr("")}},
		{"upstream examples", AWSSettingsUpdate{ProductCode: ptr("1234567890"), RoleARN: ptr("arn:aws:iam::123456789012:role/role-name"),
			RoleExternalID: ptr("1234567890"), SNSTopicARN: ptr("arn:aws:sns:us-east-1:123456789012:topic-name"),
			CASBucketName: ptr("cas-bucket-name"), CASSNSTopicARN: ptr("arn:aws:sns:us-east-1:123456789012:topic-name"),
			SellerSNSTopicARN: ptr("arn:aws:sns:us-east-1:123456789012:topic-name"), SQSARN: ptr("arn:aws:sqs:us-east-1:123456789012:queue_name")}},
		{"real product code", AWSSettingsUpdate{ProductCode: ptr("6gq4jfxugexb4xzn3acpagoto")}},
		{"role with path", AWSSettingsUpdate{RoleARN: ptr("arn:aws:iam::123456789012:role/service-role/saasplane+mp=1,a.b@c")}},
		{"gov partition", AWSSettingsUpdate{RoleARN: ptr("arn:aws-us-gov:iam::123456789012:role/r"),
			SNSTopicARN: ptr("arn:aws-us-gov:sns:us-gov-west-1:123456789012:t")}},
		{"marketplace topic", AWSSettingsUpdate{SNSTopicARN: ptr("arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-abc")}},
		{"fifo queue", AWSSettingsUpdate{SQSARN: ptr("arn:aws:sqs:ap-northeast-1:123456789012:q.fifo")}},
		{"uuid external id", AWSSettingsUpdate{RoleExternalID: ptr("0b6b7c5e-6f0a-4a8e-9a51-3f6f1e0b2c11")}},
		{"bucket with dots", AWSSettingsUpdate{CASBucketName: ptr("my.bucket-1")}},
	}
	for _, tc := range ok {
		if err := tc.in.Validate(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	bad := []struct {
		name  string
		in    AWSSettingsUpdate
		field string
	}{
		{"product code with space", AWSSettingsUpdate{ProductCode: ptr("a b")}, "product_code"},
		{"product code too long", AWSSettingsUpdate{ProductCode: ptr(strings.Repeat("a", 65))}, "product_code"},
		{"role arn of a user", AWSSettingsUpdate{RoleARN: ptr("arn:aws:iam::123456789012:user/u")}, "role_arn"},
		{"role arn short account", AWSSettingsUpdate{RoleARN: ptr("arn:aws:iam::12345:role/r")}, "role_arn"},
		{"role arn no name", AWSSettingsUpdate{RoleARN: ptr("arn:aws:iam::123456789012:role/")}, "role_arn"},
		{"role arn with region", AWSSettingsUpdate{RoleARN: ptr("arn:aws:iam:us-east-1:123456789012:role/r")}, "role_arn"},
		{"role arn name too long", AWSSettingsUpdate{RoleARN: ptr("arn:aws:iam::123456789012:role/" + strings.Repeat("r", 65))}, "role_arn"},
		{"external id one char", AWSSettingsUpdate{RoleExternalID: ptr("x")}, "role_external_id"},
		{"external id with space", AWSSettingsUpdate{RoleExternalID: ptr("a b")}, "role_external_id"},
		{"sns arn is sqs", AWSSettingsUpdate{SNSTopicARN: ptr("arn:aws:sqs:us-east-1:123456789012:q")}, "sns_topic_arn"},
		{"sns arn no region", AWSSettingsUpdate{CASSNSTopicARN: ptr("arn:aws:sns::123456789012:t")}, "cas_sns_topic_arn"},
		{"seller sns arn garbage", AWSSettingsUpdate{SellerSNSTopicARN: ptr("topic")}, "seller_sns_topic_arn"},
		{"sqs arn is sns", AWSSettingsUpdate{SQSARN: ptr("arn:aws:sns:us-east-1:123456789012:t")}, "sqs_arn"},
		{"bucket upper case", AWSSettingsUpdate{CASBucketName: ptr("Bucket")}, "cas_bucket_name"},
		{"bucket too short", AWSSettingsUpdate{CASBucketName: ptr("ab")}, "cas_bucket_name"},
		{"bucket ends with dash", AWSSettingsUpdate{CASBucketName: ptr("bucket-")}, "cas_bucket_name"},
	}
	for _, tc := range bad {
		err := tc.in.Validate()
		if errs.KindOf(err) != errs.KindInvalid || !slices.Equal(errs.FieldNames(err), []string{tc.field}) {
			t.Errorf("%s: got %v (fields %v), want invalid %s", tc.name, err, errs.FieldNames(err), tc.field)
		}
	}
}

func TestApplyKeepsAbsentFields(t *testing.T) {
	t.Parallel()
	old := AWSSettings{ProductCode: "p", RoleARN: "r", SQSARN: "q", ListingStatus: ListingPublic, ExternalID: "x"}
	got := AWSSettingsUpdate{RoleARN: ptr(""), SNSTopicARN: ptr("s")}.apply(old)
	want := AWSSettings{ProductCode: "p", RoleARN: "", SNSTopicARN: "s", SQSARN: "q", ListingStatus: ListingPublic, ExternalID: "x"}
	if got != want {
		t.Errorf("apply = %+v, want %+v", got, want)
	}
}
