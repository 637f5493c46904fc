package communicationapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
)

type commentReq struct {
	Body string `json:"body"`
}

func (h *Handler) createComment(w http.ResponseWriter, r *http.Request) error {
	var req commentReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	c, err := h.svc.CreateComment(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("feedback_id"), req.Body)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toComment(c))
	return nil
}

func (h *Handler) getComment(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.GetComment(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("feedback_id"), r.PathValue("comment_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toComment(c))
	return nil
}

func (h *Handler) updateComment(w http.ResponseWriter, r *http.Request) error {
	var req commentReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	err := h.svc.UpdateComment(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("feedback_id"), r.PathValue("comment_id"), req.Body)
	if err != nil {
		return err
	}
	httpx.WriteEmpty(w)
	return nil
}

func (h *Handler) deleteComment(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteComment(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("feedback_id"), r.PathValue("comment_id")); err != nil {
		return err
	}
	httpx.WriteEmpty(w)
	return nil
}
