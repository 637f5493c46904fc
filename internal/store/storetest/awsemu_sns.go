package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/store"
)

// testAWSEmulatorSNS checks the emulator's SNS tables: the signing identity
// is inserted once, and a claim takes only the head message of each
// subscription, confirmations before confirmed notifications, never a
// leased message, and never one another concurrent claim took.
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
	// Other tests' rows may be due too: only this SaaS's count.
	claim := func() []string {
		t.Helper()
		var ids []string
		mustWrite(func(tx awsemu.Tx) error {
			ds, err := tx.ClaimSNSDeliveries(ctx, now.Add(time.Second), now.Add(time.Hour), 1000)
			for _, d := range ds {
				if d.SaaSID == a {
					ids = append(ids, d.MessageID)
					if d.Attempts != 1 {
						t.Errorf("claimed %+v", d)
					}
				}
			}
			return err
		})
		return ids
	}
	if got := claim(); len(got) != 1 || got[0] != conf.MessageID {
		t.Fatalf("first claim %v, want the confirmation", got)
	}
	if got := claim(); len(got) != 0 {
		t.Fatalf("claim while leased: %v", got)
	}
	conf.Status, conf.Attempts = awsemu.DeliveryDelivered, 1
	mustWrite(func(tx awsemu.Tx) error { return tx.UpdateSNSDelivery(ctx, conf) })
	if got := claim(); len(got) != 0 {
		t.Fatalf("claim before confirmation: %v", got)
	}
	mustWrite(func(tx awsemu.Tx) error { return tx.ConfirmSNSSubscription(ctx, sub.SubscriptionArn, now) })

	var mu sync.Mutex
	var all []string
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			var ids []string
			err := st.WriteTx(ctx, func(tx awsemu.Tx) error {
				ids = nil
				ds, err := tx.ClaimSNSDeliveries(ctx, now.Add(time.Second), now.Add(time.Hour), 1000)
				for _, d := range ds {
					if d.SaaSID == a {
						ids = append(ids, d.MessageID)
					}
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			all = append(all, ids...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(all) != 1 || all[0] != n1.MessageID {
		t.Errorf("concurrent claims took %v, want only %s (the head)", all, n1.MessageID)
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
