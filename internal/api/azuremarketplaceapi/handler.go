// Package azuremarketplaceapi serves saasplane's own Azure Marketplace
// integration (the ISV side) under /v1/azuremarketplace, signed like every
// SaaSus route: settings, plan links, landing page token resolution,
// activation, linked subscriptions, reconciliation and usage reporting;
// and, unauthenticated, the webhook the marketplace calls with a bearer
// JWT. Handlers decode and convert; every rule lives in
// internal/marketplace/azure.
package azuremarketplaceapi

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace"
	"github.com/saasplane/saasplane/internal/marketplace/azure"
)

// Prefix is where the signed API is mounted.
const Prefix = "/v1/azuremarketplace"

// WebhookPattern is the connection webhook to register for the offer.
const WebhookPattern = "POST /azuremarketplace/webhook/{saas_id}"

// maxWebhookBytes bounds a webhook body.
const maxWebhookBytes = 1 << 20

// Handler serves the Azure Marketplace routes.
type Handler struct {
	svc       *azure.Service
	rounds    marketplace.RoundRunner
	publicURL string
}

// New returns a Handler over svc. rounds runs the usage rounds asked for
// (nil answers 503); publicURL is the base of the webhook URL it hands out
// (no trailing slash).
func New(svc *azure.Service, rounds marketplace.RoundRunner, publicURL string) *Handler {
	return &Handler{svc: svc, rounds: rounds, publicURL: publicURL}
}

// Register adds the signed routes to rt.
func (h *Handler) Register(rt *httpx.Router) {
	p := Prefix
	rt.HandleFunc("GET "+p+"/settings", h.getSettings)
	rt.HandleFunc("PUT "+p+"/settings", h.updateSettings)
	rt.HandleFunc("GET "+p+"/plans", h.listPlans)
	rt.HandleFunc("PUT "+p+"/plans", h.savePlan)
	rt.HandleFunc("POST "+p+"/subscriptions/resolve", h.resolve)
	rt.HandleFunc("POST "+p+"/subscriptions/{subscription_id}/activate", h.activate)
	rt.HandleFunc("GET "+p+"/subscriptions", h.listSubscriptions)
	rt.HandleFunc("GET "+p+"/subscriptions/{subscription_id}", h.getSubscription)
	rt.HandleFunc("POST "+p+"/subscriptions/{subscription_id}/sync", h.syncSubscription)
	rt.HandleFunc("POST "+p+"/reconcile", h.reconcile)
	rt.HandleFunc("GET "+p+"/operations", h.listOperations)
	rt.HandleFunc("GET "+p+"/metering-dimensions", h.listMeterDimensions)
	rt.HandleFunc("PUT "+p+"/metering-dimensions", h.linkMeter)
	rt.HandleFunc("DELETE "+p+"/metering-dimensions/{metering_unit_name}", h.unlinkMeter)
	rt.HandleFunc("GET "+p+"/usage-reports", h.listUsageReports)
	rt.HandleFunc("POST "+p+"/usage-reports/run", h.reportUsage)
}

// RegisterPublic adds the unauthenticated webhook to rt.
func (h *Handler) RegisterPublic(rt *httpx.Router) {
	rt.HandleFunc(WebhookPattern, h.webhook)
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func empty(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	httpx.WriteEmpty(w)
	return nil
}

func limitParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return 100, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		var fe errs.FieldErrors
		fe.Add("limit", "must be an integer from 1 to 1000")
		return 0, fe.Err()
	}
	return n, nil
}

// ---- settings ----

type settingsBody struct {
	FulfillmentBaseURL string `json:"fulfillment_base_url"`
	TenantID           string `json:"tenant_id"`
	ClientID           string `json:"client_id"`
	ClientSecretSet    bool   `json:"client_secret_set"`
	WebhookURL         string `json:"webhook_url"`
}

type settingsReq struct {
	FulfillmentBaseURL *string `json:"fulfillment_base_url"`
	TenantID           *string `json:"tenant_id"`
	ClientID           *string `json:"client_id"`
	ClientSecret       *string `json:"client_secret"`
}

