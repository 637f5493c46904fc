package awsmarketplaceapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace/aws"
)

// Usage reporting is saasplane's extension of the API: which meters are
// reported as which AWS dimensions, and what was reported.

type meterDimensionBody struct {
	MeteringUnitName string `json:"metering_unit_name"`
	Dimension        string `json:"dimension"`
}

type meterDimensionReq struct {
	MeteringUnitName *string `json:"metering_unit_name"`
	Dimension        *string `json:"dimension"`
}

type usageReportBody struct {
	CustomerIdentifier string `json:"customer_identifier"`
	Dimension          string `json:"dimension"`
	Hour               string `json:"hour"` // RFC 3339, the hour's start in UTC
	Quantity           int64  `json:"quantity"`
	Status             string `json:"status"`
	Result             string `json:"result"`
	MeteringRecordID   string `json:"metering_record_id"`
	Attempts           int    `json:"attempts"`
	LastError          string `json:"last_error"`
	SentAt             string `json:"sent_at"`
}

func toUsageReportBody(r aws.UsageReport) usageReportBody {
	b := usageReportBody{CustomerIdentifier: r.CustomerIdentifier, Dimension: r.Dimension, Hour: r.Hour.UTC().Format(time.RFC3339),
		Quantity: r.Quantity, Status: string(r.Status), Result: r.Result, MeteringRecordID: r.MeteringRecordID,
		Attempts: r.Attempts, LastError: r.LastError}
	if !r.SentAt.IsZero() {
		b.SentAt = r.SentAt.UTC().Format(time.RFC3339)
	}
	return b
}

func (h *Handler) listMeterDimensions(w http.ResponseWriter, r *http.Request) error {
	ds, err := h.svc.MeterDimensions(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	out := struct {
		MeterDimensions []meterDimensionBody `json:"metering_dimensions"`
	}{MeterDimensions: make([]meterDimensionBody, len(ds))}
	for i, d := range ds {
		out.MeterDimensions[i] = meterDimensionBody{MeteringUnitName: d.MeterName, Dimension: d.Dimension}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) linkMeter(w http.ResponseWriter, r *http.Request) error {
	var req meterDimensionReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	return empty(w, h.svc.LinkMeter(r.Context(), httpx.SaaSID(r.Context()), str(req.MeteringUnitName), str(req.Dimension)))
}

func (h *Handler) unlinkMeter(w http.ResponseWriter, r *http.Request) error {
	return empty(w, h.svc.UnlinkMeter(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("metering_unit_name")))
}

func (h *Handler) listUsageReports(w http.ResponseWriter, r *http.Request) error {
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			var fe errs.FieldErrors
			fe.Add("limit", "must be an integer from 1 to 1000")
			return fe.Err()
		}
		limit = n
	}
	rs, err := h.svc.UsageReports(r.Context(), httpx.SaaSID(r.Context()), r.URL.Query().Get("customer_identifier"), limit)
	if err != nil {
		return err
	}
	out := struct {
		UsageReports []usageReportBody `json:"usage_reports"`
	}{UsageReports: make([]usageReportBody, len(rs))}
	for i, rep := range rs {
		out.UsageReports[i] = toUsageReportBody(rep)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// reportUsage runs a round of usage reporting for this SaaS now, instead
// of waiting for the periodic one, and answers what it did. The round is
// the same job as the periodic one: one that is queued is joined, one
// that is running is waited for and followed by a new one.
func (h *Handler) reportUsage(w http.ResponseWriter, r *http.Request) error {
	if h.rounds == nil {
		return errs.E(errs.KindUnavailable, "this server runs no background jobs, so no usage round")
	}
	round, err := h.rounds(r.Context(), httpx.SaaSID(r.Context()))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, round)
	return nil
}
