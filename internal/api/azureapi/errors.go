package azureapi

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/azemu"
	"github.com/saasplane/saasplane/internal/errs"
)

// azureError is the error body of the Fulfillment API:
// {"code", "message", "target"}.
type azureError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Target  string `json:"target,omitempty"`
}

func writeAzure(w http.ResponseWriter, status int, code, message string) {
	httpx.WriteJSON(w, status, azureError{Code: code, Message: message})
}

// writeAPIVersionError answers 400 in ASP.NET API versioning's shape.
func writeAPIVersionError(w http.ResponseWriter, code, message string) {
	httpx.WriteJSON(w, http.StatusBadRequest, map[string]map[string]string{"Error": {"Code": code, "Message": message}})
}

// writeForbidden answers a missing, invalid or expired token, or a token
// of another app, with 403 as the marketplace does.
func writeForbidden(w http.ResponseWriter, problem string) {
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	writeAzure(w, http.StatusForbidden, "Forbidden", "The authorization token is missing, invalid or expired, or was issued for another app: "+problem)
}

// writeError answers err in Azure's shape. Statuses come from the one
// Kind switch (httpx.Status); an If-Match mismatch is 412. Internal errors
// are logged and shown as {"error": {"code", "message"}}.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind == errs.KindInternal {
		httpx.Logger(r.Context()).Error("azure emulator request failed", "err", err)
		httpx.WriteJSON(w, http.StatusInternalServerError, map[string]azureError{"error": {Code: "InternalServerError", Message: "internal error"}})
		return
	}
	status := httpx.Status(e.Kind)
	if e.Type == azemu.CodePreconditionFail {
		status = http.StatusPreconditionFailed
	}
	if status >= 500 {
		httpx.Logger(r.Context()).Error("azure emulator request failed", "status", status, "err", err)
	}
	writeAzure(w, status, azureCode(e), e.Message)
}

// azureCode is the error's Azure code: its type when the domain set one,
// else one by kind.
func azureCode(e *errs.Error) string {
	if e.Type != "" && e.Type[0] >= 'A' && e.Type[0] <= 'Z' {
		return e.Type
	}
	switch e.Kind {
	case errs.KindNotFound:
		return azemu.CodeNotFound
	case errs.KindConflict:
		return azemu.CodeConflict
	case errs.KindTooLarge:
		return "RequestEntityTooLarge"
	case errs.KindUnavailable:
		return "ServiceUnavailable"
	}
	return azemu.CodeBadArgument
}

// handle adapts an error-returning handler to the wire's error bodies.
func handle(fn httpx.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			writeError(w, r, err)
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

func badArgument(format string, args ...any) error {
	return errs.Invalid(format, args...).WithType(azemu.CodeBadArgument)
}

func preconditionFailed(format string, args ...any) error {
	return errs.Conflict(format, args...).WithType(azemu.CodePreconditionFail)
}