func (h *Handler) getSettings(w http.ResponseWriter, r *http.Request) error {
	saasID := httpx.SaaSID(r.Context())
	s, err := h.svc.GetAzureSettings(r.Context(), saasID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, settingsBody{FulfillmentBaseURL: s.FulfillmentBaseURL, TenantID: s.TenantID, ClientID: s.ClientID,
		ClientSecretSet: s.ClientSecret != "", WebhookURL: azure.AzureWebhookURL(h.publicURL, saasID)})
	return nil
}

func (h *Handler) updateSettings(w http.ResponseWriter, r *http.Request) error {
	var req settingsReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	return empty(w, h.svc.UpdateAzureSettings(r.Context(), httpx.SaaSID(r.Context()), azure.AzureSettingsUpdate{
		FulfillmentBaseURL: req.FulfillmentBaseURL, TenantID: req.TenantID, ClientID: req.ClientID, ClientSecret: req.ClientSecret}))
}

// ---- plans ----

type planBody struct {
	AzurePlanID string `json:"azure_plan_id"`
	PlanID      string `json:"plan_id"`
}

type planReq struct {
	AzurePlanID *string `json:"azure_plan_id"`
	PlanID      *string `json:"plan_id"`
}

func (h *Handler) listPlans(w http.ResponseWriter, r *http.Request) error {
	ls, err := h.svc.ListAzurePlanLinks(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	out := struct {
		Plans []planBody `json:"plans"`
	}{Plans: make([]planBody, len(ls))}
	for i, l := range ls {
		out.Plans[i] = planBody{AzurePlanID: l.AzurePlanID, PlanID: l.PlanID}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) savePlan(w http.ResponseWriter, r *http.Request) error {
	var req planReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	return empty(w, h.svc.SaveAzurePlanLink(r.Context(), httpx.SaaSID(r.Context()),
		azure.AzurePlanLink{AzurePlanID: str(req.AzurePlanID), PlanID: str(req.PlanID)}))
}

// ---- subscriptions ----

type marketplaceSubscriptionBody struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	OfferID          string `json:"offer_id"`
	AzurePlanID      string `json:"azure_plan_id"`
	Quantity         int64  `json:"quantity"`
	Status           string `json:"status"`
	BeneficiaryEmail string `json:"beneficiary_email"`
}

type subscriptionBody struct {
	SubscriptionID   string `json:"subscription_id"`
	TenantID         string `json:"tenant_id"`
	Name             string `json:"name"`
	OfferID          string `json:"offer_id"`
	AzurePlanID      string `json:"azure_plan_id"`
	Quantity         int64  `json:"quantity"`
	Status           string `json:"status"`
	BeneficiaryEmail string `json:"beneficiary_email"`
	LastOperationAt  string `json:"last_operation_at"`
	SyncedAt         string `json:"synced_at"`
	CreatedAt        string `json:"created_at"`
	UpdatedAt        string `json:"updated_at"`
}

func toSubscriptionBody(s azure.AzureSubscription) subscriptionBody {
	return subscriptionBody{SubscriptionID: s.SubscriptionID, TenantID: s.TenantID, Name: s.Name, OfferID: s.OfferID,
		AzurePlanID: s.AzurePlanID, Quantity: s.Quantity, Status: s.Status, BeneficiaryEmail: s.BeneficiaryEmail,
		LastOperationAt: rfc3339(s.LastOperationAt), SyncedAt: rfc3339(s.SyncedAt), CreatedAt: rfc3339(s.CreatedAt), UpdatedAt: rfc3339(s.UpdatedAt)}
}

func (h *Handler) resolve(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Token *string `json:"token"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	info, tenantID, err := h.svc.ResolveAzureToken(r.Context(), httpx.SaaSID(r.Context()), str(req.Token))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{
		"subscription": marketplaceSubscriptionBody{ID: info.ID, Name: info.Name, OfferID: info.OfferID, AzurePlanID: info.PlanID,
			Quantity: info.Quantity, Status: info.Status, BeneficiaryEmail: info.BeneficiaryEmail},
		"tenant_id": tenantID,
	})
	return nil
}

func (h *Handler) activate(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		TenantID             *string `json:"tenant_id"`
		TenantName           *string `json:"tenant_name"`
		BackOfficeStaffEmail *string `json:"back_office_staff_email"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	s, err := h.svc.ActivateAzureSubscription(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("subscription_id"),
		azure.AzureActivation{TenantID: str(req.TenantID), TenantName: str(req.TenantName), BackOfficeStaffEmail: str(req.BackOfficeStaffEmail)})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toSubscriptionBody(s))
	return nil
}

