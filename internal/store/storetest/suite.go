package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/metering"
	"github.com/saasplane/saasplane/internal/pricing"
	"github.com/saasplane/saasplane/internal/saas"
	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/tenant"
)

// Run runs the conformance suite against databases opened by open.
func Run(t *testing.T, open func(testing.TB) *store.DB) {
	tests := []struct {
		name string
		fn   func(*testing.T, *store.DB)
	}{
		{"MigrateIsIdempotent", testMigrateIdempotent},
		{"SaaSAndKeys", testSaaSAndKeys},
		{"EnsureCredentials", testEnsureCredentials},
		{"Meters", testMeters},
		{"UnitsRoundTrip", testUnitsRoundTrip},
		{"BundlesKeepOrder", testBundlesKeepOrder},
		{"MarkPlansUsedPropagates", testMarkPlansUsed},
		{"DeleteCatalogIsPerSaaS", testDeleteCatalog},
		{"TaxRates", testTaxRates},
		{"FailedTransactionLeavesNothing", testRollback},
		{"RowsAreScopedBySaaS", testScoping},
		{"CatalogVersion", testCatalogVersion},
		{"MeteringGeneration", testMeteringGeneration},
		{"MeteringBulkRows", testMeteringBulkRows},
		{"APILog", testAPILog},
		{"AWSEmulator", testAWSEmulator},
		{"AWSEmulatorSNS", testAWSEmulatorSNS},
		{"AzureEmulator", testAzureEmulator},
		{"EnqueueJob", testEnqueueJob},
		{"EmulatorFaults", testEmulatorFaults},
		{"Marketplace", testMarketplace},
		{"IdentitySigningKeys", testIdentitySigningKeys},
		{"IdentityEnvsAndRoles", testIdentityEnvsAndRoles},
		{"IdentityMembers", testIdentityMembers},
		{"IdentityInfoVersions", testIdentityInfoVersions},
		{"Communication", testCommunication},
		{"Integration", testIntegration},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

var seq struct {
	sync.Mutex
	n int
}

func id(prefix string) string {
	seq.Lock()
	defer seq.Unlock()
	seq.n++
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano(), seq.n)
}

// newSaaS inserts a SaaS and returns its id.
func newSaaS(t *testing.T, db *store.DB) string {
	t.Helper()
	s := saas.SaaS{ID: id("saas"), Name: "test", CreatedAt: time.Now()}
	if err := db.InsertSaaS(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	return s.ID
}

func write(t *testing.T, db *store.DB, fn func(pricing.Tx) error) {
	t.Helper()
	if err := db.Pricing().WriteTx(t.Context(), fn); err != nil {
		t.Fatal(err)
	}
}

func read[T any](t *testing.T, db *store.DB, fn func(pricing.Tx) (T, error)) T {
	t.Helper()
	var out T
	err := db.Pricing().ReadTx(t.Context(), func(tx pricing.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func testMigrateIdempotent(t *testing.T, db *store.DB) {
	n, err := db.Migrate(t.Context())
	if err != nil || n != 0 {
		t.Fatalf("second Migrate = %d, %v; want 0, nil", n, err)
	}
	p, err := db.Pending(t.Context())
	if err != nil || p != 0 {
		t.Fatalf("Pending = %d, %v; want 0, nil", p, err)
	}
}

func testSaaSAndKeys(t *testing.T, db *store.DB) {
	ctx := t.Context()
	sid := newSaaS(t, db)
	k := saas.Key{APIKey: id("key"), SaaSID: sid, Secret: "s3cret", CreatedAt: time.Now()}
	if err := db.InsertKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := db.InsertKey(ctx, k); !errors.Is(err, errs.ErrDuplicate) {
		t.Fatalf("duplicate InsertKey = %v, want ErrDuplicate", err)
	}
	got, err := db.Key(ctx, k.APIKey)
	if err != nil || got.Secret != "s3cret" || got.SaaSID != sid || got.RevokedAt != nil {
		t.Fatalf("Key = %+v, %v", got, err)
	}
	if _, err := db.Key(ctx, "nope"); !errors.Is(err, errs.ErrNotExist) {
		t.Fatalf("Key(unknown) = %v, want ErrNotExist", err)
	}
	if err := db.RevokeKey(ctx, "other-saas", k.APIKey, time.Now()); !errors.Is(err, errs.ErrNotExist) {
		t.Fatalf("RevokeKey by another SaaS = %v, want ErrNotExist", err)
	}
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	if err := db.RevokeKey(ctx, sid, k.APIKey, at); err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeKey(ctx, sid, k.APIKey, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ = db.Key(ctx, k.APIKey)
	if got.RevokedAt == nil || !got.RevokedAt.Equal(at) {
		t.Fatalf("RevokedAt = %v, want the first revocation %v", got.RevokedAt, at)
	}
	keys, err := db.ListKeys(ctx, sid)
	if err != nil || len(keys) != 1 {
		t.Fatalf("ListKeys = %v, %v", keys, err)
	}
	if _, err := db.GetSaaS(ctx, "nope"); !errors.Is(err, errs.ErrNotExist) {
		t.Fatalf("GetSaaS(unknown) = %v", err)
	}
}

func testEnsureCredentials(t *testing.T, db *store.DB) {
	ctx := t.Context()
	s := saas.SaaS{ID: id("boot"), Name: "boot", CreatedAt: time.Now()}
	k := saas.Key{APIKey: id("bk"), SaaSID: s.ID, Secret: "x", CreatedAt: time.Now()}
	for i := 0; i < 2; i++ { // idempotent
		if err := db.EnsureCredentials(ctx, s, k); err != nil {
			t.Fatalf("EnsureCredentials #%d: %v", i, err)
		}
	}
	k2 := k
	k2.Secret = "other"
	if err := db.EnsureCredentials(ctx, s, k2); !errors.Is(err, errs.ErrDuplicate) {
		t.Fatalf("EnsureCredentials with another secret = %v, want ErrDuplicate", err)
	}
}

func testMeters(t *testing.T, db *store.DB) {
	sid := newSaaS(t, db)
	m := pricing.Meter{ID: id("m"), Name: "calls", DisplayName: "Calls", Description: "d", AggregateUsage: pricing.AggregateMax}
	write(t, db, func(tx pricing.Tx) error { return tx.InsertMeter(t.Context(), sid, m) })
	err := db.Pricing().WriteTx(t.Context(), func(tx pricing.Tx) error {
		return tx.InsertMeter(t.Context(), sid, pricing.Meter{ID: id("m"), Name: "calls"})
	})
	if !errors.Is(err, errs.ErrDuplicate) {
		t.Fatalf("duplicate unit_name = %v, want ErrDuplicate", err)
	}
	got := read(t, db, func(tx pricing.Tx) (pricing.Meter, error) { return tx.MeterByName(t.Context(), sid, "calls") })
	if got != m {
		t.Fatalf("MeterByName = %+v, want %+v", got, m)
	}
	m.DisplayName, m.Used = "Calls!", true // used is not the update's to change
	write(t, db, func(tx pricing.Tx) error { return tx.UpdateMeter(t.Context(), sid, m) })
	m.Used = false
	all := read(t, db, func(tx pricing.Tx) ([]pricing.Meter, error) { return tx.Meters(t.Context(), sid) })
	if len(all) != 1 || all[0] != m {
		t.Fatalf("Meters = %+v, want [%+v]", all, m)
	}
	write(t, db, func(tx pricing.Tx) error { return tx.DeleteMeter(t.Context(), sid, m.ID) })
	err = db.Pricing().WriteTx(t.Context(), func(tx pricing.Tx) error { return tx.DeleteMeter(t.Context(), sid, m.ID) })
	if !errors.Is(err, errs.ErrNotExist) {
		t.Fatalf("second delete = %v, want ErrNotExist", err)
	}
}

// catalog is a small fixture: one meter, a fixed and a tiered unit, a menu
// over both, and a plan over the menu.
type catalog struct {
	saasID string
	meter  pricing.Meter
	fixed  pricing.Unit
	tiered pricing.Unit
	menu   pricing.MenuRecord
	plan   pricing.PlanRecord
}

func newCatalog(t *testing.T, db *store.DB) catalog {
	t.Helper()
	c := catalog{saasID: newSaaS(t, db)}
	c.meter = pricing.Meter{ID: id("m"), Name: "storage", DisplayName: "Storage"}
	c.fixed = pricing.Unit{ID: id("u"), Name: "base", Type: pricing.UnitTypeFixed, Currency: pricing.CurrencyJPY, UnitAmount: 1000, Interval: pricing.IntervalYear}
	c.tiered = pricing.Unit{ID: id("u"), Name: "gb", Type: pricing.UnitTypeTieredUsage, Currency: pricing.CurrencyUSD,
		Interval: pricing.IntervalMonth, UpperCount: 50, MeterID: c.meter.ID, MeterName: c.meter.Name, AggregateUsage: pricing.AggregateSum,
		Tiers: []pricing.Tier{{UpTo: 10, UnitAmount: 100, FlatAmount: 5}, {UnitAmount: 1<<63 - 1, Inf: true}}}
	c.menu = pricing.MenuRecord{Menu: pricing.Menu{ID: id("menu"), Name: "menu"}, UnitIDs: []string{c.tiered.ID, c.fixed.ID}}
	c.plan = pricing.PlanRecord{Plan: pricing.Plan{ID: id("plan"), Name: "plan"}, MenuIDs: []string{c.menu.ID}}
	write(t, db, func(tx pricing.Tx) error {
		ctx := t.Context()
		return errors.Join(
			tx.InsertMeter(ctx, c.saasID, c.meter),
			tx.InsertUnit(ctx, c.saasID, c.fixed),
			tx.InsertUnit(ctx, c.saasID, c.tiered),
			tx.InsertMenu(ctx, c.saasID, c.menu),
			tx.InsertPlan(ctx, c.saasID, c.plan),
		)
	})
	return c
}

func testUnitsRoundTrip(t *testing.T, db *store.DB) {
	c := newCatalog(t, db)
	got := read(t, db, func(tx pricing.Tx) ([]pricing.Unit, error) { return tx.Units(t.Context(), c.saasID) })
	want := []pricing.Unit{c.fixed, c.tiered}
	if !slices.EqualFunc(got, want, unitEqual) {
		t.Fatalf("Units =\n%+v\nwant\n%+v", got, want)
	}
	ref := read(t, db, func(tx pricing.Tx) (bool, error) { return tx.MeterReferenced(t.Context(), c.saasID, c.meter.ID) })
	if !ref {
		t.Fatal("MeterReferenced = false for a meter a unit uses")
	}
	c.tiered.Tiers = c.tiered.Tiers[1:]
	c.tiered.Name = "renamed"
	write(t, db, func(tx pricing.Tx) error { return tx.UpdateUnit(t.Context(), c.saasID, c.tiered) })
	got = read(t, db, func(tx pricing.Tx) ([]pricing.Unit, error) { return tx.Units(t.Context(), c.saasID, c.tiered.ID) })
	if len(got) != 1 || !unitEqual(got[0], c.tiered) {
		t.Fatalf("after update Units = %+v, want %+v", got, c.tiered)
	}
}

func unitEqual(a, b pricing.Unit) bool {
	if !slices.Equal(a.Tiers, b.Tiers) {
		return false
	}
	a.Tiers, b.Tiers = nil, nil
	return reflect.DeepEqual(a, b)
}

func testBundlesKeepOrder(t *testing.T, db *store.DB) {
	c := newCatalog(t, db)
	menus := read(t, db, func(tx pricing.Tx) ([]pricing.MenuRecord, error) { return tx.Menus(t.Context(), c.saasID) })
	if len(menus) != 1 || !slices.Equal(menus[0].UnitIDs, c.menu.UnitIDs) {
		t.Fatalf("Menus = %+v, want unit ids %v in that order", menus, c.menu.UnitIDs)
	}
	c.menu.UnitIDs = []string{c.fixed.ID}
	c.menu.DisplayName = "Menu"
	write(t, db, func(tx pricing.Tx) error { return tx.UpdateMenu(t.Context(), c.saasID, c.menu) })
	menus = read(t, db, func(tx pricing.Tx) ([]pricing.MenuRecord, error) { return tx.Menus(t.Context(), c.saasID, c.menu.ID) })
	if len(menus) != 1 || !slices.Equal(menus[0].UnitIDs, []string{c.fixed.ID}) || menus[0].DisplayName != "Menu" {
		t.Fatalf("after update Menus = %+v", menus)
	}
	for _, tc := range []struct {
		name string
		fn   func(pricing.Tx) (bool, error)
		want bool
	}{
		{"unit in menu", func(tx pricing.Tx) (bool, error) { return tx.UnitReferenced(t.Context(), c.saasID, c.fixed.ID) }, true},
		{"unit dropped from menu", func(tx pricing.Tx) (bool, error) { return tx.UnitReferenced(t.Context(), c.saasID, c.tiered.ID) }, false},
		{"menu in plan", func(tx pricing.Tx) (bool, error) { return tx.MenuReferenced(t.Context(), c.saasID, c.menu.ID) }, true},
	} {
		if got := read(t, db, tc.fn); got != tc.want {
			t.Errorf("%s: referenced = %v, want %v", tc.name, got, tc.want)
		}
	}
	write(t, db, func(tx pricing.Tx) error { return tx.DeletePlan(t.Context(), c.saasID, c.plan.ID) })
	if read(t, db, func(tx pricing.Tx) (bool, error) { return tx.MenuReferenced(t.Context(), c.saasID, c.menu.ID) }) {
		t.Error("menu still referenced after its plan was deleted")
	}
}

func testMarkPlansUsed(t *testing.T, db *store.DB) {
	c := newCatalog(t, db)
	spare := pricing.Unit{ID: id("u"), Name: "spare", Type: pricing.UnitTypeFixed, Currency: pricing.CurrencyJPY, Interval: pricing.IntervalMonth}
	write(t, db, func(tx pricing.Tx) error { return tx.InsertUnit(t.Context(), c.saasID, spare) })
	write(t, db, func(tx pricing.Tx) error { return tx.MarkPlansUsed(t.Context(), c.saasID, []string{c.plan.ID}) })
	plans := read(t, db, func(tx pricing.Tx) ([]pricing.PlanRecord, error) { return tx.Plans(t.Context(), c.saasID) })
	menus := read(t, db, func(tx pricing.Tx) ([]pricing.MenuRecord, error) { return tx.Menus(t.Context(), c.saasID) })
	units := read(t, db, func(tx pricing.Tx) ([]pricing.Unit, error) { return tx.Units(t.Context(), c.saasID) })
	meters := read(t, db, func(tx pricing.Tx) ([]pricing.Meter, error) { return tx.Meters(t.Context(), c.saasID) })
	if !plans[0].Used || !menus[0].Used || !meters[0].Used {
		t.Fatalf("used: plan %v, menu %v, meter %v; want all true", plans[0].Used, menus[0].Used, meters[0].Used)
	}
	for _, u := range units {
		if want := u.ID != spare.ID; u.Used != want {
			t.Errorf("unit %s used = %v, want %v", u.Name, u.Used, want)
		}
	}
}

func testDeleteCatalog(t *testing.T, db *store.DB) {
	a, b := newCatalog(t, db), newCatalog(t, db)
	write(t, db, func(tx pricing.Tx) error {
		return tx.InsertTaxRate(t.Context(), a.saasID, pricing.TaxRate{ID: id("t"), Name: "vat", Percentage: "10", Country: "JP"})
	})
	write(t, db, func(tx pricing.Tx) error { return tx.DeleteCatalog(t.Context(), a.saasID) })
	counts := func(sid string) [5]int {
		return read(t, db, func(tx pricing.Tx) ([5]int, error) {
			ctx := t.Context()
			m, err1 := tx.Meters(ctx, sid)
			u, err2 := tx.Units(ctx, sid)
			mn, err3 := tx.Menus(ctx, sid)
			p, err4 := tx.Plans(ctx, sid)
			r, err5 := tx.TaxRates(ctx, sid)
			return [5]int{len(m), len(u), len(mn), len(p), len(r)}, errors.Join(err1, err2, err3, err4, err5)
		})
	}
	if got := counts(a.saasID); got != [5]int{} {
		t.Errorf("after DeleteCatalog, SaaS A still has %v", got)
	}
	if got, want := counts(b.saasID), [5]int{1, 2, 1, 1, 0}; got != want {
		t.Errorf("SaaS B has %v, want %v untouched", got, want)
	}
}

func testTaxRates(t *testing.T, db *store.DB) {
	sid := newSaaS(t, db)
	r := pricing.TaxRate{ID: id("t"), Name: "jct", DisplayName: "JCT", Percentage: "8.5", Inclusive: true, Country: "JP", Description: "d"}
	write(t, db, func(tx pricing.Tx) error { return tx.InsertTaxRate(t.Context(), sid, r) })
	err := db.Pricing().WriteTx(t.Context(), func(tx pricing.Tx) error {
		return tx.InsertTaxRate(t.Context(), sid, pricing.TaxRate{ID: id("t"), Name: "jct", Percentage: "1", Country: "JP"})
	})
	if !errors.Is(err, errs.ErrDuplicate) {
		t.Fatalf("duplicate tax rate name = %v, want ErrDuplicate", err)
	}
	r2 := r
	r2.DisplayName, r2.Description, r2.Percentage = "New", "nd", "99" // the store changes only the editable fields
	write(t, db, func(tx pricing.Tx) error { return tx.UpdateTaxRate(t.Context(), sid, r2) })
	got := read(t, db, func(tx pricing.Tx) ([]pricing.TaxRate, error) { return tx.TaxRates(t.Context(), sid) })
	want := r
	want.DisplayName, want.Description = "New", "nd"
	if len(got) != 1 || got[0] != want {
		t.Fatalf("TaxRates = %+v, want [%+v]", got, want)
	}
}

func testRollback(t *testing.T, db *store.DB) {
	sid := newSaaS(t, db)
	boom := errors.New("boom")
	err := db.Pricing().WriteTx(t.Context(), func(tx pricing.Tx) error {
		ctx := t.Context()
		if err := tx.InsertMeter(ctx, sid, pricing.Meter{ID: id("m"), Name: "a"}); err != nil {
			return err
		}
		if err := tx.InsertMenu(ctx, sid, pricing.MenuRecord{Menu: pricing.Menu{ID: id("menu"), Name: "x"}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WriteTx = %v, want boom", err)
	}
	ms := read(t, db, func(tx pricing.Tx) ([]pricing.Meter, error) { return tx.Meters(t.Context(), sid) })
	mn := read(t, db, func(tx pricing.Tx) ([]pricing.MenuRecord, error) { return tx.Menus(t.Context(), sid) })
	if len(ms)+len(mn) != 0 {
		t.Fatalf("a failed transaction left %d meters and %d menus", len(ms), len(mn))
	}
}

func testScoping(t *testing.T, db *store.DB) {
	a := newCatalog(t, db)
	other := newSaaS(t, db)
	ctx := context.Background()
	got := read(t, db, func(tx pricing.Tx) (int, error) {
		u, err1 := tx.Units(ctx, other, a.fixed.ID, a.tiered.ID)
		m, err2 := tx.Menus(ctx, other, a.menu.ID)
		p, err3 := tx.Plans(ctx, other, a.plan.ID)
		ms, err4 := tx.Meters(ctx, other, a.meter.ID)
		return len(u) + len(m) + len(p) + len(ms), errors.Join(err1, err2, err3, err4)
	})
	if got != 0 {
		t.Fatalf("another SaaS read %d of A's rows by id", got)
	}
	for name, fn := range map[string]func(pricing.Tx) error{
		"DeleteUnit":  func(tx pricing.Tx) error { return tx.DeleteUnit(ctx, other, a.fixed.ID) },
		"DeleteMenu":  func(tx pricing.Tx) error { return tx.DeleteMenu(ctx, other, a.menu.ID) },
		"DeletePlan":  func(tx pricing.Tx) error { return tx.DeletePlan(ctx, other, a.plan.ID) },
		"DeleteMeter": func(tx pricing.Tx) error { return tx.DeleteMeter(ctx, other, a.meter.ID) },
		"UpdateUnit":  func(tx pricing.Tx) error { return tx.UpdateUnit(ctx, other, a.fixed) },
	} {
		if err := db.Pricing().WriteTx(ctx, fn); !errors.Is(err, errs.ErrNotExist) {
			t.Errorf("%s on another SaaS's row = %v, want ErrNotExist", name, err)
		}
	}
	// A reference across SaaS boundaries is refused by the schema itself.
	err := db.Pricing().WriteTx(ctx, func(tx pricing.Tx) error {
		return tx.InsertMenu(ctx, other, pricing.MenuRecord{Menu: pricing.Menu{ID: id("menu"), Name: "steal"}, UnitIDs: []string{a.fixed.ID}})
	})
	if err == nil {
		t.Error("a menu of another SaaS could reference A's unit")
	}
}

func testCatalogVersion(t *testing.T, db *store.DB) {
	a, b := newSaaS(t, db), newSaaS(t, db)
	version := func(sid string) int64 {
		return read(t, db, func(tx pricing.Tx) (int64, error) { return tx.CatalogVersion(t.Context(), sid) })
	}
	if v := version(a); v != 0 {
		t.Fatalf("version of a new SaaS = %d, want 0", v)
	}
	for want := int64(1); want <= 3; want++ {
		write(t, db, func(tx pricing.Tx) error { return tx.BumpCatalogVersion(t.Context(), a) })
		if v := version(a); v != want {
			t.Fatalf("version after %d bumps = %d", want, v)
		}
	}
	if v := version(b); v != 0 {
		t.Fatalf("bumping A changed B's version to %d", v)
	}
}

// The metering committer trusts what it remembers of a SaaS only while its
// generation is unchanged: catalog writes, tenant deletions and the time
// zone must each move it, and only for their own SaaS.
func testMeteringGeneration(t *testing.T, db *store.DB) {
	ctx := t.Context()
	a, b := newSaaS(t, db), newSaaS(t, db)
	gen := func(sid string) metering.Generation {
		t.Helper()
		var g metering.Generation
		if err := db.Metering().ReadTx(ctx, func(tx metering.Tx) (err error) {
			g, err = tx.Generation(ctx, sid)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return g
	}
	if g := gen(a); g != (metering.Generation{}) {
		t.Fatalf("generation of a new SaaS = %+v, want zero", g)
	}
	tn := tenant.Tenant{ID: id("tenant"), Name: "acme", BackOfficeStaffEmail: "a@b.co", Attributes: map[string]any{}, CreatedAt: time.Unix(1, 0)}
	if err := db.Tenants().WriteTx(ctx, func(tx tenant.Tx) error { return tx.InsertTenant(ctx, a, tn) }); err != nil {
		t.Fatal(err)
	}
	if g := gen(a); g.Tenants != 0 {
		t.Fatalf("creating a tenant moved tenants to %d; only deletions count", g.Tenants)
	}
	if err := db.Tenants().WriteTx(ctx, func(tx tenant.Tx) error { return tx.DeleteTenant(ctx, a, tn.ID, time.Unix(2, 0)) }); err != nil {
		t.Fatal(err)
	}
	write(t, db, func(tx pricing.Tx) error { return tx.BumpCatalogVersion(ctx, a) })
	if err := db.Metering().WriteTx(ctx, func(tx metering.Tx) error { return tx.SetTimeZone(ctx, a, "Asia/Tokyo") }); err != nil {
		t.Fatal(err)
	}
	if g, want := gen(a), (metering.Generation{TimeZone: "Asia/Tokyo", Catalog: 1, Tenants: 1}); g != want {
		t.Fatalf("generation = %+v, want %+v", g, want)
	}
	if g := gen(b); g != (metering.Generation{}) {
		t.Fatalf("changes to A moved B's generation to %+v", g)
	}
}

// The committer reads and writes a batch's entries and days with
// multi-row statements cut into chunks; 90 rows cross every chunk size.
func testMeteringBulkRows(t *testing.T, db *store.DB) {
	ctx := t.Context()
	sid := newSaaS(t, db)
	tn := tenant.Tenant{ID: id("tenant"), Name: "acme", BackOfficeStaffEmail: "a@b.co", Attributes: map[string]any{}, CreatedAt: time.Unix(1, 0)}
	if err := db.Tenants().WriteTx(ctx, func(tx tenant.Tx) error { return tx.InsertTenant(ctx, sid, tn) }); err != nil {
		t.Fatal(err)
	}
	m := pricing.Meter{ID: id("meter"), Name: "calls"}
	write(t, db, func(tx pricing.Tx) error { return tx.InsertMeter(ctx, sid, m) })
	k := metering.Key{SaaSID: sid, TenantID: tn.ID, MeterID: m.ID}
	const n = 90
	dayOf := func(i int) metering.Date { return metering.Date(fmt.Sprintf("2026-11-%02d", 1+i%3)) }
	var refs []metering.EntryRef
	for i := range n + 3 { // the last 3 are never written
		refs = append(refs, metering.EntryRef{Key: k, TS: int64(1_000 + i), Day: dayOf(i)})
	}
	readAll := func() []metering.EntryRead {
		t.Helper()
		var got []metering.EntryRead
		if err := db.Metering().ReadTx(ctx, func(tx metering.Tx) (err error) {
			got, err = tx.ReadEntries(ctx, refs)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(refs) {
			t.Fatalf("ReadEntries returned %d results for %d refs", len(got), len(refs))
		}
		return got
	}
	for i, r := range readAll() {
		if r.OK || r.Day.Entries != 0 {
			t.Fatalf("ref %d before any write = %+v, want nothing", i, r)
		}
	}
	for round := int64(1); round <= 2; round++ { // the second round replaces every row
		var es []metering.KeyedEntry
		for i := range n {
			es = append(es, metering.KeyedEntry{Key: k, Entry: metering.Entry{Timestamp: int64(1_000 + i), Count: round * int64(i)}})
		}
		var ds []metering.KeyedDay
		for d := range 3 {
			ds = append(ds, metering.KeyedDay{Key: k, Day: metering.Day{Date: dayOf(d), Sum: round * 100, Max: round * int64(d), Entries: int64(30 + d)}})
		}
		if err := db.Metering().WriteTx(ctx, func(tx metering.Tx) error {
			if err := tx.PutEntries(ctx, es); err != nil {
				return err
			}
			return tx.PutDays(ctx, ds)
		}); err != nil {
			t.Fatal(err)
		}
		for i, r := range readAll() {
			d := i % 3
			want := metering.EntryRead{Count: round * int64(i), OK: true,
				Day: metering.Day{Date: dayOf(i), Sum: round * 100, Max: round * int64(d), Entries: int64(30 + d)}}
			if i >= n {
				want.Count, want.OK = 0, false
			}
			if r != want {
				t.Fatalf("round %d, ref %d = %+v, want %+v", round, i, r, want)
			}
		}
	}
	// A transaction reads its own entries back (MaxEntry, ReadEntries)
	// before writing any day, and entries put without days are written
	// at commit all the same.
	late := metering.KeyedEntry{Key: k, Entry: metering.Entry{Timestamp: 5_000, Count: 7_777}}
	if err := db.Metering().WriteTx(ctx, func(tx metering.Tx) error {
		if err := tx.PutEntries(ctx, []metering.KeyedEntry{late}); err != nil {
			return err
		}
		mx, err := tx.MaxEntry(ctx, k, 4_000, 6_000)
		if err != nil || mx != 7_777 {
			t.Errorf("MaxEntry in the writing transaction = %d, %v, want 7777", mx, err)
		}
		got, err := tx.ReadEntries(ctx, []metering.EntryRef{{Key: k, TS: 5_000, Day: "2026-11-09"}})
		if err != nil || len(got) != 1 || !got[0].OK || got[0].Count != 7_777 {
			t.Errorf("ReadEntries in the writing transaction = %+v, %v", got, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	refs = []metering.EntryRef{{Key: k, TS: 5_000, Day: "2026-11-09"}}
	if got := readAll(); !got[0].OK || got[0].Count != 7_777 {
		t.Errorf("entry put without days, after commit = %+v", got[0])
	}
}
