package awsemuapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/errs"
)

// The emulator's EventBridge: PutEvents in AWS JSON 1.1 at POST
// /aws/events (SigV4 signing name "events"), and the admin listing of
// what a SaaS's partner source sent under /aws/events/_emulator/.

const (
	eventsSigningName  = "events"
	targetPutEvents    = "AWSEvents.PutEvents"
	eventsAdminPrefix  = "/aws/events/_emulator"
	eventsWirePath     = "/aws/events"
	eventsUnknownOpMsg = "the emulator's EventBridge serves " + targetPutEvents + " only"
)

// registerEvents adds the EventBridge routes to root, the admin ones
// wrapped in auth.
func (h *Handler) registerEvents(root *httpx.Router, auth func(http.Handler) http.Handler) {
	wire := h.serveJSON(eventsSigningName, h.eventsOp)
	root.Handle("POST "+eventsWirePath, wire)
	root.Handle("POST "+eventsWirePath+"/{$}", wire)
	admin := httpx.NewRouter()
	admin.HandleFunc("GET "+eventsAdminPrefix+"/events", h.handleListEvents)
	root.Handle(eventsAdminPrefix+"/", auth(admin))
}

// eventsOp picks the EventBridge operation of a call: PutEvents only.
func (h *Handler) eventsOp(target string) (jsonOp, *jsonError) {
	if target != targetPutEvents {
		return nil, &jsonError{http.StatusBadRequest, "UnknownOperationException", "unknown X-Amz-Target " + quote(target) + ": " + eventsUnknownOpMsg}
	}
	return h.putEvents, nil
}

type putEventsEntryJSON struct {
	EventBusName string
	Source       string
	DetailType   string
	Detail       string
	Time         *epoch
	Resources    []string
	TraceHeader  string
}

type putEventsResultJSON struct {
	EventId      string `json:",omitempty"` //nolint:revive // the wire name
	ErrorCode    string `json:",omitempty"`
	ErrorMessage string `json:",omitempty"`
}

// putEvents serves PutEvents: the region is the one the call was signed
// for.
func (h *Handler) putEvents(r *http.Request, body []byte) (any, error) {
	var in struct {
		Entries    []putEventsEntryJSON
		EndpointId string //nolint:revive // the wire name
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.EndpointId != "" {
		return nil, &jsonError{http.StatusBadRequest, awsemu.ErrTypeValidation, "the emulator has no global endpoints: send without EndpointId"}
	}
	entries := make([]awsemu.EventEntry, len(in.Entries))
	for i, e := range in.Entries {
		entries[i] = awsemu.EventEntry{EventBusName: e.EventBusName, Source: e.Source, DetailType: e.DetailType, Detail: e.Detail}
		if e.Time != nil {
			entries[i].Time = e.Time.time()
		}
	}
	region := "us-east-1"
	if sh, err := parseAuthorization(r.Header.Get("Authorization")); err == nil {
		region = sh.region
	}
	results, err := h.svc.PutEvents(r.Context(), region, entries)
	if err != nil {
		return nil, err
	}
	out := struct {
		Entries          []putEventsResultJSON
		FailedEntryCount int
	}{Entries: make([]putEventsResultJSON, len(results))}
	for i, res := range results {
		out.Entries[i] = putEventsResultJSON{EventId: res.EventID, ErrorCode: res.ErrorCode, ErrorMessage: res.ErrorMessage}
		if res.ErrorCode != "" {
			out.FailedEntryCount++
		}
	}
	return out, nil
}

type receivedEventJSON struct {
	EventID    string          `json:"event_id"`
	Region     string          `json:"region"`
	EventBus   string          `json:"event_bus"`
	Source     string          `json:"source"`
	DetailType string          `json:"detail_type"`
	Detail     json.RawMessage `json:"detail"`
	Time       string          `json:"time"`
	ReceivedAt string          `json:"received_at"`
}

// handleListEvents lists the events the calling SaaS's partner source
// sent, newest first (?limit=, 1 to 1000, default 100).
func (h *Handler) handleListEvents(w http.ResponseWriter, r *http.Request) error {
	limit := 0
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > awsemu.MaxEventsLimit {
			return errs.Invalid("limit must be an integer from 1 to %d", awsemu.MaxEventsLimit)
		}
		limit = n
	}
	evs, err := h.svc.ListEvents(r.Context(), httpx.SaaSID(r.Context()), limit)
	if err != nil {
		return err
	}
	out := make([]receivedEventJSON, 0, len(evs))
	for _, e := range evs {
		detail := json.RawMessage(e.Detail)
		if !json.Valid(detail) {
			b, _ := json.Marshal(e.Detail)
			detail = b
		}
		out = append(out, receivedEventJSON{EventID: e.EventID, Region: e.Region, EventBus: e.EventBus, Source: e.Source,
			DetailType: e.DetailType, Detail: detail, Time: e.Time.UTC().Format(time.RFC3339Nano),
			ReceivedAt: e.ReceivedAt.UTC().Format(time.RFC3339Nano)})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"events": out})
	return nil
}