func (h *Handler) listSubscriptions(w http.ResponseWriter, r *http.Request) error {
	var tenants []string
	if v := r.URL.Query().Get("tenant_id"); v != "" {
		tenants = strings.Split(v, ",")
	}
	ss, err := h.svc.ListAzureSubscriptions(r.Context(), httpx.SaaSID(r.Context()), tenants)
	if err != nil {
		return err
	}
	out := struct {
		Subscriptions []subscriptionBody `json:"subscriptions"`
	}{Subscriptions: make([]subscriptionBody, len(ss))}
	for i, s := range ss {
		out.Subscriptions[i] = toSubscriptionBody(s)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) getSubscription(w http.ResponseWriter, r *http.Request) error {
	s, err := h.svc.GetAzureSubscription(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("subscription_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toSubscriptionBody(s))
	return nil
}

func (h *Handler) syncSubscription(w http.ResponseWriter, r *http.Request) error {
	s, err := h.svc.SyncAzureSubscription(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("subscription_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toSubscriptionBody(s))
	return nil
}

func (h *Handler) reconcile(w http.ResponseWriter, r *http.Request) error {
	res, err := h.svc.ReconcileAzure(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]int{"subscriptions": res.Subscriptions, "operations": res.Operations, "changed": res.Changed})
	return nil
}

type operationBody struct {
	OperationID    string `json:"operation_id"`
	SubscriptionID string `json:"subscription_id"`
	Action         string `json:"action"`
	Source         string `json:"source"`
	Outcome        string `json:"outcome"`
	OperationAt    string `json:"operation_at"`
	ReceivedAt     string `json:"received_at"`
}

func (h *Handler) listOperations(w http.ResponseWriter, r *http.Request) error {
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	ops, err := h.svc.AzureOperations(r.Context(), httpx.SaaSID(r.Context()), r.URL.Query().Get("subscription_id"), limit)
	if err != nil {
		return err
	}
	out := struct {
		Operations []operationBody `json:"operations"`
	}{Operations: make([]operationBody, len(ops))}
	for i, op := range ops {
		out.Operations[i] = operationBody{OperationID: op.OperationID, SubscriptionID: op.SubscriptionID, Action: op.Action,
			Source: op.Source, Outcome: op.Outcome, OperationAt: rfc3339(op.OperationAt), ReceivedAt: rfc3339(op.ReceivedAt)}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// ---- webhook ----

// webhook receives a call of the marketplace. A 2xx tells it the call is
// handled; a 4xx to a change waiting for acknowledgement rejects it, so
// only a bad token or body answers 4xx; a failure to reach the API
// answers 503 and the marketplace calls again.
func (h *Handler) webhook(w http.ResponseWriter, r *http.Request) error {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBytes))
	if err != nil {
		return errs.E(errs.KindTooLarge, "a webhook body is at most %d bytes", maxWebhookBytes)
	}
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		bearer = ""
	}
	var body struct {
		ID             string `json:"id"`
		SubscriptionID string `json:"subscriptionId"`
		Action         string `json:"action"`
	}
	// A body that is not JSON leaves the fields empty: refused (400) once
	// the token is checked, so an unauthenticated caller learns nothing.
	_ = json.Unmarshal(b, &body)
	outcome, err := h.svc.HandleAzureWebhook(r.Context(), r.PathValue("saas_id"), strings.TrimSpace(bearer),
		azure.AzureWebhook{OperationID: body.ID, SubscriptionID: body.SubscriptionID, Action: body.Action})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"outcome": outcome})
	return nil
}
