// Package apilogapi is the HTTP side of the API log: the middleware that
// records every authenticated /v1 request (Middleware), and the
// SaaSus-compatible ApiLog API under /v1/apilog that reads the record.
// Capturing and serving live here; the rules (redaction, truncation,
// batching, retention, paging) live in internal/apilog.
package apilogapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/apilog"
)

// Prefix is where the API is mounted.
const Prefix = "/v1/apilog"

// Handler serves the ApiLog routes.
type Handler struct {
	svc *apilog.Service
}

// New returns a Handler over svc.
func New(svc *apilog.Service) *Handler { return &Handler{svc: svc} }

// Register adds the ApiLog routes to rt.
func (h *Handler) Register(rt *httpx.Router) {
	rt.HandleFunc("GET "+Prefix+"/logs", h.listLogs)
	rt.HandleFunc("GET "+Prefix+"/logs/{api_log_id}", h.getLog)
	rt.HandleFunc("GET "+Prefix+"/errors/internal-server-error", h.internalServerError)
}

func (h *Handler) listLogs(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, err := h.svc.ListLogs(r.Context(), httpx.SaaSID(r.Context()), apilog.ListLogsInput{
		CreatedDate: q.Get("created_date"),
		CreatedAt:   q.Get("created_at"),
		StartAt:     q.Get("start_at"),
		EndAt:       q.Get("end_at"),
		Limit:       q.Get("limit"),
		Cursor:      q.Get("cursor"),
	})
	if err != nil {
		return err
	}
	out := apiLogsResp{APILogs: make([]apiLogResp, len(page.Entries)), Cursor: page.Next}
	for i, e := range page.Entries {
		out.APILogs[i] = toAPILog(e)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) getLog(w http.ResponseWriter, r *http.Request) error {
	e, err := h.svc.GetLog(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("api_log_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toAPILog(e))
	return nil
}

// internalServerError always fails, so SDKs can test their error handling.
func (h *Handler) internalServerError(w http.ResponseWriter, r *http.Request) error {
	httpx.WriteJSON(w, http.StatusInternalServerError, httpx.ErrorBody{Type: "internal_server_error", Message: "this endpoint always answers 500, for testing error handling"})
	return nil
}
