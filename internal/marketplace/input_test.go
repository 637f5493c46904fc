package marketplace

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

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

func TestPlanLinkValidate(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"a", "normal_plan_name_month", "Plan_12_Month", strings.Repeat("x", 36), "_"} {
		if err := (PlanLink{PlanName: name, PlanID: "p"}).Validate(); err != nil {
			t.Errorf("plan name %q: %v", name, err)
		}
	}
	for _, name := range []string{"", strings.Repeat("x", 37), "a-b", "a b", "ä", "a/b", "plan.name"} {
		err := PlanLink{PlanName: name, PlanID: "p"}.Validate()
		if !slices.Equal(errs.FieldNames(err), []string{"plan_name"}) {
			t.Errorf("plan name %q: %v, want an error on plan_name", name, err)
		}
	}
	if err := (PlanLink{PlanName: "a"}).Validate(); !slices.Equal(errs.FieldNames(err), []string{"plan_id"}) {
		t.Errorf("empty plan id: %v", err)
	}
}

func TestVisibility(t *testing.T) {
	t.Parallel()
	for _, s := range ListingStatuses {
		want := VisibilityLimited
		switch s {
		case ListingRestricted:
			want = VisibilityRestricted
		case ListingPublic:
			want = VisibilityPublic
		}
		if got := s.Visibility(); got != want {
			t.Errorf("%s.Visibility() = %s, want %s", s, got, want)
		}
		if !s.Valid() {
			t.Errorf("%s is not valid", s)
		}
	}
	for _, s := range []ListingStatus{"", "Public", "LIMITED", "unknown"} {
		if s.Valid() {
			t.Errorf("%q is valid", s)
		}
	}
	if len(ListingStatuses) != 11 {
		t.Errorf("%d listing statuses, want 11", len(ListingStatuses))
	}
}

func TestLinks(t *testing.T) {
	t.Parallel()
	base := "https://cp.example.com"
	if got, want := FulfillmentURL(base+"/", "saas-1"), "https://cp.example.com/awsmarketplace/fulfillment/saas-1"; got != want {
		t.Errorf("FulfillmentURL = %s, want %s", got, want)
	}
	link := LaunchStackLink(base, "saas-1", AWSSettings{ExternalID: "ext-1", ProductCode: "prod1"})
	prefix := "https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate?"
	if !strings.HasPrefix(link, prefix) {
		t.Fatalf("link %s does not start with %s", link, prefix)
	}
	q, err := url.ParseQuery(strings.TrimPrefix(link, prefix))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"stackName":         "AWS-Marketplace-seller-Resource",
		"templateURL":       "https://cp.example.com/awsmarketplace/cloudformation/saas-1/template.yaml",
		"param_ExternalId":  "ext-1",
		"param_ProductCode": "prod1",
	} {
		if got := q.Get(k); got != want {
			t.Errorf("link %s = %q, want %q", k, got, want)
		}
	}
	if strings.Contains(LaunchStackLink(base, "s", AWSSettings{ExternalID: "e"}), "param_ProductCode") {
		t.Error("link names a product code that is not set")
	}
}

// TestSellerTemplate parses the embedded template and checks that it is
// CloudFormation-shaped and says what the launch link and the settings
// rely on.
func TestSellerTemplate(t *testing.T) {
	t.Parallel()
	var tpl struct {
		Version    string                    `yaml:"AWSTemplateFormatVersion"`
		Parameters map[string]map[string]any `yaml:"Parameters"`
		Resources  map[string]struct {
			Type       string         `yaml:"Type"`
			Properties map[string]any `yaml:"Properties"`
		} `yaml:"Resources"`
		Outputs map[string]map[string]any `yaml:"Outputs"`
	}
	if err := yaml.Unmarshal(sellerTemplate, &tpl); err != nil {
		t.Fatalf("template is not YAML: %v", err)
	}
	if tpl.Version != "2010-09-09" {
		t.Errorf("AWSTemplateFormatVersion = %q", tpl.Version)
	}
	for _, p := range []string{"ProductCode", "ExternalId", "SaasplanePrincipal"} {
		if tpl.Parameters[p]["Type"] != "String" {
			t.Errorf("parameter %s: %v", p, tpl.Parameters[p])
		}
	}
	types := map[string]int{}
	for name, r := range tpl.Resources {
		types[r.Type]++
		if r.Properties == nil {
			t.Errorf("resource %s has no properties", name)
		}
	}
	for typ, n := range map[string]int{"AWS::IAM::Role": 1, "AWS::SQS::Queue": 1, "AWS::SQS::QueuePolicy": 1, "AWS::SNS::Subscription": 2} {
		if types[typ] != n {
			t.Errorf("%d resources of type %s, want %d", types[typ], typ, n)
		}
	}
	for _, o := range []string{"ProductCode", "RoleArn", "RoleExternalId", "SnsTopicArn", "SqsArn"} {
		if tpl.Outputs[o]["Value"] == nil {
			t.Errorf("output %s has no value", o)
		}
	}
	text := string(sellerTemplate)
	for _, want := range []string{"aws-marketplace:ResolveCustomer", "aws-marketplace:BatchMeterUsage", "aws-marketplace:GetEntitlements",
		"sts:ExternalId", "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-${ProductCode}",
		"arn:aws:sns:us-east-1:287250355862:aws-mp-entitlement-notification-${ProductCode}", "sns.amazonaws.com"} {
		if !strings.Contains(text, want) {
			t.Errorf("template does not mention %s", want)
		}
	}
	// Every Ref and GetAtt names a parameter or a resource.
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				switch k {
				case "Ref":
					if _, ok := tpl.Parameters[x.(string)]; !ok {
						if _, ok := tpl.Resources[x.(string)]; !ok {
							t.Errorf("Ref to unknown %v", x)
						}
					}
				case "Fn::GetAtt":
					if _, ok := tpl.Resources[x.([]any)[0].(string)]; !ok {
						t.Errorf("GetAtt of unknown %v", x)
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	for _, r := range tpl.Resources {
		walk(r.Properties)
	}
	for _, o := range tpl.Outputs {
		walk(o)
	}
}
