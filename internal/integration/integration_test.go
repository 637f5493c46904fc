package integration_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/integration"
)

type memStore map[string]integration.EventBridgeSettings

func (m memStore) EventBridgeSettings(_ context.Context, saasID string) (integration.EventBridgeSettings, error) {
	s, ok := m[saasID]
	if !ok {
		return s, errs.ErrNotExist
	}
	return s, nil
}
func (m memStore) PutEventBridgeSettings(_ context.Context, saasID string, s integration.EventBridgeSettings, _ time.Time) error {
	m[saasID] = s
	return nil
}
func (m memStore) DeleteEventBridgeSettings(_ context.Context, saasID string) error {
	delete(m, saasID)
	return nil
}

// fakeSender records its calls; fail, when set, answers the call.
type fakeSender struct {
	calls [][]integration.Entry
	buses []string
	fail  func(n int, entries []integration.Entry) ([]integration.EntryResult, error)
}

func (f *fakeSender) PutEvents(_ context.Context, region, bus string, entries []integration.Entry) ([]integration.EntryResult, error) {
	f.calls = append(f.calls, entries)
	f.buses = append(f.buses, region+" "+bus)
	if f.fail != nil {
		return f.fail(len(f.calls), entries)
	}
	out := make([]integration.EntryResult, len(entries))
	for i := range out {
		out[i].EventID = fmt.Sprint(i)
	}
	return out, nil
}

var at = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func newService(t *testing.T) (*integration.Service, *fakeSender) {
	t.Helper()
	st := memStore{"s1": {AWSAccountID: "123456789012", AWSRegion: "ap-northeast-1"}}
	f := &fakeSender{}
	return integration.NewService(st, f, func() time.Time { return at }, slog.New(slog.DiscardHandler)), f
}

func events(n int) []integration.Event {
	out := make([]integration.Event, n)
	for i := range out {
		out[i] = integration.Event{DetailType: fmt.Sprint("t", i), Detail: json.RawMessage(`{"i":1}`)}
	}
	return out
}

func TestValidateSettings(t *testing.T) {
	for _, tc := range []struct {
		s      integration.EventBridgeSettings
		fields []string
	}{
		{integration.EventBridgeSettings{AWSAccountID: "123456789012", AWSRegion: "me-south-1"}, nil},
		{integration.EventBridgeSettings{}, []string{"aws_account_id", "aws_region"}},
		{integration.EventBridgeSettings{AWSAccountID: "1234567890123", AWSRegion: "cn-north-1"}, []string{"aws_account_id", "aws_region"}},
		{integration.EventBridgeSettings{AWSAccountID: "12345678901x", AWSRegion: "us-east-1"}, []string{"aws_account_id"}},
	} {
		got := errs.FieldNames(tc.s.Validate())
		if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
			t.Errorf("%+v: fields %v, want %v", tc.s, got, tc.fields)
		}
	}
	if len(integration.Regions) != 22 {
		t.Errorf("%d regions, want 22", len(integration.Regions))
	}
}

func TestSource(t *testing.T) {
	if id, ok := integration.SaaSOfSource(integration.Source("abc")); !ok || id != "abc" {
		t.Errorf("SaaSOfSource(Source) = %q, %v", id, ok)
	}
	for _, s := range []string{"aws.partner/saasus.io//event", "aws.partner/saasus.io/a/b/event", "custom", "aws.partner/saasus.io/a"} {
		if _, ok := integration.SaaSOfSource(s); ok {
			t.Errorf("SaaSOfSource(%q) is a SaaS's", s)
		}
	}
}

