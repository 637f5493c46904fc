// Package awsmarketplaceapi serves the SaaSus-compatible AWS Marketplace API
// under /v1/awsmarketplace (settings, listing status, catalog visibility,
// plan links, the CloudFormation launch link, registration tokens and
// customers) and, unauthenticated, the CloudFormation template that link
// points to, the fulfillment URL and saasplane's own sign-up page. Handlers decode and
// convert; every rule lives in internal/marketplace/aws.
package awsmarketplaceapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/marketplace"
	"github.com/saasplane/saasplane/internal/marketplace/aws"
	"github.com/saasplane/saasplane/internal/marketplace/awsmp"
)

// Prefix is where the API is mounted.
const Prefix = "/v1/awsmarketplace"

// TemplatePattern is the unauthenticated route of the seller template.
const TemplatePattern = "GET /awsmarketplace/cloudformation/{saas_id}/template.yaml"

// Handler serves the AWS Marketplace routes.
type Handler struct {
	svc       *aws.Service
	rounds    marketplace.RoundRunner
	publicURL string
	sns       *awsmp.SNSVerifier
}

// New returns a Handler over svc. rounds runs the usage rounds asked for
// (nil answers 503). publicURL is the base of the absolute URLs it hands
// out (no trailing slash); sns checks the notifications SNS posts (nil
// refuses them).
func New(svc *aws.Service, rounds marketplace.RoundRunner, publicURL string, sns *awsmp.SNSVerifier) *Handler {
	return &Handler{svc: svc, rounds: rounds, publicURL: publicURL, sns: sns}
}

// Register adds the signed /v1 routes to rt.
func (h *Handler) Register(rt *httpx.Router) {
	p := Prefix
	rt.HandleFunc("GET "+p+"/settings", h.getSettings)
	rt.HandleFunc("PUT "+p+"/settings", h.updateSettings)
	rt.HandleFunc("GET "+p+"/listing-status", h.getListingStatus)
	rt.HandleFunc("PUT "+p+"/listing-status", h.updateListingStatus)
	rt.HandleFunc("GET "+p+"/catalog-entity/visibility", h.getVisibility)
	rt.HandleFunc("GET "+p+"/plans", h.listPlans)
	rt.HandleFunc("PUT "+p+"/plans", h.savePlan)
	rt.HandleFunc("GET "+p+"/plans/{plan_name}", h.getPlan)
	rt.HandleFunc("GET "+p+"/cloudformation-launch-stack-link", h.launchStackLink)
	rt.HandleFunc("GET "+p+"/errors/internal-server-error", h.internalServerError)
	rt.HandleFunc("POST "+p+"/customers", h.createCustomer)
	rt.HandleFunc("GET "+p+"/customers", h.listCustomers)
	rt.HandleFunc("GET "+p+"/customers/{customer_identifier}", h.getCustomer)
	rt.HandleFunc("POST "+p+"/customers/{customer_identifier}/sync", h.syncCustomer)
	rt.HandleFunc("POST "+p+"/registration-token/verify", h.verifyToken)
	// saasplane's extension: usage reporting.
	rt.HandleFunc("GET "+p+"/metering-dimensions", h.listMeterDimensions)
	rt.HandleFunc("PUT "+p+"/metering-dimensions", h.linkMeter)
	rt.HandleFunc("DELETE "+p+"/metering-dimensions/{metering_unit_name}", h.unlinkMeter)
	rt.HandleFunc("GET "+p+"/usage-reports", h.listUsageReports)
	rt.HandleFunc("POST "+p+"/usage-reports/run", h.reportUsage)
}

// RegisterPublic adds the unauthenticated routes to rt: the seller
// template, fetched by CloudFormation or a browser without a signature,
// the fulfillment URL AWS Marketplace sends buyers to, saasplane's own
// sign-up page, and the endpoint SNS delivers notifications to.
func (h *Handler) RegisterPublic(rt *httpx.Router) {
	rt.HandleFunc(TemplatePattern, h.template)
	rt.HandleFunc(FulfillmentPattern, h.fulfill)
	rt.HandleFunc(SignUpPagePattern, h.signUp)
	rt.HandleFunc(NotificationsPattern, h.notify)
}

// ---- settings ----

func (h *Handler) getSettings(w http.ResponseWriter, r *http.Request) error {
	saasID := httpx.SaaSID(r.Context())
	s, err := h.svc.GetAWSSettings(r.Context(), saasID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toSettingsResp(s, aws.FulfillmentURL(h.publicURL, saasID)))
	return nil
}

func (h *Handler) updateSettings(w http.ResponseWriter, r *http.Request) error {
	var req settingsReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	return empty(w, h.svc.UpdateAWSSettings(r.Context(), httpx.SaaSID(r.Context()), req.toUpdate()))
}

// ---- listing ----

func (h *Handler) getListingStatus(w http.ResponseWriter, r *http.Request) error {
	st, err := h.svc.GetListingStatus(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, listingStatusBody{ListingStatus: string(st)})
	return nil
}

func (h *Handler) updateListingStatus(w http.ResponseWriter, r *http.Request) error {
	var req listingStatusReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	st, err := req.toStatus()
	if err != nil {
		return err
	}
	return empty(w, h.svc.UpdateListingStatus(r.Context(), httpx.SaaSID(r.Context()), st))
}

func (h *Handler) getVisibility(w http.ResponseWriter, r *http.Request) error {
	v, err := h.svc.GetVisibility(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, visibilityBody{Visibility: string(v)})
	return nil
}

// ---- plans ----

func (h *Handler) listPlans(w http.ResponseWriter, r *http.Request) error {
	ls, err := h.svc.ListPlanLinks(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	out := plansBody{Plans: make([]planBody, len(ls))}
	for i, l := range ls {
		out.Plans[i] = toPlanBody(l)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) savePlan(w http.ResponseWriter, r *http.Request) error {
	var req planReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	l, err := req.toLink()
	if err != nil {
		return err
	}
	return empty(w, h.svc.SavePlanLink(r.Context(), httpx.SaaSID(r.Context()), l))
}

func (h *Handler) getPlan(w http.ResponseWriter, r *http.Request) error {
	l, err := h.svc.GetPlanLink(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("plan_name"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toPlanBody(l))
	return nil
}

// ---- CloudFormation ----

func (h *Handler) launchStackLink(w http.ResponseWriter, r *http.Request) error {
	link, err := h.svc.LaunchStackLink(r.Context(), httpx.SaaSID(r.Context()), h.publicURL)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, linkBody{Link: link})
	return nil
}

// template serves the seller template as text, so that a browser shows it
// and CloudFormation reads it.
func (h *Handler) template(w http.ResponseWriter, r *http.Request) error {
	b, err := h.svc.SellerTemplate(r.Context(), r.PathValue("saas_id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/yaml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	return nil
}

// internalServerError always fails, so SDKs can test their error handling.
func (h *Handler) internalServerError(w http.ResponseWriter, r *http.Request) error {
	httpx.WriteJSON(w, http.StatusInternalServerError, httpx.ErrorBody{Type: "internal_server_error", Message: "this endpoint always answers 500, for testing error handling"})
	return nil
}

// empty answers 200 with no body unless err is set.
func empty(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	httpx.WriteEmpty(w)
	return nil
}
