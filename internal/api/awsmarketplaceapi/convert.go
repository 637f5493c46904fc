package awsmarketplaceapi

import (
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace/aws"
)

// ---- requests ----
//
// Request fields are pointers so an absent key can be told apart from an
// empty string. Every field is a JSON string: encoding/json refuses a
// number and names the field.

// settingsReq is a partial update: absent keys keep their value.
// redirect_sign_up_page_function_url is built by the server; a client that
// sends back what it read gets it ignored, like any unknown key.
type settingsReq struct {
	ProductCode       *string `json:"product_code"`
	RoleARN           *string `json:"role_arn"`
	RoleExternalID    *string `json:"role_external_id"`
	SNSTopicARN       *string `json:"sns_topic_arn"`
	CASBucketName     *string `json:"cas_bucket_name"`
	CASSNSTopicARN    *string `json:"cas_sns_topic_arn"`
	SellerSNSTopicARN *string `json:"seller_sns_topic_arn"`
	SQSARN            *string `json:"sqs_arn"`
	SignUpURL         *string `json:"sign_up_url"` // saasplane's extension
}

func (r settingsReq) toUpdate() aws.AWSSettingsUpdate {
	return aws.AWSSettingsUpdate{
		ProductCode: r.ProductCode, RoleARN: r.RoleARN, RoleExternalID: r.RoleExternalID,
		SNSTopicARN: r.SNSTopicARN, CASBucketName: r.CASBucketName, CASSNSTopicARN: r.CASSNSTopicARN,
		SellerSNSTopicARN: r.SellerSNSTopicARN, SQSARN: r.SQSARN, SignUpURL: r.SignUpURL,
	}
}

type listingStatusReq struct {
	ListingStatus *string `json:"listing_status"`
}

func (r listingStatusReq) toStatus() (aws.ListingStatus, error) {
	if r.ListingStatus == nil {
		var fe errs.FieldErrors
		fe.Add("listing_status", "is required")
		return "", fe.Err()
	}
	return aws.ListingStatus(*r.ListingStatus), nil
}

type planReq struct {
	PlanID   *string `json:"plan_id"`
	PlanName *string `json:"plan_name"`
}

func (r planReq) toLink() (aws.PlanLink, error) {
	var fe errs.FieldErrors
	if r.PlanID == nil {
		fe.Add("plan_id", "is required")
	}
	if r.PlanName == nil {
		fe.Add("plan_name", "is required")
	}
	if err := fe.Err(); err != nil {
		return aws.PlanLink{}, err
	}
	return aws.PlanLink{PlanID: *r.PlanID, PlanName: *r.PlanName}, nil
}

// ---- responses ----

// settingsResp always carries all nine fields, "" when unset.
type settingsResp struct {
	ProductCode                   string `json:"product_code"`
	RoleARN                       string `json:"role_arn"`
	RoleExternalID                string `json:"role_external_id"`
	SNSTopicARN                   string `json:"sns_topic_arn"`
	CASBucketName                 string `json:"cas_bucket_name"`
	CASSNSTopicARN                string `json:"cas_sns_topic_arn"`
	SellerSNSTopicARN             string `json:"seller_sns_topic_arn"`
	RedirectSignUpPageFunctionURL string `json:"redirect_sign_up_page_function_url"`
	SQSARN                        string `json:"sqs_arn"`
	SignUpURL                     string `json:"sign_up_url"` // saasplane's extension
}

func toSettingsResp(s aws.AWSSettings, fulfillmentURL string) settingsResp {
	return settingsResp{
		ProductCode: s.ProductCode, RoleARN: s.RoleARN, RoleExternalID: s.RoleExternalID,
		SNSTopicARN: s.SNSTopicARN, CASBucketName: s.CASBucketName, CASSNSTopicARN: s.CASSNSTopicARN,
		SellerSNSTopicARN: s.SellerSNSTopicARN, RedirectSignUpPageFunctionURL: fulfillmentURL, SQSARN: s.SQSARN,
		SignUpURL: s.SignUpURL,
	}
}

type listingStatusBody struct {
	ListingStatus string `json:"listing_status"`
}

type visibilityBody struct {
	Visibility string `json:"visibility"`
}

type planBody struct {
	PlanID   string `json:"plan_id"`
	PlanName string `json:"plan_name"`
}

func toPlanBody(l aws.PlanLink) planBody {
	return planBody{PlanID: l.PlanID, PlanName: l.PlanName}
}

type plansBody struct {
	Plans []planBody `json:"plans"`
}

type linkBody struct {
	Link string `json:"link"`
}
