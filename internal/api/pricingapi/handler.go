// Package pricingapi serves the SaaSus-compatible Pricing API catalog under
// /v1/pricing: meters, pricing units, menus, plans and tax rates. Handlers
// decode and convert; every rule lives in internal/pricing.
package pricingapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/pricing"
)

// Prefix is where the API is mounted.
const Prefix = "/v1/pricing"

// Handler serves the pricing routes.
type Handler struct {
	svc *pricing.Service
}

// New returns a Handler over svc.
func New(svc *pricing.Service) *Handler { return &Handler{svc: svc} }

// Register adds every catalog route to rt. The whole surface is on one screen.
func (h *Handler) Register(rt *httpx.Router) {
	p := Prefix
	rt.HandleFunc("GET "+p+"/units", h.listUnits)
	rt.HandleFunc("POST "+p+"/units", h.createUnit)
	rt.HandleFunc("GET "+p+"/units/{pricing_unit_id}", h.getUnit)
	rt.HandleFunc("PATCH "+p+"/units/{pricing_unit_id}", h.updateUnit)
	rt.HandleFunc("DELETE "+p+"/units/{pricing_unit_id}", h.deleteUnit)

	rt.HandleFunc("GET "+p+"/menus", h.listMenus)
	rt.HandleFunc("POST "+p+"/menus", h.createMenu)
	rt.HandleFunc("GET "+p+"/menus/{menu_id}", h.getMenu)
	rt.HandleFunc("PATCH "+p+"/menus/{menu_id}", h.updateMenu)
	rt.HandleFunc("DELETE "+p+"/menus/{menu_id}", h.deleteMenu)

	rt.HandleFunc("GET "+p+"/plans", h.listPlans)
	rt.HandleFunc("POST "+p+"/plans", h.createPlan)
	rt.HandleFunc("GET "+p+"/plans/{plan_id}", h.getPlan)
	rt.HandleFunc("PATCH "+p+"/plans/{plan_id}", h.updatePlan)
	rt.HandleFunc("DELETE "+p+"/plans/{plan_id}", h.deletePlan)
	rt.HandleFunc("PATCH "+p+"/plans/used", h.markPlansUsed) // literal segment wins over {plan_id}

	rt.HandleFunc("PATCH "+p+"/stripe/init", h.stripeNotLinked)
	rt.HandleFunc("DELETE "+p+"/stripe", h.stripeNotLinked)
	rt.HandleFunc("DELETE "+p+"/plans-initialization", h.deleteCatalog)

	rt.HandleFunc("GET "+p+"/tax-rates", h.listTaxRates)
	rt.HandleFunc("POST "+p+"/tax-rates", h.createTaxRate)
	rt.HandleFunc("PATCH "+p+"/tax-rates/{tax_rate_id}", h.updateTaxRate)

	rt.HandleFunc("GET "+p+"/metering/units", h.listMeters)
	rt.HandleFunc("POST "+p+"/metering/units", h.createMeter)
	rt.HandleFunc("PATCH "+p+"/metering/units/{metering_unit_id}", h.updateMeter)
	rt.HandleFunc("DELETE "+p+"/metering/units/{metering_unit_id}", h.deleteMeter)

	rt.HandleFunc("GET "+p+"/errors/internal-server-error", h.internalServerError)
}

// ---- units ----

func (h *Handler) listUnits(w http.ResponseWriter, r *http.Request) error {
	us, err := h.svc.ListUnits(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"units": toUnitsResp(us)})
	return nil
}

func decodeUnit(r *http.Request) (pricing.UnitInput, error) {
	var req unitReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return pricing.UnitInput{}, err
	}
	return req.toInput()
}

func (h *Handler) createUnit(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeUnit(r)
	if err != nil {
		return err
	}
	u, err := h.svc.CreateUnit(r.Context(), httpx.SaaSID(r.Context()), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toUnitResp(u))
	return nil
}

func (h *Handler) getUnit(w http.ResponseWriter, r *http.Request) error {
	u, err := h.svc.GetUnit(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("pricing_unit_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toUnitResp(u))
	return nil
}

func (h *Handler) updateUnit(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeUnit(r)
	if err != nil {
		return err
	}
	return empty(w, h.svc.UpdateUnit(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("pricing_unit_id"), in))
}

func (h *Handler) deleteUnit(w http.ResponseWriter, r *http.Request) error {
	return empty(w, h.svc.DeleteUnit(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("pricing_unit_id")))
}

// empty answers 200 with no body unless err is set.
func empty(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	httpx.WriteEmpty(w)
	return nil
}

// ---- menus ----

func (h *Handler) listMenus(w http.ResponseWriter, r *http.Request) error {
	ms, err := h.svc.ListMenus(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"pricing_menus": toMenusResp(ms)})
	return nil
}

func decodeMenu(r *http.Request) (pricing.MenuInput, error) {
	var req menuReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return pricing.MenuInput{}, err
	}
	return req.toInput()
}

func (h *Handler) createMenu(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeMenu(r)
	if err != nil {
		return err
	}
	m, err := h.svc.CreateMenu(r.Context(), httpx.SaaSID(r.Context()), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toMenuResp(m))
	return nil
}

