package azureapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/azemu"
	"github.com/saasplane/saasplane/internal/errs"
)

const adminPrefix = "/azure/_emulator"

// adminRouter serves the emulator's admin API for the authenticated SaaS
// (SaaSus error bodies).
func (h *Handler) adminRouter() http.Handler {
	rt := httpx.NewRouter()
	rt.HandleFunc("GET "+adminPrefix+"/identity", h.handleGetIdentity)
	rt.HandleFunc("POST "+adminPrefix+"/token", h.handleAdminToken)
	rt.HandleFunc("POST "+adminPrefix+"/offers", h.handlePutOffer)
	rt.HandleFunc("GET "+adminPrefix+"/offers", h.handleListOffers)
	rt.HandleFunc("POST "+adminPrefix+"/purchases", h.handleCreatePurchase)
	rt.HandleFunc("GET "+adminPrefix+"/subscriptions", h.handleAdminSubscriptions)
	rt.HandleFunc("POST "+adminPrefix+"/subscriptions/{id}/token", h.handleNewPurchaseToken)
	rt.HandleFunc("POST "+adminPrefix+"/subscriptions/{id}/actions", h.handleCustomerAction)
	rt.HandleFunc("GET "+adminPrefix+"/settings", h.handleGetSettings)
	rt.HandleFunc("PUT "+adminPrefix+"/settings", h.handlePutSettings)
	rt.HandleFunc("PUT "+adminPrefix+"/webhook", h.handlePutWebhook)
	rt.HandleFunc("GET "+adminPrefix+"/webhooks", h.handleListWebhooks)
	rt.HandleFunc("POST "+adminPrefix+"/faults", h.handleAddFault)
	rt.HandleFunc("GET "+adminPrefix+"/faults", h.handleListFaults)
	rt.HandleFunc("DELETE "+adminPrefix+"/faults", h.handleClearFaults)
	return rt
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (h *Handler) handleGetIdentity(w http.ResponseWriter, r *http.Request) error {
	id, err := h.svc.Identity(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	base := h.cfg.PublicURL + "/azure/" + id.TenantID
	httpx.WriteJSON(w, http.StatusOK, map[string]string{
		"tenant_id": id.TenantID, "client_id": id.ClientID, "client_secret": id.ClientSecret,
		"resource": azemu.MarketplaceResourceID, "scope": azemu.MarketplaceResourceID + "/.default",
		"issuer": azemu.Issuer(id.TenantID), "token_endpoint": base + "/oauth2/token",
		"token_endpoint_v2": base + "/oauth2/v2.0/token", "jwks_uri": base + "/discovery/keys",
		"openid_configuration": base + "/.well-known/openid-configuration",
		"fulfillment_api":      h.cfg.PublicURL + "/api",
	})
	return nil
}

func (h *Handler) handleAdminToken(w http.ResponseWriter, r *http.Request) error {
	tok, exp, err := h.svc.IssueAccessToken(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"access_token": tok, "token_type": "Bearer",
		"expires_in": int64(exp.Sub(h.svc.Now()).Seconds()), "expires_at": rfc3339(exp)})
	return nil
}

type offerJSON struct {
	OfferID   string       `json:"offer_id"`
	Plans     []azemu.Plan `json:"plans"`
	CreatedAt string       `json:"created_at,omitempty"`
	UpdatedAt string       `json:"updated_at,omitempty"`
}

func toOfferJSON(o azemu.Offer) offerJSON {
	for i := range o.Plans {
		if o.Plans[i].Dimensions == nil {
			o.Plans[i].Dimensions = []azemu.Dimension{}
		}
	}
	return offerJSON{OfferID: o.OfferID, Plans: o.Plans, CreatedAt: rfc3339(o.CreatedAt), UpdatedAt: rfc3339(o.UpdatedAt)}
}

func (h *Handler) handlePutOffer(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		OfferID string       `json:"offer_id"`
		Plans   []azemu.Plan `json:"plans"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	o, err := h.svc.PutOffer(r.Context(), httpx.SaaSID(r.Context()), azemu.Offer{OfferID: in.OfferID, Plans: in.Plans})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toOfferJSON(o))
	return nil
}

func (h *Handler) handleListOffers(w http.ResponseWriter, r *http.Request) error {
	os, err := h.svc.Offers(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	out := make([]offerJSON, 0, len(os))
	for _, o := range os {
		out = append(out, toOfferJSON(o))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"offers": out})
	return nil
}

func (h *Handler) handleCreatePurchase(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		OfferID          string `json:"offer_id"`
		PlanID           string `json:"plan_id"`
		Quantity         int64  `json:"quantity"`
		SubscriptionName string `json:"subscription_name"`
		BeneficiaryEmail string `json:"beneficiary_email"`
		AutoRenew        *bool  `json:"auto_renew"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	tok, sub, err := h.svc.CreatePurchase(r.Context(), httpx.SaaSID(r.Context()), azemu.PurchaseInput{OfferID: in.OfferID,
		PlanID: in.PlanID, Quantity: in.Quantity, SubscriptionName: in.SubscriptionName, BeneficiaryEmail: in.BeneficiaryEmail,
		AutoRenew: in.AutoRenew})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"token": tok.Token, "token_expires_at": rfc3339(tok.ExpiresAt),
		"subscription_id": sub.ID, "subscription": sub.ToV2()})
	return nil
}

