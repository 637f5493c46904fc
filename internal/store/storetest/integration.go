package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/integration"
	"github.com/saasplane/saasplane/internal/store"
)

// testIntegration: a SaaS has no EventBridge settings until they are put,
// a second put replaces them, a delete removes them (and deleting again is
// no error), every row is the SaaS's own; the emulator's received events
// come back newest first, per SaaS, at most the limit, with every field.
func testIntegration(t *testing.T, db *store.DB) {
	ctx := t.Context()
	st := db.Integration()
	a, b := newSaaS(t, db), newSaaS(t, db)
	now := time.Now().UTC().Truncate(time.Microsecond)
	if _, err := st.EventBridgeSettings(ctx, a); !errors.Is(err, errs.ErrNotExist) {
		t.Fatalf("settings of a new SaaS = %v, want ErrNotExist", err)
	}
	one := integration.EventBridgeSettings{AWSAccountID: "123456789012", AWSRegion: "ap-northeast-1"}
	two := integration.EventBridgeSettings{AWSAccountID: "210987654321", AWSRegion: "eu-west-1"}
	for _, p := range []struct {
		saas string
		s    integration.EventBridgeSettings
	}{{a, one}, {b, one}, {a, two}} {
		if err := st.PutEventBridgeSettings(ctx, p.saas, p.s, now); err != nil {
			t.Fatal(err)
		}
	}
	for saasID, want := range map[string]integration.EventBridgeSettings{a: two, b: one} {
		if got, err := st.EventBridgeSettings(ctx, saasID); err != nil || got != want {
			t.Errorf("settings = %+v, %v; want %+v", got, err, want)
		}
	}
	for range 2 {
		if err := st.DeleteEventBridgeSettings(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.EventBridgeSettings(ctx, a); !errors.Is(err, errs.ErrNotExist) {
		t.Errorf("settings after delete = %v, want ErrNotExist", err)
	}
	if got, err := st.EventBridgeSettings(ctx, b); err != nil || got != one {
		t.Errorf("deleting A's settings changed B's: %+v, %v", got, err)
	}

	emu := db.AWSEmulator()
	ev := func(saasID, detailType string, at time.Duration) awsemu.ReceivedEvent {
		return awsemu.ReceivedEvent{EventID: id("ev"), SaaSID: saasID, Region: "ap-northeast-1",
			EventBus: "arn:aws:events:ap-northeast-1:123456789012:event-bus/default", Source: integration.Source(saasID),
			DetailType: detailType, Detail: `{"n":1}`, Time: now.Add(-time.Hour), ReceivedAt: now.Add(at)}
	}
	// Inserted out of time order: the order is that of receipt (insertion).
	evs := []awsemu.ReceivedEvent{ev(a, "first", time.Second), ev(b, "other", 0), ev(a, "second", 0), ev(a, "third", 0), ev("", "nobody", 0)}
	if err := emu.WriteTx(ctx, func(tx awsemu.Tx) error {
		for _, e := range evs {
			if err := tx.InsertEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	list := func(saasID string, limit int) (out []awsemu.ReceivedEvent) {
		t.Helper()
		if err := emu.ReadTx(ctx, func(tx awsemu.Tx) (err error) { out, err = tx.Events(ctx, saasID, limit); return err }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := list(a, 10); len(got) != 3 || got[0] != evs[3] || got[1] != evs[2] || got[2] != evs[0] {
		t.Errorf("A's events = %+v, want third, second, first: %+v", got, []awsemu.ReceivedEvent{evs[3], evs[2], evs[0]})
	}
	if got := list(a, 2); len(got) != 2 || got[0].DetailType != "third" {
		t.Errorf("A's events, limit 2 = %+v", got)
	}
	if got := list(b, 10); len(got) != 1 || got[0] != evs[1] {
		t.Errorf("B's events = %+v", got)
	}
}
