package awsemuapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/errs"
)

const (
	jsonContentType = "application/x-amz-json-1.1"
	signingName     = "aws-marketplace"
)

// The X-Amz-Target values served.
const (
	targetResolveCustomer = "AWSMPMeteringService.ResolveCustomer"
	targetBatchMeterUsage = "AWSMPMeteringService.BatchMeterUsage"
	targetGetEntitlements = "AWSMPEntitlementService.GetEntitlements"
)

// jsonError is an AWS JSON 1.1 error answer.
type jsonError struct {
	status int
	typ    string
	msg    string
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"__type":"InternalServiceErrorException","message":"internal error"}`)
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeJSONError(w http.ResponseWriter, e jsonError) {
	w.Header().Set("X-Amzn-Errortype", e.typ)
	writeJSON(w, e.status, map[string]string{"__type": e.typ, "message": e.msg})
}

// domainError maps a service error to its AWS JSON error: typed errors keep
// their type (400, or 500 for server faults), other invalid input is a
// ValidationException, anything else an InternalServiceErrorException.
func domainError(r *http.Request, err error) jsonError {
	var e *errs.Error
	if errors.As(err, &e) {
		status := http.StatusBadRequest
		if e.Kind != errs.KindInvalid {
			status = http.StatusInternalServerError
		}
		switch {
		case e.Type != "" && e.Kind != errs.KindInternal:
			return jsonError{status, e.Type, e.Message}
		case e.Kind == errs.KindInvalid:
			return jsonError{status, awsemu.ErrTypeValidation, e.Message}
		}
	}
	httpx.Logger(r.Context()).Error("aws emulator call failed", "err", err)
	return jsonError{http.StatusInternalServerError, awsemu.ErrTypeInternalServiceError, "internal error"}
}

func jsonAuthError(e *authError) jsonError {
	switch e.failure {
	case authMissing:
		return jsonError{http.StatusForbidden, "MissingAuthenticationTokenException", e.message}
	case authIncomplete:
		return jsonError{http.StatusBadRequest, "IncompleteSignatureException", e.message}
	case authUnknownKey:
		return jsonError{http.StatusForbidden, "UnrecognizedClientException", e.message}
	case authExpired:
		return jsonError{http.StatusForbidden, "ExpiredTokenException", e.message}
	default:
		return jsonError{http.StatusForbidden, "InvalidSignatureException", e.message}
	}
}

// serveCBOR answers the Smithy RPC v2 CBOR paths, which the emulator does
// not speak, with a JSON error that says so.
func (h *Handler) serveCBOR(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Amzn-Requestid", h.svc.RequestID())
	writeJSONError(w, jsonError{http.StatusBadRequest, "UnknownOperationException",
		"the emulator speaks AWS JSON 1.1 only (POST /aws/marketplace with X-Amz-Target), not RPC v2 CBOR: configure the client for awsJson1_1"})
}

// marketplaceOp picks the AWS Marketplace operation of a call by its
// X-Amz-Target.
func (h *Handler) marketplaceOp(target string) (jsonOp, *jsonError) {
	switch target {
	case targetResolveCustomer:
		return h.resolveCustomer, nil
	case targetBatchMeterUsage:
		return h.batchMeterUsage, nil
	case targetGetEntitlements:
		return h.getEntitlements, nil
	}
	return nil, &jsonError{http.StatusBadRequest, "UnknownOperationException",
		"unknown X-Amz-Target " + quote(target) + ": the emulator serves " + targetResolveCustomer + ", " + targetBatchMeterUsage + " and " + targetGetEntitlements}
}

func (e *jsonError) Error() string { return e.typ + ": " + e.msg }

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

// decode reads a JSON 1.1 body; anything that is not a JSON object of the
// right shape is a SerializationException.
func decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}") // the SDKs send {} for empty input; tolerate nothing
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return &jsonError{http.StatusBadRequest, "SerializationException", "malformed request body: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &jsonError{http.StatusBadRequest, "SerializationException", "malformed request body: data after the JSON object"}
	}
	return nil
}

// fault applies an injected fault, if one is pending for the call's SaaS.
func (h *Handler) fault(r *http.Request, op, productCode, token string) error {
	f, ok, err := h.svc.TakeFault(r.Context(), op, productCode, token)
	if err != nil || !ok {
		return err
	}
	sleep(r.Context(), f.Delay)
	return f.Err()
}

// epoch is a JSON 1.1 timestamp: epoch seconds, possibly fractional.
type epoch float64

func (e epoch) time() time.Time {
	sec, frac := math.Modf(float64(e))
	return time.Unix(int64(sec), int64(math.Round(frac*1e6))*1e3).UTC()
}

func toEpoch(t time.Time) float64 {
	if t.Nanosecond() == 0 {
		return float64(t.Unix())
	}
	return float64(t.UnixMilli()) / 1000
}

// ---- ResolveCustomer ----

func (h *Handler) resolveCustomer(r *http.Request, body []byte) (any, error) {
	var in struct {
		RegistrationToken string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := h.fault(r, awsemu.OperationResolveCustomer, "", in.RegistrationToken); err != nil {
		return nil, err
	}
	p, err := h.svc.ResolveCustomer(r.Context(), in.RegistrationToken)
	if err != nil {
		return nil, err
	}
	return map[string]string{
		"CustomerIdentifier": p.CustomerIdentifier, "CustomerAWSAccountId": p.CustomerAWSAccountID,
		"ProductCode": p.ProductCode, "LicenseArn": p.LicenseArn,
	}, nil
}

// ---- GetEntitlements ----

type entitlementJSON struct {
	ProductCode          string
	Dimension            string
	CustomerIdentifier   string
	CustomerAWSAccountId string //nolint:revive // the wire name
	LicenseArn           string
	Value                struct{ IntegerValue int64 }
	ExpirationDate       float64
}

func (h *Handler) getEntitlements(r *http.Request, body []byte) (any, error) {
	var in struct {
		ProductCode string
		Filter      map[string][]string
		NextToken   string
		MaxResults  *int
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := h.fault(r, awsemu.OperationGetEntitlements, in.ProductCode, ""); err != nil {
		return nil, err
	}
	page, err := h.svc.GetEntitlements(r.Context(), awsemu.EntitlementsInput{
		ProductCode: in.ProductCode, Filter: in.Filter, NextToken: in.NextToken, MaxResults: in.MaxResults,
	})
	if err != nil {
		return nil, err
	}
	out := struct {
		Entitlements []entitlementJSON
		NextToken    string `json:",omitempty"`
	}{Entitlements: make([]entitlementJSON, 0, len(page.Entitlements)), NextToken: page.NextToken}
	for _, e := range page.Entitlements {
		ej := entitlementJSON{ProductCode: e.ProductCode, Dimension: e.Dimension, CustomerIdentifier: e.CustomerIdentifier,
			CustomerAWSAccountId: e.CustomerAWSAccountID, LicenseArn: e.LicenseArn, ExpirationDate: toEpoch(e.ExpirationDate)}
		ej.Value.IntegerValue = e.Quantity
		out.Entitlements = append(out.Entitlements, ej)
	}
	return out, nil
}

// ---- BatchMeterUsage ----

type usageRecordJSON struct {
	Timestamp            *epoch
	CustomerIdentifier   string
	CustomerAWSAccountId string //nolint:revive // the wire name
	LicenseArn           string
	Dimension            string
	Quantity             *int64
	UsageAllocations     []struct {
		AllocatedUsageQuantity int64
	}
}

type usageResultJSON struct {
	UsageRecord      json.RawMessage
	MeteringRecordId string `json:",omitempty"` //nolint:revive // the wire name
	Status           string
}

func (h *Handler) batchMeterUsage(r *http.Request, body []byte) (any, error) {
	var in struct {
		ProductCode  string
		UsageRecords []json.RawMessage
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	records := make([]awsemu.UsageInput, len(in.UsageRecords))
	for i, raw := range in.UsageRecords {
		var u usageRecordJSON
		if err := decode(raw, &u); err != nil {
			return nil, err
		}
		rec := awsemu.UsageInput{CustomerIdentifier: u.CustomerIdentifier, CustomerAWSAccountID: u.CustomerAWSAccountId,
			LicenseArn: u.LicenseArn, Dimension: u.Dimension, Quantity: u.Quantity}
		if u.Timestamp != nil {
			rec.Timestamp = u.Timestamp.time()
		}
		if u.UsageAllocations != nil {
			rec.Allocations = make([]int64, 0, len(u.UsageAllocations))
			for _, a := range u.UsageAllocations {
				rec.Allocations = append(rec.Allocations, a.AllocatedUsageQuantity)
			}
		}
		records[i] = rec
	}
	if err := h.fault(r, awsemu.OperationBatchMeterUsage, in.ProductCode, ""); err != nil {
		return nil, err
	}
	results, err := h.svc.BatchMeterUsage(r.Context(), in.ProductCode, records)
	if err != nil {
		return nil, err
	}
	out := struct {
		Results            []usageResultJSON
		UnprocessedRecords []json.RawMessage
	}{Results: make([]usageResultJSON, 0, len(results)), UnprocessedRecords: []json.RawMessage{}}
	for i, res := range results {
		out.Results = append(out.Results, usageResultJSON{UsageRecord: in.UsageRecords[i],
			MeteringRecordId: res.MeteringRecordID, Status: string(res.Status)})
	}
	return out, nil
}
