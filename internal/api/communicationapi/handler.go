// Package communicationapi serves /v1/communication, the SaaSus
// Communication API: the users' feedback about a SaaS, its comments and
// votes, kept by internal/communication. Requests are checked against
// api/communication.yaml before they get here.
package communicationapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/communication"
)

// Prefix is where the API is mounted.
const Prefix = "/v1/communication"

// Handler serves the Communication routes.
type Handler struct{ svc *communication.Service }

// New returns the handler over svc.
func New(svc *communication.Service) *Handler { return &Handler{svc: svc} }

// Register adds every route to rt.
func (h *Handler) Register(rt *httpx.Router) {
	const f = Prefix + "/feedbacks"
	rt.HandleFunc("GET "+f, h.listFeedbacks)
	rt.HandleFunc("POST "+f, h.createFeedback)
	rt.HandleFunc("GET "+f+"/{feedback_id}", h.getFeedback)
	rt.HandleFunc("PATCH "+f+"/{feedback_id}", h.updateFeedback)
	rt.HandleFunc("DELETE "+f+"/{feedback_id}", h.deleteFeedback)
	rt.HandleFunc("PATCH "+f+"/{feedback_id}/status", h.updateFeedbackStatus)
	rt.HandleFunc("POST "+f+"/{feedback_id}/comments", h.createComment)
	rt.HandleFunc("GET "+f+"/{feedback_id}/comments/{comment_id}", h.getComment)
	rt.HandleFunc("PATCH "+f+"/{feedback_id}/comments/{comment_id}", h.updateComment)
	rt.HandleFunc("DELETE "+f+"/{feedback_id}/comments/{comment_id}", h.deleteComment)
	rt.HandleFunc("POST "+f+"/{feedback_id}/votes/users", h.createVote)
	rt.HandleFunc("DELETE "+f+"/{feedback_id}/votes/users/{user_id}", h.deleteVote)
	rt.HandleFunc("GET "+Prefix+"/errors/internal-server-error", h.internalServerError)
}

// internalServerError always fails, so SDKs can test their error handling.
func (h *Handler) internalServerError(w http.ResponseWriter, r *http.Request) error {
	httpx.WriteJSON(w, http.StatusInternalServerError, httpx.ErrorBody{Type: "internal_server_error", Message: "this endpoint always answers 500, for testing error handling"})
	return nil
}