func (h *Handler) handleAdminSubscriptions(w http.ResponseWriter, r *http.Request) error {
	subs, next, err := h.svc.ListSubscriptions(r.Context(), httpx.SaaSID(r.Context()), r.URL.Query().Get("after"), azemu.PageSize)
	if err != nil {
		return err
	}
	out := make([]azemu.SubscriptionV2, 0, len(subs))
	for _, s := range subs {
		out = append(out, s.ToV2())
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"subscriptions": out, "next_after": next})
	return nil
}

func (h *Handler) handleNewPurchaseToken(w http.ResponseWriter, r *http.Request) error {
	tok, err := h.svc.NewToken(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]string{"token": tok.Token, "token_expires_at": rfc3339(tok.ExpiresAt),
		"subscription_id": tok.SubscriptionID})
	return nil
}

func (h *Handler) handleCustomerAction(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Action   string `json:"action"`
		PlanID   string `json:"plan_id"`
		Quantity *int64 `json:"quantity"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	a, ok := azemu.ParseAction(in.Action)
	if !ok || a == azemu.ActionSubscribe {
		return errs.Invalid("action: must be ChangePlan (or Update), ChangeQuantity, Suspend, Deactivate, Reinstate, Renew or Unsubscribe (or Delete)")
	}
	if a == azemu.ActionChangePlan && in.PlanID == "" && in.Quantity != nil {
		a = azemu.ActionChangeQuantity // v1's Update of a quantity
	}
	saas := httpx.SaaSID(r.Context())
	op, err := h.svc.CustomerAction(r.Context(), saas, r.PathValue("id"), azemu.CustomerActionInput{Action: a, PlanID: in.PlanID, Quantity: in.Quantity})
	if err != nil {
		return err
	}
	sub, err := h.svc.GetSubscription(r.Context(), saas, op.SubscriptionID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusAccepted, map[string]any{"operation": op.ToV2(sub.OfferID), "subscription": sub.ToV2()})
	return nil
}

type settingsJSON struct {
	WebhookURL        string `json:"webhook_url"`
	WebhookAPIVersion string `json:"webhook_api_version"`
	V1Actions         string `json:"v1_actions"`
	OperationDelayMS  int64  `json:"operation_delay_ms"`
}

func toSettingsJSON(st azemu.Settings) settingsJSON {
	return settingsJSON{WebhookURL: st.WebhookURL, WebhookAPIVersion: st.WebhookAPIVersion, V1Actions: st.V1Actions,
		OperationDelayMS: st.OperationDelay.Milliseconds()}
}

func (h *Handler) handleGetSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := h.svc.Settings(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toSettingsJSON(st))
	return nil
}

func (h *Handler) handlePutSettings(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		WebhookURL        *string `json:"webhook_url"`
		WebhookAPIVersion *string `json:"webhook_api_version"`
		V1Actions         *string `json:"v1_actions"`
		OperationDelayMS  *int64  `json:"operation_delay_ms"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	u := azemu.SettingsUpdate{WebhookURL: in.WebhookURL, WebhookAPIVersion: in.WebhookAPIVersion, V1Actions: in.V1Actions}
	if in.OperationDelayMS != nil {
		d := time.Duration(*in.OperationDelayMS) * time.Millisecond
		u.OperationDelay = &d
	}
	st, err := h.svc.UpdateSettings(r.Context(), httpx.SaaSID(r.Context()), u)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toSettingsJSON(st))
	return nil
}

