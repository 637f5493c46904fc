// Package authapi serves the tenant subset of the SaaSus Auth API under
// /v1/auth: tenants, their plans and billing information, and tenant
// attributes. Handlers decode and convert; the rules live in
// internal/tenant.
package authapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/tenant"
)

// Prefix is where the API is mounted.
const Prefix = "/v1/auth"

// Handler serves the tenant routes.
type Handler struct {
	svc *tenant.Service
}

// New returns a Handler over svc.
func New(svc *tenant.Service) *Handler { return &Handler{svc: svc} }

// Register adds every route to rt.
func (h *Handler) Register(rt *httpx.Router) {
	p := Prefix
	rt.HandleFunc("GET "+p+"/tenants", h.listTenants)
	rt.HandleFunc("POST "+p+"/tenants", h.createTenant)
	rt.HandleFunc("GET "+p+"/tenants/{tenant_id}", h.getTenant)
	rt.HandleFunc("PATCH "+p+"/tenants/{tenant_id}", h.updateTenant)
	rt.HandleFunc("DELETE "+p+"/tenants/{tenant_id}", h.deleteTenant)
	rt.HandleFunc("PUT "+p+"/tenants/{tenant_id}/plans", h.updatePlan)
	rt.HandleFunc("PUT "+p+"/tenants/{tenant_id}/billing-info", h.updateBillingInfo)

	rt.HandleFunc("GET "+p+"/tenant-attributes", h.listAttributes)
	rt.HandleFunc("POST "+p+"/tenant-attributes", h.createAttribute)
	rt.HandleFunc("DELETE "+p+"/tenant-attributes/{attribute_name}", h.deleteAttribute)

	rt.HandleFunc("PUT "+p+"/plans/reset", h.resetPlans)
	rt.HandleFunc("GET "+p+"/errors/internal-server-error", h.internalServerError)
}

func saasID(r *http.Request) string { return httpx.SaaSID(r.Context()) }

func empty(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	httpx.WriteEmpty(w)
	return nil
}

func (h *Handler) listTenants(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.svc.List(r.Context(), saasID(r))
	if err != nil {
		return err
	}
	out := make([]tenantResp, len(ts))
	for i, t := range ts {
		out[i] = toTenantResp(t)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"tenants": out})
	return nil
}

func decodeTenant(r *http.Request) (tenant.TenantInput, error) {
	var req tenantReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return tenant.TenantInput{}, err
	}
	return req.toInput()
}

func (h *Handler) createTenant(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeTenant(r)
	if err != nil {
		return err
	}
	t, err := h.svc.Create(r.Context(), saasID(r), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toTenantResp(t))
	return nil
}

func (h *Handler) getTenant(w http.ResponseWriter, r *http.Request) error {
	d, err := h.svc.Get(r.Context(), saasID(r), r.PathValue("tenant_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toDetailResp(d))
	return nil
}

func (h *Handler) updateTenant(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeTenant(r)
	if err != nil {
		return err
	}
	return empty(w, h.svc.Update(r.Context(), saasID(r), r.PathValue("tenant_id"), in))
}

func (h *Handler) deleteTenant(w http.ResponseWriter, r *http.Request) error {
	return empty(w, h.svc.Delete(r.Context(), saasID(r), r.PathValue("tenant_id")))
}

func (h *Handler) updatePlan(w http.ResponseWriter, r *http.Request) error {
	var req planReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	return empty(w, h.svc.ChangePlan(r.Context(), saasID(r), r.PathValue("tenant_id"), req.toChange()))
}

func (h *Handler) updateBillingInfo(w http.ResponseWriter, r *http.Request) error {
	var req billingReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	b, err := req.toInfo()
	if err != nil {
		return err
	}
	return empty(w, h.svc.UpdateBillingInfo(r.Context(), saasID(r), r.PathValue("tenant_id"), b))
}

func (h *Handler) listAttributes(w http.ResponseWriter, r *http.Request) error {
	as, err := h.svc.ListAttributes(r.Context(), saasID(r))
	if err != nil {
		return err
	}
	out := make([]attributeResp, len(as))
	for i, a := range as {
		out[i] = toAttributeResp(a)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"tenant_attributes": out})
	return nil
}

func (h *Handler) createAttribute(w http.ResponseWriter, r *http.Request) error {
	var req attributeReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	a, err := req.toAttribute()
	if err != nil {
		return err
	}
	if err := h.svc.CreateAttribute(r.Context(), saasID(r), a); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toAttributeResp(a))
	return nil
}

func (h *Handler) deleteAttribute(w http.ResponseWriter, r *http.Request) error {
	return empty(w, h.svc.DeleteAttribute(r.Context(), saasID(r), r.PathValue("attribute_name")))
}

func (h *Handler) resetPlans(w http.ResponseWriter, r *http.Request) error {
	return empty(w, h.svc.ResetPlans(r.Context(), saasID(r)))
}

func (h *Handler) internalServerError(w http.ResponseWriter, r *http.Request) error {
	httpx.WriteJSON(w, http.StatusInternalServerError, httpx.ErrorBody{Type: "internal_server_error", Message: "this endpoint always answers 500, for testing error handling"})
	return nil
}
