package azureapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/azemu"
)

// The metering API (2018-08-31).
func (h *Handler) registerMetering() {
	h.mtr.Handle("POST /api/usageEvent", handle(h.handleUsageEvent))
	h.mtr.Handle("POST /api/batchUsageEvent", handle(h.handleBatchUsageEvent))
	h.mtr.Handle("GET /api/usageEvents", handle(h.handleUsageEvents))
}

type usageEventIn struct {
	ResourceID         string      `json:"resourceId"`
	ResourceURI        string      `json:"resourceUri"`
	Quantity           json.Number `json:"quantity"`
	Dimension          string      `json:"dimension"`
	EffectiveStartTime string      `json:"effectiveStartTime"`
	PlanID             string      `json:"planId"`
}

type usageEventOut struct {
	UsageEventID       string        `json:"usageEventId,omitempty"`
	Status             string        `json:"status"`
	MessageTime        string        `json:"messageTime,omitempty"`
	ResourceID         string        `json:"resourceId"`
	Quantity           float64       `json:"quantity"`
	Dimension          string        `json:"dimension"`
	EffectiveStartTime string        `json:"effectiveStartTime"`
	PlanID             string        `json:"planId"`
	Error              *meteringBody `json:"error,omitempty"`
}

type meteringDetail struct {
	Message string `json:"message"`
	Target  string `json:"target"`
	Code    string `json:"code"`
}

// meteringBody is the metering API's error body (400 and the 409
// duplicate).
type meteringBody struct {
	AdditionalInfo *struct {
		AcceptedMessage usageEventOut `json:"acceptedMessage"`
	} `json:"additionalInfo,omitempty"`
	Message string           `json:"message"`
	Target  string           `json:"target,omitempty"`
	Details []meteringDetail `json:"details,omitempty"`
	Code    string           `json:"code"`
}

// parseTime reads effectiveStartTime: RFC 3339, or without a zone (UTC),
// as the documentation's examples write it.
func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// toInput converts an event; ok is false (with the detail) when it is
// malformed.
func (e usageEventIn) toInput() (azemu.UsageInput, *meteringDetail) {
	in := azemu.UsageInput{ResourceID: e.ResourceID, Dimension: e.Dimension, PlanID: e.PlanID}
	if in.ResourceID == "" {
		in.ResourceID = e.ResourceURI
	}
	if e.Quantity != "" {
		q, err := e.Quantity.Float64()
		if err != nil {
			return in, &meteringDetail{Message: "The quantity is not a number.", Target: "quantity", Code: "BadArgument"}
		}
		in.Quantity = q
	}
	if e.EffectiveStartTime != "" {
		t, ok := parseTime(e.EffectiveStartTime)
		if !ok {
			return in, &meteringDetail{Message: "The effectiveStartTime is not a date and time.", Target: "effectiveStartTime", Code: "BadArgument"}
		}
		in.EffectiveStartTime = t
	}
	return in, nil
}

func eventOut(e azemu.UsageEvent, status azemu.UsageStatus) usageEventOut {
	return usageEventOut{UsageEventID: e.UsageEventID, Status: string(status), MessageTime: azemu.WireTime(e.MessageTime),
		ResourceID: e.ResourceID, Quantity: e.Quantity, Dimension: e.Dimension,
		EffectiveStartTime: azemu.WireTime(e.EffectiveStartTime), PlanID: e.PlanID}
}

// resultOut renders one event's outcome: the event as accepted (or as
// accepted before, for a duplicate), else the request with an error.
func resultOut(in azemu.UsageInput, r azemu.UsageResult) usageEventOut {
	switch r.Status {
	case azemu.UsageAccepted:
		return eventOut(r.Event, r.Status)
	case azemu.UsageDuplicate:
		out := eventOut(r.Event, r.Status)
		out.Error = duplicateBody(r)
		return out
	}
	out := usageEventOut{Status: string(r.Status), ResourceID: in.ResourceID, Quantity: in.Quantity, Dimension: in.Dimension,
		PlanID: in.PlanID}
	if !in.EffectiveStartTime.IsZero() {
		out.EffectiveStartTime = azemu.WireTime(in.EffectiveStartTime)
	}
	out.Error = badArgumentBody(meteringDetail{Message: r.Message, Target: r.Target, Code: string(r.Status)})
	return out
}

func duplicateBody(r azemu.UsageResult) *meteringBody {
	b := &meteringBody{Message: "This usage event already exist.", Code: "Conflict"}
	b.AdditionalInfo = &struct {
		AcceptedMessage usageEventOut `json:"acceptedMessage"`
	}{eventOut(r.Event, azemu.UsageDuplicate)}
	return b
}

