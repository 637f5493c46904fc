package apitest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"testing"
)

// A seller and a buyer of the AWS emulator: the seller's settings, the purchase, and its arrival at the SaaS's
// fulfillment URL with the registration token it yields.

// awsEmu is the emulator's admin prefix.
const awsEmu = "/aws/marketplace/_emulator"

// AWSProductCode returns a fresh product code: in the emulator a product
// belongs to the first SaaS that buys it.
func AWSProductCode(t testing.TB) string {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "prod" + hex.EncodeToString(b)
}

// AWSSell sets c's SaaS up to sell a fresh product through the emulator
// (its AWS settings: product code, role and external id) and returns the
// product code.
func AWSSell(t testing.TB, c Client) string {
	t.Helper()
	product := AWSProductCode(t)
	c.OKEmpty(t, "PUT", "/v1/awsmarketplace/settings", Obj{"product_code": product,
		"role_arn": "arn:aws:iam::123456789012:role/saasplane-seller", "role_external_id": "ext-" + product})
	return product
}

// AWSBuy makes a purchase of dimension in the emulator and returns its
// marketplace token and customer identifiers.
func AWSBuy(t testing.TB, c Client, product, dimension string) Obj {
	t.Helper()
	return c.Do(t, "POST", awsEmu+"/purchases", Obj{"product_code": product, "dimension": dimension, "quantity": 1}).
		Want(t, http.StatusCreated).JSON(t)
}

// AWSFulfill posts the marketplace token to the SaaS's fulfillment URL as AWS
// Marketplace does (a browser form post, no signature) and returns the
// response.
func AWSFulfill(t testing.TB, c Client, saasID, marketplaceToken string) *Response {
	t.Helper()
	form := url.Values{"x-amzn-marketplace-token": {marketplaceToken}}.Encode()
	return c.Server.Raw(t, "POST", "/awsmarketplace/fulfillment/"+saasID, []byte(form),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
}

// AWSRegistrationToken follows the fulfillment redirect and returns the
// registration token it carries.
func AWSRegistrationToken(t testing.TB, r *Response) string {
	t.Helper()
	r.Want(t, http.StatusSeeOther)
	u, err := url.Parse(r.Header.Get("Location"))
	if err != nil {
		t.Fatalf("Location %q: %v", r.Header.Get("Location"), err)
	}
	tok := u.Query().Get("registration_token")
	if tok == "" {
		t.Fatalf("Location %q has no registration_token", u)
	}
	return tok
}
