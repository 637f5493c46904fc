package awsmarketplaceapi

import (
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace/aws"
)

// FulfillmentPattern is the fulfillment URL: AWS Marketplace sends the
// buyer's browser here with a form post, without any signature.
const FulfillmentPattern = "POST /awsmarketplace/fulfillment/{saas_id}"

// SignUpPagePattern is saasplane's own sign-up page, used until the SaaS
// sets sign_up_url.
const SignUpPagePattern = "GET /awsmarketplace/sign-up/{saas_id}"

// maxFormBytes bounds the fulfillment form (one token of a few hundred
// bytes).
const maxFormBytes = 64 << 10

// ---- requests and responses ----

type createCustomerReq struct {
	TenantID          *string `json:"tenant_id"`
	RegistrationToken *string `json:"registration_token"`
}

type verifyTokenReq struct {
	RegistrationToken *string `json:"registration_token"`
}

// customerBody is upstream's Customer plus saasplane's extensions (what the
// last sync and the notifications found), all strings.
type customerBody struct {
	CustomerIdentifier   string `json:"customer_identifier"`
	CustomerAWSAccountID string `json:"customer_aws_account_id"`
	TenantID             string `json:"tenant_id"`
	ProductCode          string `json:"product_code"`
	LicenseArn           string `json:"license_arn"`
	Status               string `json:"status"`
	Dimension            string `json:"dimension"`
	EntitlementExpiresAt string `json:"entitlement_expires_at"` // RFC 3339, "" when unknown
}

func toCustomerBody(c aws.AWSCustomer) customerBody {
	b := customerBody{CustomerIdentifier: c.CustomerIdentifier, CustomerAWSAccountID: c.CustomerAWSAccountID, TenantID: c.TenantID,
		ProductCode: c.ProductCode, LicenseArn: c.LicenseArn, Status: string(c.Status), Dimension: c.Dimension}
	if !c.EntitlementExpires.IsZero() {
		b.EntitlementExpiresAt = c.EntitlementExpires.UTC().Format(time.RFC3339)
	}
	return b
}

type customersBody struct {
	Customers []customerBody `json:"customers"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// ---- signed routes ----

func (h *Handler) createCustomer(w http.ResponseWriter, r *http.Request) error {
	var req createCustomerReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	c, err := h.svc.CreateCustomer(r.Context(), httpx.SaaSID(r.Context()), str(req.TenantID), str(req.RegistrationToken))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toCustomerBody(c))
	return nil
}

func (h *Handler) listCustomers(w http.ResponseWriter, r *http.Request) error {
	// tenant_ids is repeated (?tenant_ids=a&tenant_ids=b), as the SDKs send
	// it; a comma-separated value is accepted too.
	var ids []string
	for _, v := range r.URL.Query()["tenant_ids"] {
		for id := range strings.SplitSeq(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
	}
	cs, err := h.svc.ListCustomers(r.Context(), httpx.SaaSID(r.Context()), ids)
	if err != nil {
		return err
	}
	out := customersBody{Customers: make([]customerBody, len(cs))}
	for i, c := range cs {
		out.Customers[i] = toCustomerBody(c)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) getCustomer(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.GetCustomer(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("customer_identifier"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toCustomerBody(c))
	return nil
}

func (h *Handler) syncCustomer(w http.ResponseWriter, r *http.Request) error {
	return empty(w, h.svc.SyncCustomer(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("customer_identifier")))
}

func (h *Handler) verifyToken(w http.ResponseWriter, r *http.Request) error {
	var req verifyTokenReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	if req.RegistrationToken == nil {
		var fe errs.FieldErrors
		fe.Add("registration_token", "is required")
		return fe.Err()
	}
	return empty(w, h.svc.VerifyRegistrationToken(r.Context(), httpx.SaaSID(r.Context()), *req.RegistrationToken))
}

// ---- the buyer's browser ----

// fulfill receives the buyer from AWS Marketplace (a form post carrying
// x-amzn-marketplace-token) and sends the browser on with 303 See Other.
func (h *Handler) fulfill(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return errs.Invalid("the fulfillment URL takes a form post (application/x-www-form-urlencoded) with x-amzn-marketplace-token: %v", err)
	}
	to, err := h.svc.Fulfill(r.Context(), r.PathValue("saas_id"), r.PostForm.Get("x-amzn-marketplace-token"), h.publicURL)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

var signUpPage = template.Must(template.New("sign-up").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Finish your AWS Marketplace sign-up</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
code{display:block;padding:.75rem;background:#f3f3f3;word-break:break-all}</style></head>
<body><h1>Thank you for subscribing</h1>
{{if .Token}}<p>Your AWS Marketplace purchase was received. This product has not set up its own sign-up page yet,
so give the registration token below to its support team to link the purchase to your account.
It can be used once, within 24 hours.</p>
<code>{{.Token}}</code>
{{else}}<p>This page is reached from AWS Marketplace after a purchase. It carries no registration token.</p>{{end}}
<p><small>For the product's developers: set <em>sign_up_url</em> with PUT /v1/awsmarketplace/settings to send buyers
to your own page instead, with the token in the registration_token query parameter.</small></p>
</body></html>
`))

// signUp is saasplane's own landing page for buyers of a SaaS that has not
// set sign_up_url: it shows the registration token.
func (h *Handler) signUp(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.svc.GetAWSSettings(r.Context(), r.PathValue("saas_id")); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the URL
	w.WriteHeader(http.StatusOK)
	_ = signUpPage.Execute(w, struct{ Token string }{r.URL.Query().Get("registration_token")}) // only the client can fail now
	return nil
}