func badArgumentBody(d meteringDetail) *meteringBody {
	return &meteringBody{Message: "One or more errors have occurred.", Target: "usageEventRequest",
		Details: []meteringDetail{d}, Code: "BadArgument"}
}

func (h *Handler) handleUsageEvent(w http.ResponseWriter, r *http.Request) error {
	var e usageEventIn
	if err := readJSON(r, &e, true); err != nil {
		return err
	}
	in, bad := e.toInput()
	if bad != nil {
		httpx.WriteJSON(w, http.StatusBadRequest, badArgumentBody(*bad))
		return nil
	}
	rs, err := h.svc.PostUsage(r.Context(), saasID(r.Context()), []azemu.UsageInput{in})
	if err != nil {
		return err
	}
	res := rs[0]
	switch res.Status {
	case azemu.UsageAccepted:
		httpx.WriteJSON(w, http.StatusOK, eventOut(res.Event, res.Status))
	case azemu.UsageDuplicate:
		httpx.WriteJSON(w, http.StatusConflict, duplicateBody(res))
	default:
		httpx.WriteJSON(w, http.StatusBadRequest, badArgumentBody(meteringDetail{Message: res.Message, Target: res.Target, Code: string(res.Status)}))
	}
	return nil
}

func (h *Handler) handleBatchUsageEvent(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Request []usageEventIn `json:"request"`
	}
	if err := readJSON(r, &body, true); err != nil {
		return err
	}
	if len(body.Request) == 0 || len(body.Request) > azemu.MaxBatch {
		httpx.WriteJSON(w, http.StatusBadRequest, badArgumentBody(meteringDetail{
			Message: "The request must contain 1 to 25 usage events.", Target: "request", Code: "BadArgument"}))
		return nil
	}
	ins := make([]azemu.UsageInput, len(body.Request))
	bad := make([]*meteringDetail, len(body.Request))
	var valid []azemu.UsageInput
	for i, e := range body.Request {
		ins[i], bad[i] = e.toInput()
		if bad[i] == nil {
			valid = append(valid, ins[i])
		}
	}
	rs, err := h.svc.PostUsage(r.Context(), saasID(r.Context()), valid)
	if err != nil {
		return err
	}
	out := make([]usageEventOut, len(ins))
	for i := range ins {
		if bad[i] != nil {
			out[i] = resultOut(ins[i], azemu.UsageResult{Status: azemu.UsageBadArgument, Message: bad[i].Message, Target: bad[i].Target})
			continue
		}
		out[i], rs = resultOut(ins[i], rs[0]), rs[1:]
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"count": len(out), "result": out})
	return nil
}

func (h *Handler) handleUsageEvents(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	from, ok := parseTime(q.Get("usageStartDate"))
	if !ok {
		if d, err := time.Parse(time.DateOnly, q.Get("usageStartDate")); err == nil {
			from, ok = d, true
		}
	}
	if !ok {
		return badArgument("usageStartDate is required: a date (2006-01-02) or a date and time")
	}
	var to time.Time
	if s := q.Get("usageEndDate"); s != "" {
		if to, ok = parseTime(s); !ok {
			d, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return badArgument("usageEndDate is not a date")
			}
			to = d.AddDate(0, 0, 1)
		}
	}
	lines, err := h.svc.UsageReport(r.Context(), saasID(r.Context()), azemu.UsageQuery{From: from, To: to,
		OfferID: q.Get("offerId"), PlanID: q.Get("planId"), Dimension: q.Get("dimension")})
	if err != nil {
		return err
	}
	type line struct {
		UsageDate           string  `json:"usageDate"`
		UsageResourceID     string  `json:"usageResourceId"`
		Dimension           string  `json:"dimension"`
		PlanID              string  `json:"planId"`
		PlanName            string  `json:"planName"`
		OfferID             string  `json:"offerId"`
		OfferName           string  `json:"offerName"`
		OfferType           string  `json:"offerType"`
		AzureSubscriptionID string  `json:"azureSubscriptionId"`
		ReconStatus         string  `json:"reconStatus"`
		SubmittedQuantity   float64 `json:"submittedQuantity"`
		ProcessedQuantity   float64 `json:"processedQuantity"`
		SubmittedCount      int     `json:"submittedCount"`
	}
	out := make([]line, 0, len(lines))
	for _, l := range lines {
		recon := "Accepted"
		if l.DryRun {
			recon = "DryRun"
		}
		out = append(out, line{UsageDate: azemu.WireTime(l.Date), UsageResourceID: l.ResourceID, Dimension: l.Dimension,
			PlanID: l.PlanID, PlanName: l.PlanID, OfferID: l.OfferID, OfferName: l.OfferID, OfferType: "SaaS",
			ReconStatus: recon, SubmittedQuantity: l.Quantity, ProcessedQuantity: l.Quantity, SubmittedCount: l.Count})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
