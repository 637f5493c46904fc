package aws

import (
	"net/url"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

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