func (h *Handler) getMenu(w http.ResponseWriter, r *http.Request) error {
	m, err := h.svc.GetMenu(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("menu_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toMenuResp(m))
	return nil
}

func (h *Handler) updateMenu(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeMenu(r)
	if err != nil {
		return err
	}
	return empty(w, h.svc.UpdateMenu(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("menu_id"), in))
}

func (h *Handler) deleteMenu(w http.ResponseWriter, r *http.Request) error {
	return empty(w, h.svc.DeleteMenu(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("menu_id")))
}

// ---- plans ----

func (h *Handler) listPlans(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.svc.ListPlans(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	out := make([]planResp, len(ps))
	for i, p := range ps {
		out[i] = toPlanResp(p)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"pricing_plans": out})
	return nil
}

func decodePlan(r *http.Request) (pricing.PlanInput, error) {
	var req planReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return pricing.PlanInput{}, err
	}
	return req.toInput()
}

func (h *Handler) createPlan(w http.ResponseWriter, r *http.Request) error {
	in, err := decodePlan(r)
	if err != nil {
		return err
	}
	p, err := h.svc.CreatePlan(r.Context(), httpx.SaaSID(r.Context()), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toPlanResp(p))
	return nil
}

func (h *Handler) getPlan(w http.ResponseWriter, r *http.Request) error {
	p, err := h.svc.GetPlan(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("plan_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toPlanResp(p))
	return nil
}

func (h *Handler) updatePlan(w http.ResponseWriter, r *http.Request) error {
	in, err := decodePlan(r)
	if err != nil {
		return err
	}
	return empty(w, h.svc.UpdatePlan(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("plan_id"), in))
}

func (h *Handler) deletePlan(w http.ResponseWriter, r *http.Request) error {
	return empty(w, h.svc.DeletePlan(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("plan_id")))
}

func (h *Handler) markPlansUsed(w http.ResponseWriter, r *http.Request) error {
	var req plansUsedReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	if req.PlanIDs == nil {
		var fe errs.FieldErrors
		fe.Add("plan_ids", "is required")
		return fe.Err()
	}
	return empty(w, h.svc.MarkPlansUsed(r.Context(), httpx.SaaSID(r.Context()), *req.PlanIDs))
}

// ---- stripe, reset, test error ----

// stripeNotLinked answers the two Stripe operations: saasplane has no Stripe
// link, and pretending to push a catalog that goes nowhere would mislead.
func (h *Handler) stripeNotLinked(w http.ResponseWriter, r *http.Request) error {
	return errs.Invalid("Stripe is not linked: saasplane computes invoices itself and has no Stripe integration to initialise or delete").WithType("stripe_not_linked")
}

func (h *Handler) deleteCatalog(w http.ResponseWriter, r *http.Request) error {
	return empty(w, h.svc.DeleteCatalog(r.Context(), httpx.SaaSID(r.Context())))
}

// internalServerError always fails, so SDKs can test their error handling.
func (h *Handler) internalServerError(w http.ResponseWriter, r *http.Request) error {
	httpx.WriteJSON(w, http.StatusInternalServerError, httpx.ErrorBody{Type: "internal_server_error", Message: "this endpoint always answers 500, for testing error handling"})
	return nil
}

// ---- tax rates ----

func (h *Handler) listTaxRates(w http.ResponseWriter, r *http.Request) error {
	rs, err := h.svc.ListTaxRates(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	out := make([]taxRateResp, len(rs))
	for i, t := range rs {
		out[i] = toTaxRateResp(t)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"tax_rates": out})
	return nil
}

func (h *Handler) createTaxRate(w http.ResponseWriter, r *http.Request) error {
	var req taxRateReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	in, err := req.toInput()
	if err != nil {
		return err
	}
	t, err := h.svc.CreateTaxRate(r.Context(), httpx.SaaSID(r.Context()), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toTaxRateResp(t))
	return nil
}

func (h *Handler) updateTaxRate(w http.ResponseWriter, r *http.Request) error {
	var req taxRateUpdateReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	in, err := req.toInput()
	if err != nil {
		return err
	}
	return empty(w, h.svc.UpdateTaxRate(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("tax_rate_id"), in))
}

// ---- meters ----

func (h *Handler) listMeters(w http.ResponseWriter, r *http.Request) error {
	ms, err := h.svc.ListMeters(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	out := make([]meterResp, len(ms))
	for i, m := range ms {
		out[i] = toMeterResp(m)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"units": out})
	return nil
}

func decodeMeter(r *http.Request) (pricing.MeterInput, error) {
	var req meterReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return pricing.MeterInput{}, err
	}
	return req.toInput()
}

func (h *Handler) createMeter(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeMeter(r)
	if err != nil {
		return err
	}
	m, err := h.svc.CreateMeter(r.Context(), httpx.SaaSID(r.Context()), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toMeterResp(m))
	return nil
}

func (h *Handler) updateMeter(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeMeter(r)
	if err != nil {
		return err
	}
	return empty(w, h.svc.UpdateMeter(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("metering_unit_id"), in))
}

func (h *Handler) deleteMeter(w http.ResponseWriter, r *http.Request) error {
	return empty(w, h.svc.DeleteMeter(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("metering_unit_id")))
}
