package communicationapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/communication"
)

func (h *Handler) listFeedbacks(w http.ResponseWriter, r *http.Request) error {
	fs, err := h.svc.ListFeedbacks(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	out := feedbacksResp{Feedbacks: make([]feedbackResp, len(fs))}
	for i, f := range fs {
		out.Feedbacks[i] = toFeedback(f)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

type createFeedbackReq struct {
	Title       string `json:"feedback_title"`
	Description string `json:"feedback_description"`
	UserID      string `json:"user_id"`
}

func (h *Handler) createFeedback(w http.ResponseWriter, r *http.Request) error {
	var req createFeedbackReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	f, err := h.svc.CreateFeedback(r.Context(), httpx.SaaSID(r.Context()),
		communication.NewFeedback{Title: req.Title, Description: req.Description, UserID: req.UserID})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toFeedback(f))
	return nil
}

func (h *Handler) getFeedback(w http.ResponseWriter, r *http.Request) error {
	f, err := h.svc.GetFeedback(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("feedback_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toFeedback(f))
	return nil
}

type updateFeedbackReq struct {
	Title       string `json:"feedback_title"`
	Description string `json:"feedback_description"`
}

func (h *Handler) updateFeedback(w http.ResponseWriter, r *http.Request) error {
	var req updateFeedbackReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	err := h.svc.UpdateFeedback(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("feedback_id"),
		communication.FeedbackUpdate{Title: req.Title, Description: req.Description})
	if err != nil {
		return err
	}
	httpx.WriteEmpty(w)
	return nil
}

func (h *Handler) deleteFeedback(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteFeedback(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("feedback_id")); err != nil {
		return err
	}
	httpx.WriteEmpty(w)
	return nil
}

type updateStatusReq struct {
	Status uint64 `json:"status"`
}

func (h *Handler) updateFeedbackStatus(w http.ResponseWriter, r *http.Request) error {
	var req updateStatusReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	err := h.svc.UpdateFeedbackStatus(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("feedback_id"), communication.Status(req.Status))
	if err != nil {
		return err
	}
	httpx.WriteEmpty(w)
	return nil
}
