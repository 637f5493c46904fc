package eventsapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/api/eventsapi"
	"github.com/saasplane/saasplane/internal/events"
)

const E = "/v1/events"

type obj = apitest.Obj

func conforms(t testing.TB, r *apitest.Response) *apitest.Response {
	t.Helper()
	return apitest.Conforms(t, E, r)
}

// receiver is a webhook receiver whose behaviour the test scripts: each
// request takes the next of script (default: answer 200), and every
// delivery it accepts is kept once its signature verified.
type receiver struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	script []string // "fail" (500), "hang" (no answer within the client's timeout), "ok"
	got    []delivered
	tries  int
}

type delivered struct {
	seq  int64
	id   string
	body map[string]any
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.tries++
	step := "ok"
	if len(rc.script) > 0 {
		step, rc.script = rc.script[0], rc.script[1:]
	}
	secret := rc.secret
	rc.mu.Unlock()
	switch step {
	case "fail":
		http.Error(w, "receiver down", http.StatusInternalServerError)
		return
	case "hang":
		time.Sleep(400 * time.Millisecond) // past the poster's 150 ms timeout
		return
	}
	if !events.Verify(secret, r.Header.Get(events.HeaderTimestamp), r.Header.Get(events.HeaderSignature), body, time.Now(), 5*time.Minute) {
		rc.t.Errorf("a delivery whose signature does not verify: %s", r.Header.Get(events.HeaderSignature))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		rc.t.Errorf("delivery body: %v", err)
	}
	seq, _ := strconv.ParseInt(r.Header.Get(events.HeaderSeq), 10, 64)
	rc.mu.Lock()
	rc.got = append(rc.got, delivered{seq: seq, id: r.Header.Get(events.HeaderID), body: m})
	rc.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) received() []delivered {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

func (rc *receiver) waitFor(t *testing.T, n int) []delivered {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if got := rc.received(); len(got) >= n {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
	got := rc.received()
	t.Fatalf("the receiver got %d deliveries in 20 s, want %d", len(got), n)
	return nil
}

func newServer(t *testing.T, b apitest.Backend) *apitest.Server {
	cfg := &events.Config{
		Backoff:  func(n int) time.Duration { return 30 * time.Millisecond << min(n-1, 3) },
		RetryFor: 20 * time.Second,
		Post:     eventsapi.HTTPPoster{Client: &http.Client{Timeout: 150 * time.Millisecond}},
	}
	return apitest.NewServerWith(t, b.DB, apitest.Options{EventJobs: true, EventsConfig: cfg})
}

// TestEventsReachAWebhookInOrder: every successful non-GET call after a
// webhook is created reaches it once, signed, in seq order without a
// gap, though the receiver fails, times out and comes back meanwhile;
// GETs and refused calls make no event; the envelope carries SaaSus's
// api_call detail with the request and the response.
func TestEventsReachAWebhookInOrder(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := newServer(t, b)
		c := srv.NewSaaS(t)
		rc := &receiver{t: t, script: []string{"fail", "hang", "fail", "ok", "fail"}}
		hook := httptest.NewServer(rc)
		t.Cleanup(hook.Close)

		created := conforms(t, c.Do(t, "POST", E+"/webhooks", obj{"url": hook.URL + "/hook", "description": "test"}).Want(t, 201)).JSON(t)
		rc.mu.Lock()
		rc.secret = created["secret"].(string)
		rc.mu.Unlock()
		want := []string{"create_webhook"}
		for i := range 4 {
			c.Do(t, "POST", "/v1/auth/tenants", obj{"name": "tenant " + strconv.Itoa(i), "attributes": obj{}, "back_office_staff_email": "a@b.co"}).Want(t, 201)
			want = append(want, "create_tenant")
		}
		c.Do(t, "GET", "/v1/auth/tenants", nil).Want(t, 200)              // a read: no event
		c.Do(t, "POST", "/v1/auth/tenants", obj{"name": ""}).Want(t, 400) // refused: no event
		c.Do(t, "POST", "/v1/pricing/metering/units", obj{"unit_name": "calls", "display_name": "Calls", "description": ""}).Want(t, 201)
		want = append(want, "create_metering_unit")
		tenants := c.Do(t, "GET", "/v1/auth/tenants", nil).Want(t, 200).JSON(t)["tenants"].([]any)
		tenantID := tenants[0].(map[string]any)["id"].(string)
		for range 3 { // count updates, acknowledged by the group committer
			c.Do(t, "PUT", "/v1/pricing/metering/tenants/"+tenantID+"/units/calls/now", obj{"method": "add", "count": 1}).Want(t, 200)
			want = append(want, "update_metering_unit_timestamp_count_now")
		}

		got := rc.waitFor(t, len(want))
		time.Sleep(300 * time.Millisecond) // nothing more may come
		got = rc.received()
		var types []string
		for i, d := range got {
			if d.seq != int64(i+1) {
				t.Errorf("delivery %d has seq %d, want %d: out of order, lost or repeated", i, d.seq, i+1)
			}
			detail, _ := d.body["detail"].(map[string]any)
			types = append(types, detail["event_type"].(string))
			if d.body["detail-type"] != "api_call" || d.body["source"] != events.Source(c.SaaSID) || d.body["id"] != d.id {
				t.Errorf("envelope %d = %v", i, d.body)
			}
		}
		if !slices.Equal(types, want) {
			t.Errorf("event types = %v, want %v", types, want)
		}
		// The record inside: a JSON string, with the call's two sides.
		var rec map[string]any
		detail := got[1].body["detail"].(map[string]any)
		if err := json.Unmarshal([]byte(detail["event"].(string)), &rec); err != nil {
			t.Fatalf("detail.event is not a JSON string: %v", err)
		}
		if rec["http_status"] != "201" || rec["request_method"] != "POST" || rec["uri"] != "/v1/auth/tenants" ||
			rec["saas_id"] != c.SaaSID || rec["request_body"] == "" || rec["response_body"] == "" || detail["trace_id"] == "" {
			t.Errorf("record = %v", rec)
		}
		if rc.tries < len(want)+4 {
			t.Errorf("the receiver saw %d tries, want the %d failures retried", rc.tries, 4)
		}

		// What the API shows: every delivery delivered, the events listed.
		ds := conforms(t, c.Do(t, "GET", E+"/webhooks/"+created["id"].(string)+"/deliveries?state=delivered", nil).Want(t, 200)).JSON(t)["deliveries"].([]any)
		if len(ds) != len(want) {
			t.Errorf("%d delivered deliveries listed, want %d", len(ds), len(want))
		}
		first := ds[len(ds)-1].(map[string]any)
		if first["attempts"].(float64) < 4 || first["last_status"].(float64) != 204 {
			t.Errorf("the first event's delivery = %v, want 4 attempts or more, ending 204", first)
		}
		evs := conforms(t, c.Do(t, "GET", E+"/events?limit=2", nil).Want(t, 200)).JSON(t)["events"].([]any)
		if len(evs) != 2 || evs[0].(map[string]any)["seq"].(float64) != float64(len(want)) {
			t.Errorf("the newest events = %v", evs)
		}
		conforms(t, c.Do(t, "GET", E+"/webhooks", nil).Want(t, 200))
		wh := conforms(t, c.Do(t, "GET", E+"/webhooks/"+created["id"].(string), nil).Want(t, 200)).JSON(t)
		if _, shown := wh["secret"]; shown {
			t.Error("the secret is shown again after creation")
		}
	})
}