// TestSendBatches: 23 events are three calls of 10, 10 and 3, in order,
// to the settings' bus with the SaaS's source and the clock's time for
// events without one.
func TestSendBatches(t *testing.T) {
	svc, f := newService(t)
	evs := events(23)
	evs[0].Time = at.Add(-time.Hour)
	if err := svc.SendEventBridge(t.Context(), "s1", evs); err != nil {
		t.Fatal(err)
	}
	if len(f.calls) != 3 || len(f.calls[0]) != 10 || len(f.calls[1]) != 10 || len(f.calls[2]) != 3 {
		t.Fatalf("calls of %d entries", len(f.calls))
	}
	if f.buses[0] != "ap-northeast-1 arn:aws:events:ap-northeast-1:123456789012:event-bus/default" {
		t.Errorf("bus %q", f.buses[0])
	}
	e := f.calls[0][0]
	if e.Source != "aws.partner/saasus.io/s1/event" || e.DetailType != "t0" || !e.Time.Equal(at.Add(-time.Hour)) || !f.calls[2][2].Time.Equal(at) {
		t.Errorf("entry %+v", e)
	}
	if f.calls[2][2].DetailType != "t22" {
		t.Errorf("order lost: last is %q", f.calls[2][2].DetailType)
	}
	// Big entries are cut by size as well.
	f.calls = nil
	big := strings.Repeat("x", 100_000)
	evs = events(5)
	for i := range evs {
		evs[i].Detail = json.RawMessage(`{"x":"` + big + `"}`)
	}
	if err := svc.SendEventBridge(t.Context(), "s1", evs); err != nil {
		t.Fatal(err)
	}
	if len(f.calls) != 3 {
		t.Errorf("5 entries of 100 kB in %d calls, want 3", len(f.calls))
	}
}

func TestSendFailures(t *testing.T) {
	ctx := t.Context()
	svc, f := newService(t)
	err := svc.SendEventBridge(ctx, "nobody", events(1))
	if !errors.Is(err, integration.ErrNotConfigured) || errs.KindOf(err) != errs.KindConflict {
		t.Errorf("no settings: %v (kind %v)", err, errs.KindOf(err))
	}
	if ok, err := svc.EventBridgeConfigured(ctx, "nobody"); ok || err != nil {
		t.Errorf("Configured(nobody) = %v, %v", ok, err)
	}
	if ok, err := svc.EventBridgeConfigured(ctx, "s1"); !ok || err != nil {
		t.Errorf("Configured(s1) = %v, %v", ok, err)
	}
	if err := svc.SendEventBridge(ctx, "s1", []integration.Event{{DetailType: "", Detail: json.RawMessage(`[1]`)}}); errs.KindOf(err) != errs.KindInvalid ||
		strings.Join(errs.FieldNames(err), ",") != "events[0].detail,events[0].detail_type" {
		t.Errorf("bad event: %v", err)
	}
	if len(f.calls) != 0 {
		t.Fatalf("refused sends called the sender %d times", len(f.calls))
	}
	// The second batch has a failed entry: named, with how far it got.
	f.fail = func(n int, entries []integration.Entry) ([]integration.EntryResult, error) {
		out := make([]integration.EntryResult, len(entries))
		for i := range out {
			out[i].EventID = "id"
		}
		if n == 2 {
			out[1] = integration.EntryResult{ErrorCode: "InternalFailure", ErrorMessage: "boom"}
		}
		return out, nil
	}
	err = svc.SendEventBridge(ctx, "s1", events(15))
	if errs.KindOf(err) != errs.KindUnavailable || !strings.Contains(err.Error(), `event 11 (detail-type "t11"): InternalFailure: boom`) ||
		!strings.Contains(err.Error(), "10 of 15 events before") {
		t.Errorf("failed entry: %v", err)
	}
	f.fail = func(int, []integration.Entry) ([]integration.EntryResult, error) {
		return []integration.EntryResult{{ErrorCode: "AccessDeniedException", ErrorMessage: "no"}}, nil
	}
	if err := svc.SendEventBridge(ctx, "s1", events(1)); errs.KindOf(err) != errs.KindConflict {
		t.Errorf("refused entry: %v", err)
	}
	f.fail = func(int, []integration.Entry) ([]integration.EntryResult, error) {
		return nil, errs.E(errs.KindUnavailable, "down").WithType("eventbridge_unavailable")
	}
	if err := svc.SendEventBridge(ctx, "s1", events(1)); errs.KindOf(err) != errs.KindUnavailable || !strings.Contains(err.Error(), "0 of 1 events sent before") {
		t.Errorf("sender error: %v", err)
	}
}