func (h *Handler) handlePutWebhook(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		URL string `json:"url"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	st, err := h.svc.UpdateSettings(r.Context(), httpx.SaaSID(r.Context()), azemu.SettingsUpdate{WebhookURL: &in.URL})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toSettingsJSON(st))
	return nil
}

func (h *Handler) handleListWebhooks(w http.ResponseWriter, r *http.Request) error {
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return errs.Invalid("limit must be an integer from 1 to 1000")
		}
		limit = n
	}
	ws, err := h.svc.Webhooks(r.Context(), httpx.SaaSID(r.Context()), limit)
	if err != nil {
		return err
	}
	type hookJSON struct {
		ID             string `json:"id"`
		OperationID    string `json:"operation_id"`
		SubscriptionID string `json:"subscription_id"`
		Endpoint       string `json:"endpoint"`
		Status         string `json:"status"`
		Attempts       int    `json:"attempts"`
		LastStatus     int    `json:"last_status,omitempty"`
		LastError      string `json:"last_error,omitempty"`
		CreatedAt      string `json:"created_at"`
		Body           string `json:"body"`
	}
	out := make([]hookJSON, 0, len(ws))
	for _, m := range ws {
		out = append(out, hookJSON{ID: m.ID, OperationID: m.OperationID, SubscriptionID: m.SubscriptionID, Endpoint: m.Endpoint,
			Status: m.Status, Attempts: m.Attempts, LastStatus: m.LastStatus, LastError: m.LastError, CreatedAt: rfc3339(m.CreatedAt), Body: m.Body})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"webhooks": out})
	return nil
}

type faultJSON struct {
	Kind       string `json:"kind"`
	Count      int    `json:"count"`
	DelayMS    int64  `json:"delay_ms,omitempty"`
	RetryAfter int    `json:"retry_after,omitempty"`
}

func faultsJSON(fs []azemu.Fault) map[string]any {
	out := make([]faultJSON, 0, len(fs))
	for _, f := range fs {
		out = append(out, faultJSON{Kind: f.Kind, Count: f.Count, DelayMS: f.Delay.Milliseconds(), RetryAfter: f.RetryAfter})
	}
	return map[string]any{"faults": out}
}

func (h *Handler) handleAddFault(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Kind       string `json:"kind"`
		Count      *int   `json:"count"`
		DelayMS    int64  `json:"delay_ms"`
		RetryAfter int    `json:"retry_after"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	f := azemu.Fault{Kind: in.Kind, Count: 1, Delay: time.Duration(in.DelayMS) * time.Millisecond, RetryAfter: in.RetryAfter}
	if in.Count != nil {
		f.Count = *in.Count
	}
	saas := httpx.SaaSID(r.Context())
	if err := h.svc.AddFault(r.Context(), saas, f); err != nil {
		return err
	}
	return h.writeFaults(w, r, http.StatusCreated, saas)
}

func (h *Handler) handleListFaults(w http.ResponseWriter, r *http.Request) error {
	return h.writeFaults(w, r, http.StatusOK, httpx.SaaSID(r.Context()))
}

// writeFaults answers the SaaS's pending faults.
func (h *Handler) writeFaults(w http.ResponseWriter, r *http.Request, status int, saasID string) error {
	fs, err := h.svc.Faults(r.Context(), saasID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, status, faultsJSON(fs))
	return nil
}

func (h *Handler) handleClearFaults(w http.ResponseWriter, r *http.Request) error {
	saas := httpx.SaaSID(r.Context())
	if err := h.svc.ClearFaults(r.Context(), saas); err != nil {
		return err
	}
	return h.writeFaults(w, r, http.StatusOK, saas)
}
