package awsemuapi

import (
	"errors"
	"io"
	"net/http"
	"strings"
)

// jsonOp answers one AWS JSON 1.1 call, given its verified body.
type jsonOp func(r *http.Request, body []byte) (any, error)

// serveJSON serves an AWS JSON 1.1 endpoint whose calls are signed with
// SigV4 for the service signing: it reads the body and checks the
// signature, picks the operation by X-Amz-Target (route answers the error
// of an unknown one), checks the Content-Type, runs the operation and
// answers its result, or its error in the AWS JSON shape.
func (h *Handler) serveJSON(signing string, route func(target string) (jsonOp, *jsonError)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-Requestid", h.svc.RequestID())
		if e := h.callJSON(w, r, signing, route); e != nil {
			writeJSONError(w, *e)
		}
	}
}

func (h *Handler) callJSON(w http.ResponseWriter, r *http.Request, signing string, route func(string) (jsonOp, *jsonError)) *jsonError {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		return &jsonError{http.StatusRequestEntityTooLarge, "SerializationException", "request body is too large or unreadable"}
	}
	if ae := h.verify(r.Context(), r, body, signing, false); ae != nil {
		e := jsonAuthError(ae)
		return &e
	}
	op, je := route(r.Header.Get("X-Amz-Target"))
	if je != nil {
		return je
	}
	if ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); strings.TrimSpace(ct) != jsonContentType {
		return &jsonError{http.StatusBadRequest, "SerializationException", "Content-Type must be " + jsonContentType}
	}
	resp, err := op(r, body)
	if err != nil {
		if errors.As(err, &je) {
			return je
		}
		e := domainError(r, err)
		return &e
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}
