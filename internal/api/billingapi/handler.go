// Package billingapi serves /v1/billing, saasplane's extension of the
// SaaSus billing family: invoice previews, finalized invoices and their
// lists, computed by internal/billing.
package billingapi

import (
	"net/http"
	"strconv"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/billing"
	"github.com/saasplane/saasplane/internal/errs"
)

// Prefix is where the API is mounted.
const Prefix = "/v1/billing"

// Handler serves the billing routes.
type Handler struct{ svc *billing.Service }

// New returns the handler over svc.
func New(svc *billing.Service) *Handler { return &Handler{svc: svc} }

// Register adds every route to rt.
func (h *Handler) Register(rt *httpx.Router) {
	rt.HandleFunc("GET "+Prefix+"/invoices/preview", h.preview)
	rt.HandleFunc("POST "+Prefix+"/invoices", h.finalize)
	rt.HandleFunc("GET "+Prefix+"/invoices", h.list)
	rt.HandleFunc("GET "+Prefix+"/invoices/{invoice_id}", h.get)
	rt.HandleFunc("POST "+Prefix+"/invoice-runs", h.startRun)
	rt.HandleFunc("GET "+Prefix+"/invoice-runs", h.listRuns)
	rt.HandleFunc("GET "+Prefix+"/invoice-runs/{run_id}", h.getRun)
}

// Invoice is an invoice on the wire: the invoice document and whether it
// is a preview or finalized.
type Invoice struct {
	billing.Invoice
	Status string `json:"status"`
}

// ToWire wraps a computed invoice.
func ToWire(inv billing.Invoice) Invoice {
	st := "preview"
	if inv.Finalized() {
		st = "finalized"
	}
	return Invoice{Invoice: inv, Status: st}
}

// required reads query parameters that must be present and not empty.
func required(r *http.Request, names ...string) ([]string, error) {
	var fe errs.FieldErrors
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = r.URL.Query().Get(n)
		fe.Required(n, out[i])
	}
	return out, fe.Err()
}

func (h *Handler) preview(w http.ResponseWriter, r *http.Request) error {
	q, err := required(r, "tenant_id", "period")
	if err != nil {
		return err
	}
	inv, err := h.svc.Preview(r.Context(), httpx.SaaSID(r.Context()), q[0], q[1])
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, ToWire(inv))
	return nil
}

type finalizeReq struct {
	TenantID string `json:"tenant_id"`
	Period   string `json:"period"`
}

func (h *Handler) finalize(w http.ResponseWriter, r *http.Request) error {
	var req finalizeReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	var fe errs.FieldErrors
	fe.Required("tenant_id", req.TenantID)
	fe.Required("period", req.Period)
	if err := fe.Err(); err != nil {
		return err
	}
	inv, created, err := h.svc.Finalize(r.Context(), httpx.SaaSID(r.Context()), req.TenantID, req.Period)
	if err != nil {
		return err
	}
	status := http.StatusOK // the period's invoice already existed
	if created {
		status = http.StatusCreated
	}
	httpx.WriteJSON(w, status, ToWire(inv))
	return nil
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := billing.InvoiceFilter{TenantID: q.Get("tenant_id"), Period: q.Get("period"), Limit: 100}
	var fe errs.FieldErrors
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > billing.MaxList {
			fe.Add("limit", "must be an integer from 1 to %d", billing.MaxList)
		}
		f.Limit = n
	}
	if s := q.Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			fe.Add("before", "must be an invoice number (a positive integer)")
		}
		f.Before = n
	}
	if err := fe.Err(); err != nil {
		return err
	}
	invs, err := h.svc.List(r.Context(), httpx.SaaSID(r.Context()), f)
	if err != nil {
		return err
	}
	out := make([]Invoice, len(invs))
	for i, inv := range invs {
		out[i] = ToWire(inv)
	}
	resp := map[string]any{"invoices": out}
	if len(invs) == f.Limit {
		resp["next_before"] = invs[len(invs)-1].Number
	}
	httpx.WriteJSON(w, http.StatusOK, resp)
	return nil
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) error {
	inv, err := h.svc.Get(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("invoice_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, ToWire(inv))
	return nil
}
