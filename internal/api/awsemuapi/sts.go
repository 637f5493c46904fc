package awsemuapi

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/errs"
)

type stsCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type assumeRoleResponse struct {
	XMLName     xml.Name       `xml:"https://sts.amazonaws.com/doc/2011-06-15/ AssumeRoleResponse"`
	Credentials stsCredentials `xml:"AssumeRoleResult>Credentials"`
	RoleID      string         `xml:"AssumeRoleResult>AssumedRoleUser>AssumedRoleId"`
	RoleArn     string         `xml:"AssumeRoleResult>AssumedRoleUser>Arn"`
	RequestID   string         `xml:"ResponseMetadata>RequestId"`
}

type stsErrorResponse struct {
	XMLName   xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ ErrorResponse"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

type stsError struct {
	status int
	code   string
	msg    string
}

func stsAuthError(e *authError) stsError {
	switch e.failure {
	case authMissing:
		return stsError{http.StatusForbidden, "MissingAuthenticationToken", e.message}
	case authIncomplete:
		return stsError{http.StatusBadRequest, "IncompleteSignature", e.message}
	case authUnknownKey:
		return stsError{http.StatusForbidden, "InvalidClientTokenId", e.message}
	case authExpired:
		return stsError{http.StatusBadRequest, "ExpiredToken", e.message}
	default:
		return stsError{http.StatusForbidden, "SignatureDoesNotMatch", e.message}
	}
}

func writeXML(w http.ResponseWriter, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>internal error</Message></Error></ErrorResponse>`)
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(append([]byte(xml.Header), b...))
}

// serveSTS answers AssumeRole in the AWS Query protocol (form-encoded
// request, XML response), signed with the base credentials for "sts".
func (h *Handler) serveSTS(w http.ResponseWriter, r *http.Request) {
	id := h.svc.RequestID()
	w.Header().Set("X-Amzn-Requestid", id)
	if e := h.sts(w, r, id); e != nil {
		typ := "Sender"
		if e.status >= 500 {
			typ = "Receiver"
		}
		writeXML(w, e.status, stsErrorResponse{Type: typ, Code: e.code, Message: e.msg, RequestID: id})
	}
}

func (h *Handler) sts(w http.ResponseWriter, r *http.Request, requestID string) *stsError {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		return &stsError{http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "request body is too large or unreadable"}
	}
	if ae := h.verify(r.Context(), r, body, "sts", true); ae != nil {
		e := stsAuthError(ae)
		return &e
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return &stsError{http.StatusBadRequest, "MalformedInput", "request body is not form-encoded: " + err.Error()}
	}
	if a := form.Get("Action"); a != "AssumeRole" {
		return &stsError{http.StatusBadRequest, "InvalidAction", "Could not find operation " + a + " for version " + form.Get("Version") + ": the emulator serves AssumeRole only"}
	}
	if v := form.Get("Version"); v != "2011-06-15" {
		return &stsError{http.StatusBadRequest, "InvalidAction", "Could not find operation AssumeRole for version " + v + ": use 2011-06-15"}
	}
	in := awsemu.AssumeRoleInput{RoleArn: form.Get("RoleArn"), RoleSessionName: form.Get("RoleSessionName"), ExternalID: form.Get("ExternalId")}
	if d := form.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			return &stsError{http.StatusBadRequest, "ValidationError", "DurationSeconds must be an integer"}
		}
		in.DurationSeconds = n
	}
	ses, err := h.svc.AssumeRole(r.Context(), in)
	if err != nil {
		var e *errs.Error
		if errors.As(err, &e) && e.Kind == errs.KindInvalid {
			return &stsError{http.StatusBadRequest, "ValidationError", e.Message}
		}
		httpx.Logger(r.Context()).Error("aws emulator AssumeRole failed", "err", err)
		return &stsError{http.StatusInternalServerError, "InternalFailure", "internal error"}
	}
	writeXML(w, http.StatusOK, assumeRoleResponse{
		Credentials: stsCredentials{AccessKeyID: ses.AccessKeyID, SecretAccessKey: ses.SecretAccessKey,
			SessionToken: ses.SessionToken, Expiration: ses.ExpiresAt.UTC().Format(time.RFC3339)},
		RoleID: ses.AssumedRoleID(), RoleArn: ses.AssumedRoleArn(), RequestID: requestID,
	})
	return nil
}
