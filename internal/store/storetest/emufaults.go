package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/awsemu"
	"github.com/saasplane/saasplane/internal/azemu"
	"github.com/saasplane/saasplane/internal/emufault"
	"github.com/saasplane/saasplane/internal/store"
)

// testEmulatorFaults checks the emulators' stored faults: they are kept in
// order per SaaS and emulator, a take consumes the first matching one, and
// concurrent takes (as from several nodes) of a fault of count n succeed
// exactly n times.
func testEmulatorFaults(t *testing.T, db *store.DB) {
	ctx := t.Context()
	aws, az := db.AWSEmulator(), db.AzureEmulator()
	a, b := newSaaS(t, db), newSaaS(t, db)
	now := time.Now().UTC().Truncate(time.Microsecond)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(aws.WriteTx(ctx, func(tx awsemu.Tx) error {
		if err := tx.InsertFault(ctx, a, "BatchMeterUsage", `{"error":"ThrottlingException"}`, 2, now); err != nil {
			return err
		}
		return tx.InsertFault(ctx, a, "*", `{"delay_ms":5}`, 1, now)
	}))
	must(az.WriteTx(ctx, func(tx azemu.Tx) error { return tx.InsertFault(ctx, a, "throttle", `{}`, 1, now) }))

	take := func(saasID string, kinds ...string) (emufault.Row, bool) {
		t.Helper()
		var f emufault.Row
		var ok bool
		must(aws.WriteTx(ctx, func(tx awsemu.Tx) (err error) { f, ok, err = tx.TakeFault(ctx, saasID, kinds); return err }))
		return f, ok
	}
	if _, ok := take(b, "BatchMeterUsage", "*"); ok {
		t.Error("SaaS b took a fault of SaaS a")
	}
	if _, ok := take(a, "throttle"); ok {
		t.Error("the AWS emulator took an Azure fault")
	}
	// The first match in the order added: BatchMeterUsage twice, then *.
	for i, want := range []string{"BatchMeterUsage", "BatchMeterUsage", "*"} {
		if f, ok := take(a, "BatchMeterUsage", "*"); !ok || f.Kind != want {
			t.Errorf("take %d: %+v %v, want %s", i, f, ok, want)
		}
	}
	if f, ok := take(a, "BatchMeterUsage", "*"); ok {
		t.Errorf("took %+v after every call was consumed", f)
	}
	var left []emufault.Row
	must(az.ReadTx(ctx, func(tx azemu.Tx) (err error) { left, err = tx.Faults(ctx, a); return err }))
	if len(left) != 1 || left[0].Kind != "throttle" || left[0].Remaining != 1 {
		t.Errorf("azure faults %+v, want the throttle untouched", left)
	}

	// Concurrent takes consume exactly the fault's count.
	const count, takers = 5, 20
	must(aws.WriteTx(ctx, func(tx awsemu.Tx) error { return tx.InsertFault(ctx, b, "GetEntitlements", `{}`, count, now) }))
	var got atomic.Int64
	var wg sync.WaitGroup
	for range takers {
		wg.Go(func() {
			var ok bool
			err := aws.WriteTx(ctx, func(tx awsemu.Tx) (err error) {
				_, ok, err = tx.TakeFault(ctx, b, []string{"GetEntitlements"})
				return err
			})
			if err != nil {
				t.Error(err)
			}
			if ok {
				got.Add(1)
			}
		})
	}
	wg.Wait()
	if n := got.Load(); n != count {
		t.Errorf("%d concurrent takes succeeded, want exactly %d", n, count)
	}
	// Clearing is per SaaS and emulator; AnyFaults sees what is left.
	must(aws.WriteTx(ctx, func(tx awsemu.Tx) error {
		if err := tx.InsertFault(ctx, a, "ResolveCustomer", `{}`, 1, now); err != nil {
			return err
		}
		return tx.ClearFaults(ctx, a)
	}))
	var awsLeft []emufault.Row
	must(aws.ReadTx(ctx, func(tx awsemu.Tx) (err error) { awsLeft, err = tx.Faults(ctx, a); return err }))
	if len(awsLeft) != 0 {
		t.Errorf("faults after clearing: %+v", awsLeft)
	}
	var azLeft []emufault.Row
	var any bool
	must(az.ReadTx(ctx, func(tx azemu.Tx) (err error) {
		if azLeft, err = tx.Faults(ctx, a); err != nil {
			return err
		}
		any, err = tx.AnyFaults(ctx)
		return err
	}))
	if len(azLeft) != 1 {
		t.Errorf("clearing the AWS faults touched the Azure ones: %+v", azLeft)
	}
	if !any {
		t.Error("the Azure emulator's AnyFaults is false while SaaS a has an Azure fault")
	}
}
