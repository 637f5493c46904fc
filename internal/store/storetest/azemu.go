package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/azemu"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/store"
)

// testAzureEmulator checks the Azure Marketplace emulator's store: the
// identity is inserted once per SaaS, rows round-trip and are scoped by
// SaaS, guarded updates refuse stale rows, one usage event per resource,
// dimension and hour, due operations and webhook claims.
func testAzureEmulator(t *testing.T, db *store.DB) {
	ctx := t.Context()
	st := db.AzureEmulator()
	a, b := newSaaS(t, db), newSaaS(t, db)
	now := time.Now().UTC().Truncate(time.Microsecond)
	mustWrite := func(fn func(azemu.Tx) error) {
		t.Helper()
		if err := st.WriteTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	mustRead := func(fn func(azemu.Tx) error) {
		t.Helper()
		if err := st.ReadTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}

	// Identity: insert-if-absent.
	tenant := id("tid")
	mustWrite(func(tx azemu.Tx) error {
		for _, k := range []string{"k1", "k2"} {
			if err := tx.InsertIdentity(ctx, azemu.Identity{SaaSID: a, TenantID: tenant + k, ClientID: id("cid"),
				ClientSecret: "s", KeyID: k, KeyPEM: k, CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	mustRead(func(tx azemu.Tx) error {
		got, err := tx.Identity(ctx, a)
		if err != nil || got.KeyPEM != "k1" {
			t.Errorf("identity = %+v, %v; want the first one", got, err)
		}
		got, err = tx.IdentityByTenant(ctx, tenant+"k1")
		if err != nil || got.SaaSID != a {
			t.Errorf("identity by tenant = %+v, %v", got, err)
		}
		if _, err := tx.Identity(ctx, b); !errors.Is(err, errs.ErrNotExist) {
			t.Errorf("identity of b: %v, want ErrNotExist", err)
		}
		return nil
	})

	// Settings and offers.
	set := azemu.Settings{SaaSID: a, WebhookURL: "http://x/hook", WebhookAPIVersion: azemu.APIVersionV1,
		V1Actions: azemu.V1ActionsTable, OperationDelay: 1500 * time.Millisecond, UpdatedAt: now}
	offer := azemu.Offer{SaaSID: a, OfferID: "offer1", CreatedAt: now, UpdatedAt: now, Plans: []azemu.Plan{
		{PlanID: "gold", DisplayName: "Gold", IsPricePerSeat: true, MinQuantity: 1, MaxQuantity: 10,
			Dimensions: []azemu.Dimension{{ID: "api", UnitOfMeasure: "call", PricePerUnit: 0.5, Currency: "USD"}}}}}
	mustWrite(func(tx azemu.Tx) error {
		if err := tx.PutSettings(ctx, set); err != nil {
			return err
		}
		if err := tx.PutOffer(ctx, offer); err != nil {
			return err
		}
		return tx.PutOffer(ctx, offer) // replacing is fine
	})
	mustRead(func(tx azemu.Tx) error {
		got, err := tx.Settings(ctx, a)
		if err != nil || !reflect.DeepEqual(got, set) {
			t.Errorf("settings = %+v, %v; want %+v", got, err, set)
		}
		o, err := tx.Offer(ctx, a, "offer1")
		if err != nil || !reflect.DeepEqual(o, offer) {
			t.Errorf("offer = %+v, %v; want %+v", o, err, offer)
		}
		if _, err := tx.Offer(ctx, b, "offer1"); !errors.Is(err, errs.ErrNotExist) {
			t.Errorf("offer of another SaaS: %v", err)
		}
		return nil
	})

	// Subscriptions: round trip, paging, guarded update, scoping.
	sub := func(n string) azemu.Subscription {
		return azemu.Subscription{ID: "s" + n + id(""), SaaSID: a, Name: "n", OfferID: "offer1", PlanID: "gold", Quantity: 2,
			Status: azemu.StatusPending, BeneficiaryEmail: "e", BeneficiaryOID: "oid", BeneficiaryTID: "tid", TermUnit: "P1M",
			AutoRenew: true, Version: 1, CreatedAt: now, UpdatedAt: now}
	}
	s1, s2 := sub("1"), sub("2")
	mustWrite(func(tx azemu.Tx) error {
		for _, s := range []azemu.Subscription{s1, s2} {
			if err := tx.InsertSubscription(ctx, s); err != nil {
				return err
			}
		}
		return tx.InsertToken(ctx, azemu.PurchaseToken{Token: "t+/" + s1.ID, SaaSID: a, SubscriptionID: s1.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
	})
	up := s1
	up.Status, up.Version, up.TermStart, up.TermEnd, up.DryRun = azemu.StatusSubscribed, 2, now, now.AddDate(0, 1, 0), true
	mustWrite(func(tx azemu.Tx) error { return tx.UpdateSubscription(ctx, up) })
	err := st.WriteTx(ctx, func(tx azemu.Tx) error { return tx.UpdateSubscription(ctx, up) }) // stale version
	if !errors.Is(err, errs.ErrNotExist) {
		t.Errorf("stale update: %v, want ErrNotExist", err)
	}
	mustRead(func(tx azemu.Tx) error {
		got, err := tx.Subscription(ctx, a, s1.ID)
		if err != nil || !reflect.DeepEqual(got, up) {
			t.Errorf("subscription = %+v, %v; want %+v", got, err, up)
		}
		if _, err := tx.Subscription(ctx, b, s1.ID); !errors.Is(err, errs.ErrNotExist) {
			t.Errorf("subscription of another SaaS: %v", err)
		}
		page, err := tx.Subscriptions(ctx, a, "", 1)
		if err != nil || len(page) != 1 || page[0].ID != s1.ID {
			t.Errorf("first page = %v, %v", page, err)
		}
		page, err = tx.Subscriptions(ctx, a, s1.ID, 10)
		if err != nil || len(page) != 1 || page[0].ID != s2.ID {
			t.Errorf("second page = %v, %v", page, err)
		}
		tok, err := tx.Token(ctx, "t+/"+s1.ID)
		if err != nil || tok.SubscriptionID != s1.ID || !tok.ExpiresAt.Equal(now.Add(time.Hour)) {
			t.Errorf("token = %+v, %v", tok, err)
		}
		return nil
	})

	// Ended terms: Subscribed subscriptions whose term end is not after
	// the cutoff, of one SaaS or of all.
	mustWrite(func(tx azemu.Tx) error {
		if due, err := tx.DueRenewals(ctx, a, up.TermEnd.Add(-time.Second), 10); err != nil || len(due) != 0 {
			t.Errorf("renewal due before the term end: %v, %v", due, err)
		}
		if due, err := tx.DueRenewals(ctx, a, up.TermEnd, 10); err != nil || len(due) != 1 || !reflect.DeepEqual(due[0], up) {
			t.Errorf("renewals due = %+v, %v; want %s only", due, err, s1.ID)
		}
		if due, err := tx.DueRenewals(ctx, b, up.TermEnd, 10); err != nil || len(due) != 0 {
			t.Errorf("renewals due of another SaaS: %v, %v", due, err)
		}
		due, err := tx.DueRenewals(ctx, "", up.TermEnd, 1000)
		found := false
		for _, d := range due {
			found = found || d.ID == s1.ID
		}
		if err != nil || !found {
			t.Errorf("renewals due of every SaaS: %v, %v", due, err)
		}
		return nil
	})

	// Operations: due ones, guarded completion.
	op := azemu.Operation{ID: id("op"), SaaSID: a, SubscriptionID: s1.ID, ActivityID: "act", Action: azemu.ActionChangeQuantity,
		Source: azemu.SourceAzure, PlanID: "gold", Quantity: 3, Status: azemu.OpInProgress, DueAt: now.Add(10 * time.Second),
		CreatedAt: now, UpdatedAt: now}
	mustWrite(func(tx azemu.Tx) error { return tx.InsertOperation(ctx, op) })
	mustWrite(func(tx azemu.Tx) error {
		if due, err := tx.DueOperations(ctx, a, now, 10); err != nil || len(due) != 0 {
			t.Errorf("due before its time: %v, %v", due, err)
		}
		due, err := tx.DueOperations(ctx, "", now.Add(time.Minute), 1000)
		found := false
		for _, d := range due {
			found = found || d.ID == op.ID
		}
		if err != nil || !found {
			t.Errorf("due after its time: %v, %v", due, err)
		}
		return nil
	})
	done := op
	done.Status, done.DueAt, done.ErrorCode, done.ErrorMessage, done.UpdatedAt = azemu.OpFailed, time.Time{}, "Failed", "no", now.Add(time.Second)
	mustWrite(func(tx azemu.Tx) error { return tx.UpdateOperation(ctx, done) })
	err = st.WriteTx(ctx, func(tx azemu.Tx) error { return tx.UpdateOperation(ctx, done) })
	if !errors.Is(err, errs.ErrNotExist) {
		t.Errorf("completing twice: %v, want ErrNotExist", err)
	}
	mustRead(func(tx azemu.Tx) error {
		got, err := tx.Operation(ctx, a, op.ID)
		if err != nil || !reflect.DeepEqual(got, done) {
			t.Errorf("operation = %+v, %v; want %+v", got, err, done)
		}
		open, err := tx.Operations(ctx, a, s1.ID, true)
		if err != nil || len(open) != 0 {
			t.Errorf("in progress = %v, %v", open, err)
		}
		return nil
	})

	// Usage: one event per resource, dimension and hour.
	hour := now.Truncate(time.Hour)
	ev := azemu.UsageEvent{UsageEventID: id("u"), SaaSID: a, ResourceID: s1.ID, OfferID: "offer1", PlanID: "gold", Dimension: "api",
		Quantity: 2.5, EffectiveStartTime: now, Hour: hour, MessageTime: now}
	mustWrite(func(tx azemu.Tx) error { return tx.InsertUsage(ctx, ev) })
	dup := ev
	dup.UsageEventID = id("u")
	err = st.WriteTx(ctx, func(tx azemu.Tx) error { return tx.InsertUsage(ctx, dup) })
	if !errors.Is(err, errs.ErrDuplicate) {
		t.Errorf("second event of the hour: %v, want ErrDuplicate", err)
	}
	mustRead(func(tx azemu.Tx) error {
		got, err := tx.AcceptedUsage(ctx, s1.ID, "api", hour)
		if err != nil || !reflect.DeepEqual(got, ev) {
			t.Errorf("accepted = %+v, %v; want %+v", got, err, ev)
		}
		list, err := tx.Usage(ctx, a, hour, hour.Add(time.Hour))
		if err != nil || len(list) != 1 {
			t.Errorf("usage = %v, %v", list, err)
		}
		return nil
	})

	// Webhooks: the head message of each subscription, never twice.
	hook := func(subID string) azemu.Webhook {
		return azemu.Webhook{ID: id("w"), SaaSID: a, SubscriptionID: subID, OperationID: op.ID, Endpoint: "http://x", Body: "{}",
			Status: azemu.DeliveryPending, CreatedAt: now, NextAttemptAt: now}
	}
	w1, w2, w3 := hook(s1.ID), hook(s1.ID), hook(s2.ID)
	mustWrite(func(tx azemu.Tx) error {
		for _, w := range []azemu.Webhook{w1, w2, w3} {
			if err := tx.InsertWebhook(ctx, w); err != nil {
				return err
			}
		}
		return nil
	})
	head := func(subID string) string {
		t.Helper()
		var w azemu.Webhook
		mustWrite(func(tx azemu.Tx) (err error) { w, err = tx.NextWebhook(ctx, subID); return err })
		return w.ID
	}
	if h1, h3 := head(s1.ID), head(s2.ID); h1 != w1.ID || h3 != w3.ID {
		t.Errorf("heads %s and %s, want %s and %s", h1, h3, w1.ID, w3.ID)
	}
	w1.Status, w1.Attempts, w1.DeliveredAt = azemu.DeliveryDelivered, 1, now
	mustWrite(func(tx azemu.Tx) error { return tx.UpdateWebhook(ctx, w1) })
	if h := head(s1.ID); h != w2.ID {
		t.Errorf("head after delivery %s, want %s", h, w2.ID)
	}
	mustRead(func(tx azemu.Tx) error {
		ws, err := tx.Webhooks(ctx, a, 10)
		if err != nil || len(ws) != 3 || ws[0].ID != w3.ID || ws[2].Status != azemu.DeliveryDelivered {
			t.Errorf("webhooks = %+v, %v", ws, err)
		}
		return nil
	})
}
