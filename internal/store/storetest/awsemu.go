package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/store"
)

// testAWSEmulator checks the AWS Marketplace emulator's store: products and
// their owner, purchase queries, tokens, sessions, and the one-Success-per-
// hour rule of usage records.
func testAWSEmulator(t *testing.T, db *store.DB) {
	ctx := t.Context()
	st := db.AWSEmulator()
	a, b := newSaaS(t, db), newSaaS(t, db)
	code := id("prod")
	now := time.Now().UTC().Truncate(time.Microsecond)
	mustWrite := func(fn func(awsemu.Tx) error) {
		t.Helper()
		if err := st.WriteTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	p := func(saasID, customer, account, dim string, status awsemu.PurchaseStatus) awsemu.Purchase {
		return awsemu.Purchase{SaaSID: saasID, CustomerIdentifier: customer, CustomerAWSAccountID: account,
			LicenseArn: "arn:" + customer, ProductCode: code, Dimension: dim, Quantity: 3, Status: status,
			CreatedAt: now, UpdatedAt: now, ExpiresAt: now.AddDate(0, 1, 0)}
	}
	c1, c2, c3 := id("X1"), id("X2"), id("X3")
	purchases := []awsemu.Purchase{p(a, c1, id("1"), "users", awsemu.PurchaseActive), p(a, c2, id("2"), "seats", awsemu.PurchaseActive),
		p(a, c3, id("3"), "users", awsemu.PurchaseCancelled)}
	mustWrite(func(tx awsemu.Tx) error {
		if err := tx.InsertProduct(ctx, a, code); err != nil {
			return err
		}
		for _, d := range []string{"users", "users", "seats"} { // adding twice is a no-op
			if err := tx.AddDimension(ctx, code, d); err != nil {
				return err
			}
		}
		for _, pu := range purchases {
			if err := tx.InsertPurchase(ctx, pu); err != nil {
				return err
			}
		}
		return tx.InsertToken(ctx, awsemu.RegistrationToken{Token: "tok-" + c1, SaaSID: a, CustomerIdentifier: c1, CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
	})
	err := st.WriteTx(ctx, func(tx awsemu.Tx) error { return tx.InsertProduct(ctx, b, code) })
	if !errors.Is(err, errs.ErrDuplicate) {
		t.Errorf("second owner of a product: %v, want ErrDuplicate", err)
	}

	query := func(q awsemu.PurchaseQuery) []string {
		t.Helper()
		var out []string
		err := st.ReadTx(ctx, func(tx awsemu.Tx) error {
			ps, err := tx.Purchases(ctx, q)
			for _, pu := range ps {
				out = append(out, pu.CustomerIdentifier)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	sorted := func(s ...string) []string { slices.Sort(s); return s }
	for _, tc := range []struct {
		name string
		q    awsemu.PurchaseQuery
		want []string
	}{
		{"by SaaS", awsemu.PurchaseQuery{SaaSID: a}, sorted(c1, c2, c3)},
		{"other SaaS", awsemu.PurchaseQuery{SaaSID: b}, nil},
		{"active of product", awsemu.PurchaseQuery{ProductCode: code, Status: awsemu.PurchaseActive}, sorted(c1, c2)},
		{"dimension", awsemu.PurchaseQuery{ProductCode: code, Dimensions: []string{"users"}}, sorted(c1, c3)},
		{"account", awsemu.PurchaseQuery{AccountIDs: []string{purchases[1].CustomerAWSAccountID}}, []string{c2}},
		{"license", awsemu.PurchaseQuery{LicenseArns: []string{"arn:" + c3, "arn:" + c1}}, sorted(c1, c3)},
		{"after and limit", awsemu.PurchaseQuery{SaaSID: a, After: sorted(c1, c2, c3)[0], Limit: 1}, sorted(c1, c2, c3)[1:2]},
	} {
		if got := query(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}

	mustWrite(func(tx awsemu.Tx) error {
		pu := purchases[0]
		pu.Dimension, pu.Quantity, pu.Status, pu.UpdatedAt = "seats", 9, awsemu.PurchaseCancelled, now.Add(time.Minute)
		return tx.UpdatePurchase(ctx, pu)
	})
	err = st.WriteTx(ctx, func(tx awsemu.Tx) error {
		pu := purchases[0]
		pu.SaaSID = b // another SaaS's purchase is not found
		return tx.UpdatePurchase(ctx, pu)
	})
	if !errors.Is(err, errs.ErrNotExist) {
		t.Errorf("update as another SaaS: %v, want ErrNotExist", err)
	}

	err = st.ReadTx(ctx, func(tx awsemu.Tx) error {
		owner, err := tx.ProductOwner(ctx, code)
		if err != nil || owner != a {
			t.Errorf("ProductOwner = %q, %v", owner, err)
		}
		if _, err := tx.ProductOwner(ctx, "nope"); !errors.Is(err, errs.ErrNotExist) {
			t.Errorf("unknown product: %v", err)
		}
		for d, want := range map[string]bool{"users": true, "seats": true, "storage": false} {
			if ok, err := tx.HasDimension(ctx, code, d); ok != want || err != nil {
				t.Errorf("HasDimension(%s) = %v, %v", d, ok, err)
			}
		}
		ps, err := tx.Purchases(ctx, awsemu.PurchaseQuery{CustomerIdentifiers: []string{c1}})
		if err != nil || len(ps) != 1 {
			return err
		}
		want := purchases[0]
		want.Dimension, want.Quantity, want.Status, want.UpdatedAt = "seats", 9, awsemu.PurchaseCancelled, now.Add(time.Minute)
		if ps[0] != want {
			t.Errorf("purchase after update %+v, want %+v", ps[0], want)
		}
		tok, err := tx.Token(ctx, "tok-"+c1)
		if err != nil || tok.CustomerIdentifier != c1 || tok.SaaSID != a || !tok.ExpiresAt.Equal(now.Add(time.Hour)) {
			t.Errorf("Token = %+v, %v", tok, err)
		}
		if _, err := tx.Token(ctx, "nope"); !errors.Is(err, errs.ErrNotExist) {
			t.Errorf("unknown token: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	ses := awsemu.Session{AccessKeyID: id("ASIA"), SecretAccessKey: "s", SessionToken: "t", RoleArn: "arn:aws:iam::123456789012:role/r",
		RoleSessionName: "n", ExternalID: "e", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	mustWrite(func(tx awsemu.Tx) error { return tx.InsertSession(ctx, ses) })
	_ = st.ReadTx(ctx, func(tx awsemu.Tx) error {
		got, err := tx.Session(ctx, ses.AccessKeyID)
		if err != nil || got != ses {
			t.Errorf("Session = %+v, %v; want %+v", got, err, ses)
		}
		if _, err := tx.Session(ctx, "nope"); !errors.Is(err, errs.ErrNotExist) {
			t.Errorf("unknown session: %v", err)
		}
		return nil
	})

	testAWSEmulatorUsage(t, ctx, st, a, b, code, c2, now)
}

func testAWSEmulatorUsage(t *testing.T, ctx context.Context, st awsemu.Store, a, b, code, customer string, now time.Time) {
	hour := now.Truncate(time.Hour)
	rec := func(status awsemu.UsageStatus, q int64) awsemu.UsageRecord {
		return awsemu.UsageRecord{MeteringRecordID: id("m"), SaaSID: a, ProductCode: code, CustomerIdentifier: customer,
			CustomerAWSAccountID: "acct", LicenseArn: "lic", Dimension: "seats", Hour: hour, Timestamp: now, Quantity: q,
			Status: status, ReceivedAt: now}
	}
	first := rec(awsemu.UsageSuccess, 5)
	for _, r := range []awsemu.UsageRecord{first, rec(awsemu.UsageDuplicateRecord, 6), rec(awsemu.UsageDuplicateRecord, 7)} {
		if err := st.WriteTx(ctx, func(tx awsemu.Tx) error { return tx.InsertUsage(ctx, r) }); err != nil {
			t.Fatal(err)
		}
	}
	err := st.WriteTx(ctx, func(tx awsemu.Tx) error { return tx.InsertUsage(ctx, rec(awsemu.UsageSuccess, 8)) })
	if !errors.Is(err, errs.ErrDuplicate) {
		t.Errorf("second Success in the hour: %v, want ErrDuplicate", err)
	}
	_ = st.ReadTx(ctx, func(tx awsemu.Tx) error {
		got, err := tx.AcceptedUsage(ctx, customer, "seats", hour)
		if err != nil || got != first {
			t.Errorf("AcceptedUsage = %+v, %v; want %+v", got, err, first)
		}
		if _, err := tx.AcceptedUsage(ctx, customer, "seats", hour.Add(time.Hour)); !errors.Is(err, errs.ErrNotExist) {
			t.Errorf("next hour: %v", err)
		}
		rs, err := tx.Usage(ctx, a, 2)
		if err != nil || len(rs) != 2 || rs[0].Quantity != 7 || rs[1].Quantity != 6 {
			t.Errorf("Usage = %+v, %v; want the two newest", rs, err)
		}
		if rs, _ := tx.Usage(ctx, b, 10); len(rs) != 0 {
			t.Errorf("another SaaS sees %v", rs)
		}
		return nil
	})
}
