package azureapi

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/azemu"
)

// The Fulfillment API v2 (2018-08-31).
func (h *Handler) registerV2() {
	const p = "/api/saas/subscriptions"
	h.v2.Handle("POST "+p+"/resolve", handle(h.handleResolveV2))
	h.v2.Handle("GET "+p, handle(h.handleListV2))
	h.v2.Handle("GET "+p+"/{id}", handle(h.handleGetV2))
	h.v2.Handle("PATCH "+p+"/{id}", handle(h.handleChangeV2))
	h.v2.Handle("DELETE "+p+"/{id}", handle(h.handleDeleteV2))
	h.v2.Handle("POST "+p+"/{id}/activate", handle(h.handleActivateV2))
	h.v2.Handle("GET "+p+"/{id}/listAvailablePlans", handle(h.handlePlansV2))
	h.v2.Handle("GET "+p+"/{id}/operations", handle(h.handleOperationsV2))
	h.v2.Handle("GET "+p+"/{id}/operations/{opId}", handle(h.handleGetOperationV2))
	h.v2.Handle("PATCH "+p+"/{id}/operations/{opId}", handle(h.handlePatchOperationV2))
}

// readJSON decodes an optional or required JSON body.
func readJSON(r *http.Request, v any, required bool) error {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return httpx.DecodeJSONBytes(nil, v) // "request body is required"
	}
	if len(b) == 0 && !required {
		return nil
	}
	return httpx.DecodeJSONBytes(b, v)
}

type resolvedV2 struct {
	ID               string               `json:"id"`
	SubscriptionName string               `json:"subscriptionName"`
	OfferID          string               `json:"offerId"`
	PlanID           string               `json:"planId"`
	Quantity         *int64               `json:"quantity,omitempty"`
	Subscription     azemu.SubscriptionV2 `json:"subscription"`
}

func (h *Handler) handleResolveV2(w http.ResponseWriter, r *http.Request) error {
	sub, err := h.svc.Resolve(r.Context(), saasID(r.Context()), r.Header.Get("x-ms-marketplace-token"))
	if err != nil {
		return err
	}
	v := sub.ToV2()
	httpx.WriteJSON(w, http.StatusOK, resolvedV2{ID: sub.ID, SubscriptionName: sub.Name, OfferID: sub.OfferID,
		PlanID: sub.PlanID, Quantity: v.Quantity, Subscription: v})
	return nil
}

