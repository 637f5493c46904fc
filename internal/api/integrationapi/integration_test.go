package integrationapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/integration"
)

const I = "/v1/integration"

type obj = apitest.Obj

// do sends a signed request that must answer status and conform to our
// own document (every 2xx is also checked against upstream's by the
// server).
func do(t *testing.T, c apitest.Client, method, path string, body any, status int) *apitest.Response {
	t.Helper()
	return apitest.Conforms(t, I, c.Do(t, method, I+path, body).Want(t, status))
}

// emulated lists what the AWS emulator received from the client's SaaS.
func emulated(t *testing.T, c apitest.Client, query string) []obj {
	t.Helper()
	var out struct{ Events []obj }
	c.Do(t, "GET", "/aws/events/_emulator/events"+query, nil).Want(t, 200).Decode(t, &out)
	return out.Events
}

// TestEventBridgeSettings: none until saved (404), saved settings read
// back, saving again replaces them, deleting removes them (also twice),
// one SaaS never sees another's; bad input is 400 naming the field.
func TestEventBridgeSettings(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		srv := apitest.NewServer(t, b.DB)
		c, other := srv.NewSaaS(t), srv.NewSaaS(t)
		c.Do(t, "GET", I+"/eventbridge/info", nil).WantError(t, 404, "eventbridge_settings_not_found", "PUT /v1/integration/eventbridge/info")
		r := do(t, c, "PUT", "/eventbridge/info", obj{"aws_account_id": "123456789012", "aws_region": "ap-northeast-1"}, 200)
		r.WantNoContent(t)
		if srv.Upstream != nil && r.OperationID != "SaveEventBridgeSettings" {
			t.Errorf("upstream routed the PUT to %q", r.OperationID)
		}
		apitest.WantJSONEqual(t, "saved", do(t, c, "GET", "/eventbridge/info", nil, 200).JSON(t),
			obj{"aws_account_id": "123456789012", "aws_region": "ap-northeast-1"})
		do(t, c, "PUT", "/eventbridge/info", obj{"aws_account_id": "000000000001", "aws_region": "sa-east-1"}, 200)
		apitest.WantJSONEqual(t, "replaced", do(t, c, "GET", "/eventbridge/info", nil, 200).JSON(t),
			obj{"aws_account_id": "000000000001", "aws_region": "sa-east-1"})
		other.Do(t, "GET", I+"/eventbridge/info", nil).WantError(t, 404, "eventbridge_settings_not_found")

		for _, tc := range []struct {
			body  any
			field string
		}{
			{obj{"aws_account_id": "12345", "aws_region": "us-east-1"}, "aws_account_id"},
			{obj{"aws_account_id": "12345678901a", "aws_region": "us-east-1"}, "aws_account_id"},
			{obj{"aws_account_id": 123456789012, "aws_region": "us-east-1"}, "aws_account_id"},
			{obj{"aws_account_id": "123456789012", "aws_region": "cn-north-1"}, "aws_region"},
			{obj{"aws_account_id": "123456789012"}, "aws_region"},
			{obj{"aws_region": "us-east-1"}, "aws_account_id"},
			{obj{"aws_account_id": "123456789012", "aws_region": "us-east-1", "extra": 1}, "extra"},
			{"not json", ""},
		} {
			c.Do(t, "PUT", I+"/eventbridge/info", tc.body).WantError(t, 400, "", tc.field)
		}
		apitest.WantJSONEqual(t, "unchanged by bad input", do(t, c, "GET", "/eventbridge/info", nil, 200).JSON(t),
			obj{"aws_account_id": "000000000001", "aws_region": "sa-east-1"})

		do(t, c, "DELETE", "/eventbridge/info", nil, 200).WantNoContent(t)
		do(t, c, "DELETE", "/eventbridge/info", nil, 200)
		c.Do(t, "GET", I+"/eventbridge/info", nil).WantError(t, 404, "eventbridge_settings_not_found")
	})
}

