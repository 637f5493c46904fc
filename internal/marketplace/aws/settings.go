package aws

import (
	"context"
	"net/url"
	"regexp"
	"strings"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace"
)

// AWSSettings are a SaaS's AWS Marketplace settings. Every string is empty
// until set.
type AWSSettings struct {
	ProductCode       string
	RoleARN           string
	RoleExternalID    string
	SNSTopicARN       string
	CASBucketName     string
	CASSNSTopicARN    string
	SellerSNSTopicARN string
	SQSARN            string

	// SignUpURL is where the fulfillment flow sends a buyer, with the
	// registration_token query parameter (saasplane's extension of the
	// settings); empty until set: saasplane's own sign-up page.
	SignUpURL string

	ListingStatus ListingStatus // ListingNoListing until set
	// ExternalID is the sts:ExternalId saasplane generated for the
	// CloudFormation launch link; empty until the link was first asked for.
	ExternalID string
}

// AWSSettingsUpdate is a partial update of AWSSettings: a nil field keeps
// its stored value, a pointer to "" clears it.
type AWSSettingsUpdate struct {
	ProductCode       *string
	RoleARN           *string
	RoleExternalID    *string
	SNSTopicARN       *string
	CASBucketName     *string
	CASSNSTopicARN    *string
	SellerSNSTopicARN *string
	SQSARN            *string
	SignUpURL         *string
}

// The shapes of the settings values. An ARN's partition may be aws, aws-cn
// or aws-us-gov; a region looks like us-east-1 or us-gov-west-1.
var (
	productCodeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	roleARNRE     = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$`)
	externalIDRE  = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	snsARNRE      = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:sns:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$`)
	sqsARNRE      = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:sqs:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$`)
	bucketRE      = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
)

// MaxRoleARNLen bounds a role ARN (a role path is at most 512 characters).
const MaxRoleARNLen = 2048

// Validate checks the shape of every field present. The empty string is
// always accepted: it clears the field.
func (in AWSSettingsUpdate) Validate() error {
	var fe errs.FieldErrors
	check := func(field string, v *string, ok func(string) bool, format string) {
		if v != nil && *v != "" && !ok(*v) {
			fe.Add(field, "%s", format)
		}
	}
	match := func(re *regexp.Regexp) func(string) bool { return re.MatchString }
	check("product_code", in.ProductCode, match(productCodeRE),
		"must be 1 to 64 letters, digits, '-' or '_' (the AWS Marketplace product code), or empty to clear it")
	check("role_arn", in.RoleARN, func(s string) bool { return len(s) <= MaxRoleARNLen && roleARNRE.MatchString(s) },
		"must be an IAM role ARN, arn:aws:iam::<12-digit account id>:role/<name>, or empty to clear it")
	check("role_external_id", in.RoleExternalID, func(s string) bool { return len(s) >= 2 && len(s) <= 1224 && externalIDRE.MatchString(s) },
		"must be 2 to 1224 letters, digits or any of _+=,.@:/- (an sts:ExternalId), or empty to clear it")
	const sns = "must be an SNS topic ARN, arn:aws:sns:<region>:<12-digit account id>:<topic name>, or empty to clear it"
	check("sns_topic_arn", in.SNSTopicARN, match(snsARNRE), sns)
	check("cas_sns_topic_arn", in.CASSNSTopicARN, match(snsARNRE), sns)
	check("seller_sns_topic_arn", in.SellerSNSTopicARN, match(snsARNRE), sns)
	check("sqs_arn", in.SQSARN, match(sqsARNRE),
		"must be an SQS queue ARN, arn:aws:sqs:<region>:<12-digit account id>:<queue name>, or empty to clear it")
	check("cas_bucket_name", in.CASBucketName, match(bucketRE),
		"must be an S3 bucket name: 3 to 63 lower-case letters, digits, '.' or '-', starting and ending with a letter or digit, or empty to clear it")
	check("sign_up_url", in.SignUpURL, validSignUpURL,
		"must be an absolute http or https URL without a fragment, at most 2048 characters, or empty to clear it")
	return fe.Err()
}

// validSignUpURL reports whether u can receive a buyer: an absolute http(s)
// URL the registration token can be added to as a query parameter.
func validSignUpURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && len(u) <= 2048 && (p.Scheme == "https" || p.Scheme == "http") && p.Host != "" && p.Fragment == "" && !strings.ContainsAny(u, " \t\n")
}

// apply returns s with the fields present in in replaced.
func (in AWSSettingsUpdate) apply(s AWSSettings) AWSSettings {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&s.ProductCode, in.ProductCode)
	set(&s.RoleARN, in.RoleARN)
	set(&s.RoleExternalID, in.RoleExternalID)
	set(&s.SNSTopicARN, in.SNSTopicARN)
	set(&s.CASBucketName, in.CASBucketName)
	set(&s.CASSNSTopicARN, in.CASSNSTopicARN)
	set(&s.SellerSNSTopicARN, in.SellerSNSTopicARN)
	set(&s.SQSARN, in.SQSARN)
	set(&s.SignUpURL, in.SignUpURL)
	return s
}

func (s *Service) settings(ctx context.Context, saasID string) (st AWSSettings, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		st, err = tx.AWSSettings(ctx, saasID)
		return marketplace.SaaSNotFound(err, saasID)
	})
	return st, err
}

// GetAWSSettings returns the SaaS's settings; unset values are empty.
func (s *Service) GetAWSSettings(ctx context.Context, saasID string) (AWSSettings, error) {
	return s.settings(ctx, saasID)
}

// UpdateAWSSettings changes the fields present in in and keeps the others.
func (s *Service) UpdateAWSSettings(ctx context.Context, saasID string, in AWSSettingsUpdate) error {
	if err := in.Validate(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		st, err := tx.AWSSettings(ctx, saasID)
		if err != nil {
			return marketplace.SaaSNotFound(err, saasID)
		}
		return tx.PutAWSSettings(ctx, saasID, in.apply(st))
	})
}
