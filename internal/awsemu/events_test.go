package awsemu

import (
	"strings"
	"testing"
)

// TestCheckEntry: what PutEvents fails an entry for, with EventBridge's
// codes.
func TestCheckEntry(t *testing.T) {
	ok := EventEntry{Source: "aws.partner/saasus.io/s/event", DetailType: "d", Detail: `{"a":1}`}
	with := func(f func(*EventEntry)) EventEntry { e := ok; f(&e); return e }
	for _, tc := range []struct {
		name string
		e    EventEntry
		code string
		msg  string
	}{
		{"accepted", ok, "", ""},
		{"default bus by name", with(func(e *EventEntry) { e.EventBusName = "default" }), "", ""},
		{"bus of the region", with(func(e *EventEntry) { e.EventBusName = "arn:aws:events:eu-west-1:123456789012:event-bus/default" }), "", ""},
		{"bus of another region", with(func(e *EventEntry) { e.EventBusName = "arn:aws:events:us-east-1:123456789012:event-bus/default" }), EntryErrInvalidArgument, "EventBusName"},
		{"no source", with(func(e *EventEntry) { e.Source = "" }), EntryErrInvalidArgument, "Source"},
		{"no detail-type", with(func(e *EventEntry) { e.DetailType = "" }), EntryErrInvalidArgument, "DetailType"},
		{"no detail", with(func(e *EventEntry) { e.Detail = "" }), EntryErrInvalidArgument, "Detail"},
		{"long detail-type", with(func(e *EventEntry) { e.DetailType = strings.Repeat("é", 129) }), EntryErrInvalidArgument, "DetailType"},
		{"array detail", with(func(e *EventEntry) { e.Detail = `[1]` }), EntryErrMalformedDetail, "malformed"},
		{"bad json", with(func(e *EventEntry) { e.Detail = `{` }), EntryErrMalformedDetail, "malformed"},
		{"too big", with(func(e *EventEntry) { e.Detail = `{"a":"` + strings.Repeat("x", MaxEventEntryBytes) + `"}` }), EntryErrInvalidArgument, "larger"},
	} {
		code, msg := checkEntry("eu-west-1", tc.e)
		if code != tc.code || !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: %q %q, want %q containing %q", tc.name, code, msg, tc.code, tc.msg)
		}
	}
}
