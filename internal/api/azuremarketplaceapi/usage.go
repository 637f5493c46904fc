package azuremarketplaceapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace/azure"
)

type meterDimensionBody struct {
	MeteringUnitName string `json:"metering_unit_name"`
	Dimension        string `json:"dimension"`
}

type usageReportBody struct {
	SubscriptionID string `json:"subscription_id"`
	Dimension      string `json:"dimension"`
	Hour           string `json:"hour"`
	Quantity       int64  `json:"quantity"`
	AzurePlanID    string `json:"azure_plan_id"`
	Status         string `json:"status"`
	Result         string `json:"result"`
	UsageEventID   string `json:"usage_event_id"`
	Attempts       int    `json:"attempts"`
	LastError      string `json:"last_error"`
	SentAt         string `json:"sent_at"`
}

func toUsageReportBody(r azure.AzureUsageReport) usageReportBody {
	return usageReportBody{SubscriptionID: r.SubscriptionID, Dimension: r.Dimension, Hour: rfc3339(r.Hour), Quantity: r.Quantity,
		AzurePlanID: r.PlanID, Status: string(r.Status), Result: r.Result, UsageEventID: r.UsageEventID, Attempts: r.Attempts,
		LastError: r.LastError, SentAt: rfc3339(r.SentAt)}
}

func (h *Handler) listMeterDimensions(w http.ResponseWriter, r *http.Request) error {
	ds, err := h.svc.AzureMeterDimensions(r.Context(), httpx.SaaSID(r.Context()))
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
	var req struct {
		MeteringUnitName *string `json:"metering_unit_name"`
		Dimension        *string `json:"dimension"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	return empty(w, h.svc.LinkAzureMeter(r.Context(), httpx.SaaSID(r.Context()), str(req.MeteringUnitName), str(req.Dimension)))
}

func (h *Handler) unlinkMeter(w http.ResponseWriter, r *http.Request) error {
	return empty(w, h.svc.UnlinkAzureMeter(r.Context(), httpx.SaaSID(r.Context()), r.PathValue("metering_unit_name")))
}

func (h *Handler) listUsageReports(w http.ResponseWriter, r *http.Request) error {
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	rs, err := h.svc.AzureUsageReports(r.Context(), httpx.SaaSID(r.Context()), r.URL.Query().Get("subscription_id"), limit)
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
