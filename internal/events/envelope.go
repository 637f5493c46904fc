package events

import (
	"encoding/json"
	"strconv"
	"time"
)

// DetailType is the envelope's detail-type of an API call's event, as
// SaaSus sends it.
const DetailType = "api_call"

// Source is the envelope's source for a SaaS: SaaSus's partner event
// source, named by the SaaS.
func Source(saasID string) string { return "aws.partner/saasus.io/" + saasID + "/event" }

// envelope is the JSON posted to a webhook: EventBridge's event shape
// with SaaSus's detail.
type envelope struct {
	Version    string   `json:"version"`
	ID         string   `json:"id"`
	DetailType string   `json:"detail-type"`
	Source     string   `json:"source"`
	Account    string   `json:"account"`
	Time       string   `json:"time"`
	Region     string   `json:"region"`
	Resources  []string `json:"resources"`
	Detail     Detail   `json:"detail"`
}

// Detail is the envelope's detail: the operation, the request's trace id
// and the call's record as a JSON string (as SaaSus sends it).
type Detail struct {
	EventType string `json:"event_type"`
	TraceID   string `json:"trace_id"`
	Event     string `json:"event"`
	Seq       int64  `json:"seq"`
}

// record is the call's record inside Detail.Event.
type record struct {
	LogID         string `json:"log_id"`
	DateTime      string `json:"date_time"`
	Date          string `json:"date"`
	TTL           int64  `json:"ttl"`
	HTTPStatus    string `json:"http_status"`
	URI           string `json:"uri"`
	IPAddress     string `json:"ip_address"`
	Referer       string `json:"referer"`
	RequestMethod string `json:"request_method"`
	SaaSID        string `json:"saas_id"`
	APIKey        string `json:"api_key"`
	RequestBody   string `json:"request_body"`
	ResponseBody  string `json:"response_body"`
}

// DetailOf returns e's detail; retention is how long the record is kept
// (its ttl).
func DetailOf(e Event, retention time.Duration) (Detail, error) {
	at := e.CreatedAt.UTC()
	status := ""
	if e.Call.HTTPStatus != 0 {
		status = strconv.Itoa(e.Call.HTTPStatus)
	}
	b, err := json.Marshal(record{
		LogID: e.ID, DateTime: at.Format("2006-01-02T15:04:05.000000Z"), Date: at.Format(time.DateOnly),
		TTL: at.Add(retention).Unix(), HTTPStatus: status, URI: e.Call.URI, IPAddress: e.Call.IPAddress,
		Referer: e.Call.Referer, RequestMethod: e.Call.RequestMethod, SaaSID: e.SaaSID, APIKey: e.Call.APIKey,
		RequestBody: e.Call.RequestBody, ResponseBody: e.Call.ResponseBody,
	})
	if err != nil {
		return Detail{}, err
	}
	return Detail{EventType: e.Type, TraceID: e.TraceID, Event: string(b), Seq: e.Seq}, nil
}

// Envelope returns the JSON body of e, posted to every webhook of its
// SaaS: the same bytes on every attempt.
func Envelope(e Event, retention time.Duration) (json.RawMessage, error) {
	d, err := DetailOf(e, retention)
	if err != nil {
		return nil, err
	}
	return json.Marshal(envelope{
		Version: "0", ID: e.ID, DetailType: DetailType, Source: Source(e.SaaSID),
		Time: e.CreatedAt.UTC().Format(time.RFC3339), Resources: []string{}, Detail: d,
	})
}
