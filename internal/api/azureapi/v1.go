package azureapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/azemu"
)

// The Fulfillment API v1 (2017-04-15), deprecated by Microsoft, on the same
// subscriptions as v2: Pending is PendingFulfillmentStart, subscribe (PUT)
// is an asynchronous activation, operations are found at
// /api/saas/operations/{id}.
func (h *Handler) registerV1() {
	const p = "/api/saas/subscriptions"
	h.v1.Handle("POST "+p+"/resolve", handle(h.handleResolveV1))
	h.v1.Handle("GET "+p, handle(h.handleListV1))
	h.v1.Handle("GET "+p+"/{id}", handle(h.handleGetV1))
	h.v1.Handle("PUT "+p+"/{id}", handle(h.handleSubscribeV1))
	h.v1.Handle("PATCH "+p+"/{id}", handle(h.handleChangeV1))
	h.v1.Handle("DELETE "+p+"/{id}", handle(h.handleDeleteV1))
	h.v1.Handle("GET /api/saas/operations/{opId}", handle(h.handleGetOperationV1))
}

type subscriptionV1 struct {
	ID                     string `json:"id"`
	SaaSSubscriptionName   string `json:"saasSubscriptionName"`
	OfferID                string `json:"offerId"`
	PlanID                 string `json:"planId"`
	SaaSSubscriptionStatus string `json:"saasSubscriptionStatus"`
	Created                string `json:"created"`
	LastModified           string `json:"lastModified"`
}

func toSubscriptionV1(s azemu.Subscription) subscriptionV1 {
	return subscriptionV1{ID: s.ID, SaaSSubscriptionName: s.Name, OfferID: s.OfferID, PlanID: s.PlanID,
		SaaSSubscriptionStatus: s.Status.V1(), Created: azemu.WireTime(s.CreatedAt), LastModified: azemu.WireTime(s.UpdatedAt)}
}

func (h *Handler) handleResolveV1(w http.ResponseWriter, r *http.Request) error {
	sub, err := h.svc.Resolve(r.Context(), saasID(r.Context()), r.Header.Get("x-ms-marketplace-token"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"id": sub.ID, "subscriptionName": sub.Name, "offerId": sub.OfferID, "planId": sub.PlanID})
	return nil
}

func (h *Handler) handleListV1(w http.ResponseWriter, r *http.Request) error {
	out := []subscriptionV1{}
	after := ""
	for {
		subs, next, err := h.svc.ListSubscriptions(r.Context(), saasID(r.Context()), after, azemu.PageSize)
		if err != nil {
			return err
		}
		for _, s := range subs {
			out = append(out, toSubscriptionV1(s))
		}
		if next == "" || len(out) >= 10000 {
			break
		}
		after = next
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) handleGetV1(w http.ResponseWriter, r *http.Request) error {
	sub, err := h.svc.GetSubscription(r.Context(), saasID(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("eTag", sub.ETag())
	httpx.WriteJSON(w, http.StatusOK, toSubscriptionV1(sub))
	return nil
}

func (h *Handler) handleSubscribeV1(w http.ResponseWriter, r *http.Request) error {
	var in subscriberPlan
	if err := readJSON(r, &in, true); err != nil {
		return err
	}
	if r.Header.Get("If-None-Match") == "*" {
		// "only if it does not exist": a subscription to subscribe always does.
		return preconditionFailed("If-None-Match: * but the subscription exists")
	}
	op, err := h.svc.Subscribe(r.Context(), saasID(r.Context()), r.PathValue("id"), azemu.ChangeInput{PlanID: in.PlanID,
		APIVersion: azemu.APIVersionV1, IfMatch: r.Header.Get("If-Match"),
		DryRun: strings.EqualFold(r.Header.Get("x-ms-marketplace-session-mode"), "dryrun")})
	if err != nil {
		return err
	}
	h.accepted(w, op)
	return nil
}

func (h *Handler) handleChangeV1(w http.ResponseWriter, r *http.Request) error {
	var in subscriberPlan
	if err := readJSON(r, &in, true); err != nil {
		return err
	}
	if in.PlanID == "" {
		return badArgument("planId is required")
	}
	op, err := h.svc.ChangeSubscription(r.Context(), saasID(r.Context()), r.PathValue("id"),
		azemu.ChangeInput{PlanID: in.PlanID, APIVersion: azemu.APIVersionV1, IfMatch: r.Header.Get("If-Match")})
	if err != nil {
		return err
	}
	h.accepted(w, op)
	return nil
}

func (h *Handler) handleDeleteV1(w http.ResponseWriter, r *http.Request) error {
	op, err := h.svc.DeleteSubscription(r.Context(), saasID(r.Context()), r.PathValue("id"), azemu.APIVersionV1)
	if err != nil {
		return err
	}
	h.accepted(w, op)
	return nil
}

func (h *Handler) handleGetOperationV1(w http.ResponseWriter, r *http.Request) error {
	op, err := h.svc.GetOperation(r.Context(), saasID(r.Context()), "", r.PathValue("opId"))
	if err != nil {
		return err
	}
	out := struct {
		ID               string `json:"id"`
		Status           string `json:"status"`
		ResourceLocation string `json:"resourceLocation,omitempty"`
		Created          string `json:"created"`
		LastModified     string `json:"lastModified"`
	}{ID: op.ID, Status: op.Status.V1(), Created: azemu.WireTime(op.CreatedAt), LastModified: azemu.WireTime(op.UpdatedAt)}
	if op.Action != azemu.ActionUnsubscribe {
		out.ResourceLocation = h.cfg.PublicURL + "/api/saas/subscriptions/" + url.PathEscape(op.SubscriptionID) +
			"?api-version=" + azemu.APIVersionV1
	}
	w.Header().Set("Retry-After", h.retryAfter(op))
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
