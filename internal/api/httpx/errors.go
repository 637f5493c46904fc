// Package httpx holds what every saasplane HTTP handler shares: the single
// mapping from domain errors to HTTP statuses and SaaSus error bodies, JSON
// decoding that names the offending field, and the middleware chain (trace
// id, request logging, panic recovery, body limits, SAASUSSIGV1 auth).
package httpx

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/saasplane/saasplane/internal/errs"
)

// ErrorBody is the SaaSus error body: both fields always present.
type ErrorBody struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// Status maps an error kind to its HTTP status. This switch is the only
// place where domain errors become status codes.
func Status(k errs.Kind) int {
	switch k {
	case errs.KindInvalid:
		return http.StatusBadRequest
	case errs.KindNotFound:
		return http.StatusNotFound
	case errs.KindConflict:
		return http.StatusConflict
	case errs.KindUnauthorized:
		return http.StatusUnauthorized
	case errs.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case errs.KindUnavailable:
		return http.StatusServiceUnavailable
	case errs.KindRateLimited:
		return http.StatusTooManyRequests
	default:
		return http.StatusInternalServerError
	}
}

// WriteError answers with the SaaSus error body for err. Unknown errors are
// logged with their cause and shown to the caller only as "internal error".
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var e *errs.Error
	if !errors.As(err, &e) {
		e = &errs.Error{Kind: errs.KindInternal, Message: "internal error", Err: err}
	}
	status := Status(e.Kind)
	body := ErrorBody{Type: e.WireType(), Message: e.Message}
	if status >= 500 {
		Logger(r.Context()).Error("request failed", "status", status, "err", err)
		if e.Kind == errs.KindInternal {
			body.Message = "internal error"
		}
	}
	WriteJSON(w, status, body)
}

// WriteJSON answers with v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only unmarshalable types get here: a programming error.
		slog.Error("encode response", "err", err)
		status, b = http.StatusInternalServerError, []byte(`{"type":"internal_server_error","message":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// WriteEmpty answers 200 with no body, as upstream does for operations that
// declare no content. The content type stays JSON for clients that check it.
func WriteEmpty(w http.ResponseWriter) { WriteEmptyStatus(w, http.StatusOK) }

// WriteEmptyStatus answers status with no body, as WriteEmpty does.
func WriteEmptyStatus(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
}

// HandlerFunc is a handler that returns its error instead of writing it.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handle adapts a HandlerFunc, writing any error it returns.
func Handle(fn HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			WriteError(w, r, err)
		}
	})
}