// TestSendEvents is the end-to-end path: settings saved, POST
// /eventbridge/event sends through the real EventBridge SDK client to this
// server's AWS emulator (SigV4 signed, in the settings' region, to the
// account's default bus), and the emulator's admin listing shows every
// event, newest first; more than ten messages take several PutEvents calls.
func TestSendEvents(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		srv := apitest.NewServer(t, b.DB)
		c := srv.NewSaaS(t)
		msg := obj{"event_type": "api_call", "event_detail_type": "create_user", "message": "{id:1}"}
		c.Do(t, "POST", I+"/eventbridge/event", obj{"event_messages": []obj{msg}}).WantError(t, 409, "eventbridge_not_configured", "PUT /v1/integration/eventbridge/info")
		c.Do(t, "POST", I+"/eventbridge/test-event", nil).WantError(t, 409, "eventbridge_not_configured")

		do(t, c, "PUT", "/eventbridge/info", obj{"aws_account_id": "123456789012", "aws_region": "eu-west-1"}, 200)
		do(t, c, "POST", "/eventbridge/event", obj{"event_messages": []obj{msg}}, 201).WantNoContent(t)
		got := emulated(t, c, "")
		if len(got) != 1 {
			t.Fatalf("the emulator received %d events, want 1: %v", len(got), got)
		}
		e := got[0]
		apitest.WantFields(t, "received event", e, obj{"region": "eu-west-1", "event_bus": "arn:aws:events:eu-west-1:123456789012:event-bus/default",
			"source": "aws.partner/saasus.io/" + c.SaaSID + "/event", "detail_type": "create_user",
			"detail": obj{"event_type": "api_call", "message": "{id:1}"}})

		var many []obj
		for i := range 23 {
			many = append(many, obj{"event_type": "api_call", "event_detail_type": "t" + strings.Repeat("x", i), "message": ""})
		}
		do(t, c, "POST", "/eventbridge/event", obj{"event_messages": many}, 201)
		do(t, c, "POST", "/eventbridge/test-event", nil, 201).WantNoContent(t)
		got = emulated(t, c, "?limit=30")
		if len(got) != 25 {
			t.Fatalf("the emulator received %d events, want 25", len(got))
		}
		if got[0]["detail_type"] != integration.TestEventType || got[1]["detail_type"] != "t"+strings.Repeat("x", 22) || got[23]["detail_type"] != "t" {
			t.Errorf("not newest first: %v, %v, %v", got[0]["detail_type"], got[1]["detail_type"], got[23]["detail_type"])
		}
		if n := len(emulated(t, c, "?limit=2")); n != 2 {
			t.Errorf("limit=2 listed %d", n)
		}
		c.Do(t, "GET", "/aws/events/_emulator/events?limit=0", nil).WantError(t, 400, "", "limit")
		// Another SaaS's listing is its own.
		if n := len(emulated(t, srv.NewSaaS(t), "")); n != 0 {
			t.Errorf("another SaaS sees %d events", n)
		}

		for _, tc := range []struct {
			body  any
			field string
		}{
			{obj{"event_messages": []obj{}}, "event_messages"},
			{obj{}, "event_messages"},
			{obj{"event_messages": []obj{{"event_type": "a", "message": "m"}}}, "event_detail_type"},
			{obj{"event_messages": []obj{{"event_type": "", "event_detail_type": "d", "message": "m"}}}, "event_type"},
			{obj{"event_messages": []obj{{"event_type": "a", "event_detail_type": strings.Repeat("d", 129), "message": "m"}}}, "event_detail_type"},
			{obj{"event_messages": []obj{{"event_type": "a", "event_detail_type": "d", "message": strings.Repeat("m", 300_000)}}}, "message"},
		} {
			c.Do(t, "POST", I+"/eventbridge/event", tc.body).WantError(t, 400, "", tc.field)
		}
		if n := len(emulated(t, c, "?limit=100")); n != 25 {
			t.Errorf("bad input sent events: %d now", n)
		}
	})
}

// TestSendFailures: the emulator's PutEvents faults make a send fail with
// a clear SaaSus error, never a bare 500: a failed entry is 503
// eventbridge_unavailable naming the event, a throttled call (every try)
// too; once the fault is used up, sending works again.
func TestSendFailures(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		srv := apitest.NewServer(t, b.DB)
		c := srv.NewSaaS(t)
		do(t, c, "PUT", "/eventbridge/info", obj{"aws_account_id": "123456789012", "aws_region": "us-east-1"}, 200)
		msg := obj{"event_messages": []obj{{"event_type": "api_call", "event_detail_type": "create_user", "message": "m"}}}

		c.Do(t, "POST", "/aws/marketplace/_emulator/faults", obj{"operation": "PutEvents", "error": "InternalFailure"}).Want(t, 201)
		c.Do(t, "POST", I+"/eventbridge/event", msg).WantError(t, 503, "eventbridge_unavailable", "event 0", "create_user", "InternalFailure")
		// The test server's client tries twice.
		c.Do(t, "POST", "/aws/marketplace/_emulator/faults", obj{"operation": "PutEvents", "error": "ThrottlingException", "count": 2}).Want(t, 201)
		c.Do(t, "POST", I+"/eventbridge/event", msg).WantError(t, 503, "eventbridge_unavailable", "ThrottlingException")
		c.Do(t, "POST", "/aws/marketplace/_emulator/faults", obj{"operation": "PutEvents", "error": "InternalServiceErrorException", "count": 2}).Want(t, 201)
		c.Do(t, "POST", I+"/eventbridge/test-event", nil).WantError(t, 503, "eventbridge_unavailable", "InternalServiceErrorException")
		if n := len(emulated(t, c, "")); n != 0 {
			t.Errorf("failed sends stored %d events", n)
		}
		do(t, c, "POST", "/eventbridge/event", msg, 201)
		if n := len(emulated(t, c, "")); n != 1 {
			t.Errorf("after the faults, %d events", n)
		}
		c.Do(t, "POST", "/aws/marketplace/_emulator/faults", obj{"operation": "PutEvents", "error": "Drop"}).WantError(t, 400, "", "error")
	})
}

// TestInternalServerError: the test endpoint always answers 500 in the
// SaaSus error body (checked against upstream by the server).
func TestInternalServerError(t *testing.T) {
	srv := apitest.NewServer(t, apitest.OpenSQLite(t))
	r := apitest.Conforms(t, I, srv.NewSaaS(t).Do(t, "GET", I+"/errors/internal-server-error", nil).Want(t, 500))
	var e map[string]string
	if err := json.Unmarshal(r.Body, &e); err != nil || e["type"] != "internal_server_error" {
		t.Errorf("body %s (%v)", r.Body, err)
	}
}