func (h *Handler) handleListV2(w http.ResponseWriter, r *http.Request) error {
	after := ""
	if ct := r.URL.Query().Get("continuationToken"); ct != "" {
		b, err := base64.RawURLEncoding.DecodeString(ct)
		if err != nil {
			return badArgument("continuationToken is not one this API handed out")
		}
		after = string(b)
	}
	subs, next, err := h.svc.ListSubscriptions(r.Context(), saasID(r.Context()), after, azemu.PageSize)
	if err != nil {
		return err
	}
	out := struct {
		Subscriptions []azemu.SubscriptionV2 `json:"subscriptions"`
		NextLink      string                 `json:"@nextLink,omitempty"`
	}{Subscriptions: make([]azemu.SubscriptionV2, 0, len(subs))}
	for _, s := range subs {
		out.Subscriptions = append(out.Subscriptions, s.ToV2())
	}
	if next != "" {
		out.NextLink = h.cfg.PublicURL + "/api/saas/subscriptions?continuationToken=" +
			base64.RawURLEncoding.EncodeToString([]byte(next)) + "&api-version=" + azemu.APIVersionV2
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) handleGetV2(w http.ResponseWriter, r *http.Request) error {
	sub, err := h.svc.GetSubscription(r.Context(), saasID(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, sub.ToV2())
	return nil
}

type subscriberPlan struct {
	PlanID   string `json:"planId"`
	Quantity *int64 `json:"quantity"`
}

func (h *Handler) handleActivateV2(w http.ResponseWriter, r *http.Request) error {
	var in subscriberPlan
	if err := readJSON(r, &in, true); err != nil {
		return err
	}
	if err := h.svc.Activate(r.Context(), saasID(r.Context()), r.PathValue("id"), in.PlanID, in.Quantity); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) handleChangeV2(w http.ResponseWriter, r *http.Request) error {
	var in subscriberPlan
	if err := readJSON(r, &in, true); err != nil {
		return err
	}
	op, err := h.svc.ChangeSubscription(r.Context(), saasID(r.Context()), r.PathValue("id"),
		azemu.ChangeInput{PlanID: in.PlanID, Quantity: in.Quantity, APIVersion: azemu.APIVersionV2})
	if err != nil {
		return err
	}
	h.accepted(w, op)
	return nil
}

func (h *Handler) handleDeleteV2(w http.ResponseWriter, r *http.Request) error {
	op, err := h.svc.DeleteSubscription(r.Context(), saasID(r.Context()), r.PathValue("id"), azemu.APIVersionV2)
	if err != nil {
		return err
	}
	h.accepted(w, op)
	return nil
}

// accepted answers 202 with the operation's location.
func (h *Handler) accepted(w http.ResponseWriter, op azemu.Operation) {
	loc := h.cfg.PublicURL + "/api/saas/subscriptions/" + url.PathEscape(op.SubscriptionID) + "/operations/" + op.ID +
		"?api-version=" + azemu.APIVersionV2
	if op.APIVersion == azemu.APIVersionV1 {
		loc = h.cfg.PublicURL + "/api/saas/operations/" + op.ID + "?api-version=" + azemu.APIVersionV1
	}
	w.Header().Set("Operation-Location", loc)
	w.Header().Set("Operation-Id", op.ID)
	w.Header().Set("Retry-After", h.retryAfter(op))
	w.WriteHeader(http.StatusAccepted)
}

// retryAfter is the polling interval of an operation: the seconds until it
// completes by itself, at least one.
func (h *Handler) retryAfter(op azemu.Operation) string {
	n := 1
	if op.Status == azemu.OpInProgress && !op.DueAt.IsZero() {
		if d := op.DueAt.Sub(h.svc.Now()); d > time.Second {
			n = int((d + time.Second - 1) / time.Second)
		}
	}
	return itoa(n)
}

// planV2 is a v2 Plan.
type planV2 struct {
	PlanID         string `json:"planId"`
	DisplayName    string `json:"displayName"`
	IsPrivate      bool   `json:"isPrivate"`
	Description    string `json:"description"`
	MinQuantity    *int64 `json:"minQuantity,omitempty"`
	MaxQuantity    *int64 `json:"maxQuantity,omitempty"`
	HasFreeTrials  bool   `json:"hasFreeTrials"`
	IsPricePerSeat bool   `json:"isPricePerSeat"`
	IsStopSell     bool   `json:"isStopSell"`
	Market         string `json:"market"`
	PlanComponents struct {
		RecurrentBillingTerms []billingTerm `json:"recurrentBillingTerms"`
		MeteringDimensions    []dimensionV2 `json:"meteringDimensions"`
	} `json:"planComponents"`
}

type billingTerm struct {
	Currency                string  `json:"currency"`
	Price                   float64 `json:"price"`
	TermUnit                string  `json:"termUnit"`
	TermDescription         string  `json:"termDescription"`
	MeteredQuantityIncluded []any   `json:"meteredQuantityIncluded"`
}

type dimensionV2 struct {
	ID            string  `json:"id"`
	Currency      string  `json:"currency"`
	PricePerUnit  float64 `json:"pricePerUnit"`
	UnitOfMeasure string  `json:"unitOfMeasure"`
	DisplayName   string  `json:"displayName"`
}

func toPlanV2(p azemu.Plan) planV2 {
	v := planV2{PlanID: p.PlanID, DisplayName: p.DisplayName, IsPrivate: p.IsPrivate, Description: p.Description,
		IsPricePerSeat: p.IsPricePerSeat, Market: "US"}
	if p.IsPricePerSeat {
		lo, hi := max(p.MinQuantity, 1), p.MaxQuantity
		if hi == 0 {
			hi = azemu.MaxQuantity
		}
		v.MinQuantity, v.MaxQuantity = &lo, &hi
	}
	unit, cur := p.TermUnit, p.Currency
	if unit == "" {
		unit = "P1M"
	}
	if cur == "" {
		cur = "USD"
	}
	desc := map[string]string{"P1M": "1 month subscription", "P1Y": "1 year subscription", "P2Y": "2 years subscription", "P3Y": "3 years subscription"}[unit]
	v.PlanComponents.RecurrentBillingTerms = []billingTerm{{Currency: cur, Price: p.Price, TermUnit: unit, TermDescription: desc, MeteredQuantityIncluded: []any{}}}
	v.PlanComponents.MeteringDimensions = []dimensionV2{}
	for _, d := range p.Dimensions {
		name := d.DisplayName
		if name == "" {
			name = d.ID
		}
		v.PlanComponents.MeteringDimensions = append(v.PlanComponents.MeteringDimensions,
			dimensionV2{ID: d.ID, Currency: d.Currency, PricePerUnit: d.PricePerUnit, UnitOfMeasure: d.UnitOfMeasure, DisplayName: name})
	}
	return v
}

func (h *Handler) handlePlansV2(w http.ResponseWriter, r *http.Request) error {
	plans, err := h.svc.AvailablePlans(r.Context(), saasID(r.Context()), r.PathValue("id"), r.URL.Query().Get("planId"))
	if err != nil {
		return err
	}
	out := make([]planV2, 0, len(plans))
	for _, p := range plans {
		out = append(out, toPlanV2(p))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"plans": out})
	return nil
}

func (h *Handler) operationV2(r *http.Request, op azemu.Operation) (azemu.OperationV2, error) {
	sub, err := h.svc.GetSubscription(r.Context(), op.SaaSID, op.SubscriptionID)
	if err != nil {
		return azemu.OperationV2{}, err
	}
	return op.ToV2(sub.OfferID), nil
}

func (h *Handler) handleOperationsV2(w http.ResponseWriter, r *http.Request) error {
	ops, err := h.svc.OutstandingOperations(r.Context(), saasID(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := make([]azemu.OperationV2, 0, len(ops))
	for _, op := range ops {
		v, err := h.operationV2(r, op)
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"operations": out})
	return nil
}

func (h *Handler) handleGetOperationV2(w http.ResponseWriter, r *http.Request) error {
	op, err := h.svc.GetOperation(r.Context(), saasID(r.Context()), r.PathValue("id"), r.PathValue("opId"))
	if err != nil {
		return err
	}
	v, err := h.operationV2(r, op)
	if err != nil {
		return err
	}
	if op.Status == azemu.OpInProgress {
		w.Header().Set("Retry-After", h.retryAfter(op))
	}
	httpx.WriteJSON(w, http.StatusOK, v)
	return nil
}

func (h *Handler) handlePatchOperationV2(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Status   string `json:"status"`
		PlanID   string `json:"planId"`
		Quantity *int64 `json:"quantity"`
	}
	if err := readJSON(r, &in, true); err != nil {
		return err
	}
	if _, err := h.svc.AckOperation(r.Context(), saasID(r.Context()), r.PathValue("id"), r.PathValue("opId"), in.Status); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
