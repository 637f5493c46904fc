package authapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
)

// The AWS Marketplace buyer's sign-up and link (rules in
// internal/marketplace/aws, signup.go).

func (h *Handler) registerAWSMarketplace(rt *httpx.Router) {
	p := Prefix
	rt.HandleFunc("POST "+p+"/aws-marketplace/sign-up", h.awsSignUp)
	rt.HandleFunc("POST "+p+"/aws-marketplace/sign-up-confirm", h.awsConfirmSignUp)
	rt.HandleFunc("PATCH "+p+"/aws-marketplace/link", h.awsLink)
}

// awsMarketplaceBody is the body of all three routes; each reads its own
// fields and says which of them are missing.
type awsMarketplaceBody struct {
	Email             string `json:"email"`
	TenantName        string `json:"tenant_name"`
	TenantID          string `json:"tenant_id"`
	AccessToken       string `json:"access_token"`
	RegistrationToken string `json:"registration_token"`
}

func decodeAWSMarketplace(r *http.Request) (awsMarketplaceBody, error) {
	var b awsMarketplaceBody
	return b, httpx.DecodeJSON(r, &b)
}

func (h *Handler) awsSignUp(w http.ResponseWriter, r *http.Request) error {
	b, err := decodeAWSMarketplace(r)
	if err != nil {
		return err
	}
	u, err := h.aws.SignUp(r.Context(), saasID(r), b.Email, b.RegistrationToken)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toSaasUserResp(u))
	return nil
}

func (h *Handler) awsConfirmSignUp(w http.ResponseWriter, r *http.Request) error {
	b, err := decodeAWSMarketplace(r)
	if err != nil {
		return err
	}
	t, err := h.aws.ConfirmSignUp(r.Context(), saasID(r), b.TenantName, b.AccessToken, b.RegistrationToken)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toTenantResp(t))
	return nil
}

func (h *Handler) awsLink(w http.ResponseWriter, r *http.Request) error {
	b, err := decodeAWSMarketplace(r)
	if err != nil {
		return err
	}
	return empty(w, h.aws.Link(r.Context(), saasID(r), b.TenantID, b.AccessToken, b.RegistrationToken))
}