// TestDeadLettersAndRedelivery: a receiver that keeps failing makes a
// dead letter after RetryFor, the queue moves on, and a redelivery sends
// the dead event again once the receiver is back.
func TestDeadLettersAndRedelivery(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		cfg := &events.Config{
			Backoff:  func(int) time.Duration { return 20 * time.Millisecond },
			RetryFor: 300 * time.Millisecond,
		}
		srv := apitest.NewServerWith(t, b.DB, apitest.Options{EventJobs: true, EventsConfig: cfg})
		c := srv.NewSaaS(t)
		rc := &receiver{t: t}
		for range 1000 {
			rc.script = append(rc.script, "fail")
		}
		hook := httptest.NewServer(rc)
		t.Cleanup(hook.Close)
		created := c.Do(t, "POST", E+"/webhooks", obj{"url": hook.URL}).Want(t, 201).JSON(t)
		rc.secret = created["secret"].(string)
		id := created["id"].(string)
		c.Do(t, "POST", "/v1/auth/tenants", obj{"name": "t", "attributes": obj{}, "back_office_staff_email": "a@b.co"}).Want(t, 201)

		var dead []any
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			dead = conforms(t, c.Do(t, "GET", E+"/webhooks/"+id+"/deliveries?state=dead", nil).Want(t, 200)).JSON(t)["deliveries"].([]any)
			if len(dead) == 2 {
				break
			}
		}
		if len(dead) != 2 {
			t.Fatalf("dead letters = %v, want both events'", dead)
		}
		rc.mu.Lock()
		rc.script = nil // the receiver is back
		rc.mu.Unlock()
		eventID := dead[1].(map[string]any)["event_id"].(string) // the older one: the webhook's own creation
		r := conforms(t, c.Do(t, "POST", E+"/webhooks/"+id+"/deliveries/"+eventID+"/redeliver", nil).Want(t, 200)).JSON(t)
		if r["state"] != "pending" || r["attempts"].(float64) != 0 {
			t.Errorf("redelivered = %v", r)
		}
		got := rc.waitFor(t, 1)
		if got[0].id != eventID {
			t.Errorf("redelivered %s, want %s", got[0].id, eventID)
		}
		c.Do(t, "POST", E+"/webhooks/"+id+"/deliveries/nope/redeliver", nil).WantError(t, 404, "not_found")
		c.Do(t, "GET", E+"/webhooks/"+id+"/deliveries?state=lost", nil).WantError(t, 400, "invalid_request", "state")
		c.Do(t, "POST", E+"/webhooks", obj{"url": "http://example.com/hook"}).WantError(t, 400, "invalid_request", "url")
		conforms(t, c.Do(t, "DELETE", E+"/webhooks/"+id, nil).Want(t, 200))
		c.Do(t, "GET", E+"/webhooks/"+id, nil).WantError(t, 404, "not_found")
		other := srv.NewSaaS(t)
		if got := other.Do(t, "GET", E+"/events", nil).Want(t, 200).JSON(t)["events"].([]any); len(got) != 0 {
			t.Errorf("another SaaS sees %d events", len(got))
		}
	})
}
