package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/idgen"
	"github.com/saasplane/saasplane/internal/store"
)

// testIdentitySigningKeys: a user pool's signing keys come back as they
// were stored (the private key itself, times to the microsecond), each
// SaaS sees only its own, and deletion takes only the ids named.
func testIdentitySigningKeys(t *testing.T, db *store.DB) {
	ctx := t.Context()
	st := db.Identity()
	a, b := newSaaS(t, db), newSaaS(t, db)
	now := time.Now().UTC().Truncate(time.Microsecond)
	var keys []identity.SigningKey
	for i := range 3 {
		k, err := identity.GenerateKey(idgen.Crypto(), now.Add(time.Duration(i)*time.Hour), now.Add(time.Duration(i)*time.Hour+time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.WriteTx(ctx, func(tx identity.Tx) error {
		for _, k := range keys[:2] {
			if err := tx.InsertSigningKey(ctx, a, k); err != nil {
				return err
			}
		}
		return tx.InsertSigningKey(ctx, b, keys[2])
	}))
	read := func(saasID string) []identity.SigningKey {
		t.Helper()
		var got []identity.SigningKey
		must(st.ReadTx(ctx, func(tx identity.Tx) error {
			var err error
			got, err = tx.SigningKeys(ctx, saasID)
			return err
		}))
		slices.SortFunc(got, func(x, y identity.SigningKey) int { return x.CreatedAt.Compare(y.CreatedAt) })
		return got
	}
	got := read(a)
	if len(got) != 2 {
		t.Fatalf("SaaS a has %d keys, want 2", len(got))
	}
	for i, k := range got {
		w := keys[i]
		if k.ID != w.ID || !k.CreatedAt.Equal(w.CreatedAt) || !k.ActiveAt.Equal(w.ActiveAt) || !k.Private.Equal(w.Private) {
			t.Errorf("key %d = %s %v %v, want %s %v %v (and the same private key)", i, k.ID, k.CreatedAt, k.ActiveAt, w.ID, w.CreatedAt, w.ActiveAt)
		}
	}
	if got := read(b); len(got) != 1 || got[0].ID != keys[2].ID {
		t.Errorf("SaaS b's keys = %v, want only its own", got)
	}
	// Deleting names ids of the SaaS only: b's key id given for a stays.
	must(st.WriteTx(ctx, func(tx identity.Tx) error {
		return tx.DeleteSigningKeys(ctx, a, []string{keys[0].ID, keys[2].ID, "unknown"})
	}))
	if got := read(a); len(got) != 1 || got[0].ID != keys[1].ID {
		t.Errorf("after delete, SaaS a's keys = %d, want only %s", len(got), keys[1].ID)
	}
	if got := read(b); len(got) != 1 {
		t.Error("deleting through SaaS a removed SaaS b's key")
	}
	must(st.ReadTx(ctx, func(tx identity.Tx) error {
		if ok, err := tx.SaaSExists(ctx, a); !ok || err != nil {
			t.Errorf("SaaSExists(a) = %v, %v", ok, err)
		}
		if ok, err := tx.SaaSExists(ctx, id("nosaas")); ok || err != nil {
			t.Errorf("SaaSExists(unknown) = %v, %v", ok, err)
		}
		return nil
	}))
	if err := st.WriteTx(ctx, func(tx identity.Tx) error { return tx.InsertSigningKey(ctx, id("nosaas"), keys[0]) }); err == nil {
		t.Error("a key of an unknown SaaS was stored")
	}
}
