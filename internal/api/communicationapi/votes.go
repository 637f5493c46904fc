package communicationapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
)

type voteReq struct {
	UserID string `json:"user_id"`
}

// createVote answers 201 with the votes, for a repeated vote too: the
// SDKs read the votes from a 201 only, and a user counts once anyway.
func (h *Handler) createVote(w http.ResponseWriter, r *http.Request) error {
	var req voteReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	v, err := h.svc.CreateVote(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("feedback_id"), req.UserID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toVotes(v))
	return nil
}

func (h *Handler) deleteVote(w http.ResponseWriter, r *http.Request) error {
	v, err := h.svc.DeleteVote(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("feedback_id"), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toVotes(v))
	return nil
}
