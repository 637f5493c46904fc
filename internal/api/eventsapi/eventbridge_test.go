package eventsapi_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/events"
)

// emulated lists, oldest first, what the AWS emulator's EventBridge got
// from the client's SaaS.
func emulated(t *testing.T, c apitest.Client) []obj {
	t.Helper()
	var out struct{ Events []obj }
	c.Do(t, "GET", "/aws/events/_emulator/events?limit=1000", nil).Want(t, 200).Decode(t, &out)
	slices.Reverse(out.Events)
	return out.Events
}

// TestEventsReachEventBridge: with EventBridge settings saved, the
// SaaS's EventBridge is one more endpoint of the outbox: every API call's
// event reaches the emulator's PutEvents once, in seq order, with
// SaaSus's api_call detail, though PutEvents fails meanwhile; its
// deliveries are listed like a webhook's, it cannot be deleted as one,
// and it goes, with its queue, when the settings go.
func TestEventsReachEventBridge(t *testing.T) {
	apitest.ForEachIsolatedBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := newServer(t, b)
		c := srv.NewSaaS(t)
		c.Do(t, "PUT", "/v1/integration/eventbridge/info", obj{"aws_account_id": "123456789012", "aws_region": "ap-northeast-1"}).Want(t, 200)
		// The first two sends fail for every entry: the outbox retries.
		c.Do(t, "POST", "/aws/marketplace/_emulator/faults", obj{"operation": "PutEvents", "error": "InternalFailure", "count": 2}).Want(t, 201)

		want := []string{"save_event_bridge_settings"}
		for i := range 3 {
			c.Do(t, "POST", "/v1/auth/tenants", obj{"name": "tenant " + strconv.Itoa(i), "attributes": obj{}, "back_office_staff_email": "a@b.co"}).Want(t, 201)
			want = append(want, "create_tenant")
		}
		c.Do(t, "POST", "/v1/pricing/metering/units", obj{"unit_name": "calls", "display_name": "Calls", "description": ""}).Want(t, 201)
		want = append(want, "create_metering_unit")
		c.Do(t, "GET", "/v1/auth/tenants", nil).Want(t, 200) // a read: no event

		var got []obj
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(30 * time.Millisecond) {
			if got = emulated(t, c); len(got) >= len(want) {
				break
			}
		}
		time.Sleep(300 * time.Millisecond) // nothing more may come
		got = emulated(t, c)
		var types []string
		for i, e := range got {
			d, _ := e["detail"].(map[string]any)
			types = append(types, d["event_type"].(string))
			if seq, _ := d["seq"].(float64); seq != float64(i+1) {
				t.Errorf("event %d has seq %v, want %d: out of order, lost or repeated", i, d["seq"], i+1)
			}
			var rec map[string]any
			if err := json.Unmarshal([]byte(d["event"].(string)), &rec); err != nil || rec["saas_id"] != c.SaaSID || d["trace_id"] == "" {
				t.Errorf("event %d detail = %v (%v)", i, d, err)
			}
			if e["detail_type"] != events.DetailType || e["source"] != events.Source(c.SaaSID) ||
				e["event_bus"] != "arn:aws:events:ap-northeast-1:123456789012:event-bus/default" {
				t.Errorf("event %d = %v", i, e)
			}
		}
		if !slices.Equal(types, want) {
			t.Fatalf("event types = %v, want %v", types, want)
		}

		// The endpoint, as /v1/events shows it.
		hooks := conforms(t, c.Do(t, "GET", E+"/webhooks", nil).Want(t, 200)).JSON(t)["webhooks"].([]any)
		if len(hooks) != 1 || hooks[0].(map[string]any)["id"] != events.EventBridgeID ||
			hooks[0].(map[string]any)["url"] != "arn:aws:events:ap-northeast-1:123456789012:event-bus/default" {
			t.Errorf("endpoints = %v, want the EventBridge one", hooks)
		}
		ds := conforms(t, c.Do(t, "GET", E+"/webhooks/eventbridge/deliveries?state=delivered", nil).Want(t, 200)).JSON(t)["deliveries"].([]any)
		if len(ds) != len(want) {
			t.Fatalf("%d delivered deliveries listed, want %d", len(ds), len(want))
		}
		if first := ds[len(ds)-1].(map[string]any); first["attempts"].(float64) != 3 || first["last_status"].(float64) != 200 {
			t.Errorf("the first event's delivery = %v, want 3 attempts, ending 200", first)
		}
		// A redelivery goes out before the newer event of the redelivery
		// call itself.
		eventID := ds[0].(map[string]any)["event_id"].(string)
		conforms(t, c.Do(t, "POST", E+"/webhooks/eventbridge/deliveries/"+eventID+"/redeliver", nil).Want(t, 200))
		for deadline := time.Now().Add(20 * time.Second); len(got) < len(want)+2 && time.Now().Before(deadline); time.Sleep(30 * time.Millisecond) {
			got = emulated(t, c)
		}
		var seqs []float64
		for _, e := range got[len(want):] {
			seqs = append(seqs, e["detail"].(map[string]any)["seq"].(float64))
		}
		if n := float64(len(want)); !slices.Equal(seqs, []float64{n, n + 1}) {
			t.Errorf("after a redelivery the emulator got seqs %v, want [%v %v]", seqs, n, n+1)
		}

		c.Do(t, "DELETE", E+"/webhooks/eventbridge", nil).WantError(t, 409, "eventbridge_endpoint", "/v1/integration/eventbridge/info")
		c.Do(t, "DELETE", "/v1/integration/eventbridge/info", nil).Want(t, 200)
		c.Do(t, "GET", E+"/webhooks/eventbridge", nil).WantError(t, 404, "not_found")
		c.Do(t, "GET", E+"/webhooks/eventbridge/deliveries", nil).WantError(t, 404, "not_found")
		if hooks := c.Do(t, "GET", E+"/webhooks", nil).Want(t, 200).JSON(t)["webhooks"].([]any); len(hooks) != 0 {
			t.Errorf("endpoints after the settings went = %v", hooks)
		}
	})
}
