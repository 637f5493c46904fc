package storetest

import (
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/store"
)

// testAWSEmulatorSNS checks the emulator's SNS tables: the signing identity
// is inserted once, and the head of a subscription's queue is its oldest
// pending message, with whether the subscription is confirmed.
func testAWSEmulatorSNS(t *testing.T, db *store.DB) {
	ctx := t.Context()
	st := db.AWSEmulator()
	a := newSaaS(t, db)
	now := time.Now().UTC().Truncate(time.Microsecond)
	mustWrite := func(fn func(awsemu.Tx) error) {
		t.Helper()
		if err := st.WriteTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	var first awsemu.SNSIdentity
	mustWrite(func(tx awsemu.Tx) error {
		if err := tx.InsertSNSIdentity(ctx, awsemu.SNSIdentity{KeyPEM: "k1", CertPEM: "c1", CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.InsertSNSIdentity(ctx, awsemu.SNSIdentity{KeyPEM: "k2", CertPEM: "c2", CreatedAt: now}); err != nil {
			return err
		}
		var err error
		first, err = tx.SNSIdentity(ctx)
		return err
	})
	if first.KeyPEM == "k2" {
		t.Errorf("a second identity replaced the first")
	}

	topic := id("arn:topic")
	sub := awsemu.SNSSubscription{SubscriptionArn: topic + ":1", SaaSID: a, TopicArn: topic, Endpoint: "http://x", Token: id("tok"), CreatedAt: now}
	msg := func(typ string) awsemu.SNSDelivery {
		return awsemu.SNSDelivery{MessageID: id("msg"), SaaSID: a, SubscriptionArn: sub.SubscriptionArn, Endpoint: sub.Endpoint,
			Type: typ, TopicArn: topic, Message: "{}", PublishedAt: now, Status: awsemu.DeliveryPending, NextAttemptAt: now}
	}
	conf, n1, n2 := msg(awsemu.SNSTypeConfirmation), msg(awsemu.SNSTypeNotification), msg(awsemu.SNSTypeNotification)
	mustWrite(func(tx awsemu.Tx) error {
		if err := tx.PutNotificationEndpoint(ctx, a, "http://x", now); err != nil {
			return err
		}
		if err := tx.InsertSNSSubscription(ctx, sub); err != nil {
			return err
		}
		for _, m := range []awsemu.SNSDelivery{conf, n1, n2} {
			if err := tx.InsertSNSDelivery(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	// The head of the subscription's queue, and whether it may be posted.
	next := func() (string, bool) {
		t.Helper()
		var d awsemu.SNSDelivery
		var confirmed bool
		mustWrite(func(tx awsemu.Tx) (err error) {
			d, confirmed, err = tx.NextSNSDelivery(ctx, sub.SubscriptionArn)
			return err
		})
		return d.MessageID, confirmed
	}
	if got, confirmed := next(); got != conf.MessageID || confirmed {
		t.Fatalf("head %s (confirmed %v), want the confirmation of an unconfirmed subscription", got, confirmed)
	}
	conf.Status, conf.Attempts = awsemu.DeliveryDelivered, 1
	mustWrite(func(tx awsemu.Tx) error { return tx.UpdateSNSDelivery(ctx, conf) })
	mustWrite(func(tx awsemu.Tx) error { return tx.ConfirmSNSSubscription(ctx, sub.SubscriptionArn, now) })
	if got, confirmed := next(); got != n1.MessageID || !confirmed {
		t.Fatalf("head %s (confirmed %v), want %s, confirmed", got, confirmed, n1.MessageID)
	}
	var ds []awsemu.SNSDelivery
	if err := st.ReadTx(ctx, func(tx awsemu.Tx) (err error) { ds, err = tx.SNSDeliveries(ctx, a, 10); return err }); err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3 || ds[0].MessageID != n2.MessageID || ds[2].Status != awsemu.DeliveryDelivered {
		t.Errorf("deliveries %+v", ds)
	}
	mustWrite(func(tx awsemu.Tx) error { return tx.AbandonSNSDeliveries(ctx, sub.SubscriptionArn, "gone", now) })
	if err := st.ReadTx(ctx, func(tx awsemu.Tx) (err error) { ds, err = tx.SNSDeliveries(ctx, a, 10); return err }); err != nil {
		t.Fatal(err)
	}
	if ds[0].Status != awsemu.DeliveryFailed || ds[0].LastError != "gone" {
		t.Errorf("abandoned %+v", ds[0])
	}
}
