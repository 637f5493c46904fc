package events

import (
	"encoding/json"
	"time"
)

// Endpoint is a delivery target of a SaaS: a webhook receiver, or the
// SaaS's Amazon EventBridge (ID EventBridgeID). Secret signs what is
// posted to a webhook; it is shown once, when the endpoint is created.
type Endpoint struct {
	ID          string
	URL         string
	Secret      string
	Description string
	CreatedAt   time.Time
}

// EventBridgeID is the id of the endpoint that stands for the SaaS's
// Amazon EventBridge while it has EventBridge settings (the Integration
// API): its URL is the event bus ARN, it has no secret, and it is
// created and removed with those settings, not through /v1/events. Its
// deliveries are queued, retried and listed like a webhook's.
const EventBridgeID = "eventbridge"

// IsEventBridge reports whether e is the SaaS's EventBridge.
func (e Endpoint) IsEventBridge() bool { return e.ID == EventBridgeID }

// Call is what an event says of the API call that caused it: the fields
// of SaaSus's event record. Bodies are redacted and cut as in the API log.
type Call struct {
	LogID         string    `json:"log_id"`
	DateTime      time.Time `json:"-"`
	HTTPStatus    int       `json:"http_status"` // 0: the response was never known (a crash)
	URI           string    `json:"uri"`
	IPAddress     string    `json:"ip_address"`
	Referer       string    `json:"referer"`
	RequestMethod string    `json:"request_method"`
	SaaSID        string    `json:"saas_id"`
	APIKey        string    `json:"api_key"`
	RequestBody   string    `json:"request_body"`
	ResponseBody  string    `json:"response_body"`
}

// Event is one outbound event.
type Event struct {
	ID        string
	SaaSID    string
	Seq       int64 // 0 while open
	Type      string
	TraceID   string
	CreatedAt time.Time
	Call      Call
	// Body is the envelope posted to every target (Envelope), set when
	// the event is completed.
	Body json.RawMessage
}

// State is where a delivery stands in its endpoint's queue.
type State string

// Delivery states.
const (
	Queued    State = "pending"
	Delivered State = "delivered"
	Dead      State = "dead" // retried for RetryFor without success: a dead letter
)

// Delivery is one event's delivery to one endpoint.
type Delivery struct {
	SaaSID        string
	EndpointID    string
	EventSeq      int64
	EventID       string
	EventType     string
	State         State
	Attempts      int
	NextAt        time.Time
	FirstFailedAt time.Time // zero until an attempt fails
	LastAttemptAt time.Time
	LastStatus    int // the receiver's last HTTP status; 0 for none
	LastError     string
	DeliveredAt   time.Time
}

// DeliveryFilter selects an endpoint's deliveries, newest first.
type DeliveryFilter struct {
	State     State // "" for every state
	BeforeSeq int64 // 0: from the newest
	Limit     int
}
