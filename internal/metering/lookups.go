package metering

import (
	"context"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// maxKnownTenants bounds how many active tenants the committer remembers
// per SaaS; past it, it starts over.
const maxKnownTenants = 1 << 16

// known is what the committer remembers of one SaaS between batches. It is
// valid only for gen: every batch reads the SaaS's Generation in its own
// transaction first, and drops the meters when the catalog version moved
// and the tenants when a tenant was deleted, by this process or another.
// Only what exists is remembered (a tenant that is active, a meter's id);
// what is missing is looked up again, since it may be created any time.
type known struct {
	gen    Generation
	loc    *time.Location
	active map[string]struct{} // tenant ids
	meters map[string]string   // meter name -> id
}

// batchCtx resolves the tenants, meters and time zones of one batch inside
// its transaction, using and refreshing the committer's memory (mem, owned
// by the committer goroutine alone).
type batchCtx struct {
	tx      Tx
	mem     map[string]*known
	checked map[string]*known   // SaaS whose generation this batch read
	missing map[[3]string]error // ("t" or "m", SaaS, id or name) -> not found, this batch only
	days    map[dayKey]Day      // the roll-ups of the days this batch touches, as read
}

func newBatchCtx(tx Tx, mem map[string]*known) *batchCtx {
	return &batchCtx{tx: tx, mem: mem, checked: map[string]*known{}, missing: map[[3]string]error{}, days: map[dayKey]Day{}}
}

// saas returns what is known of a SaaS, valid in this transaction.
func (b *batchCtx) saas(ctx context.Context, saasID string) (*known, error) {
	if k, ok := b.checked[saasID]; ok {
		return k, nil
	}
	g, err := b.tx.Generation(ctx, saasID)
	if err != nil {
		return nil, err
	}
	k := b.mem[saasID]
	if k == nil || k.gen != g {
		next := &known{gen: g, active: map[string]struct{}{}, meters: map[string]string{}}
		if k != nil && k.gen.TimeZone == g.TimeZone {
			next.loc = k.loc
		} else if next.loc, err = Location(g.TimeZone); err != nil {
			return nil, err
		}
		if k != nil && k.gen.Catalog == g.Catalog {
			next.meters = k.meters
		}
		if k != nil && k.gen.Tenants == g.Tenants {
			next.active = k.active
		}
		k = next
		b.mem[saasID] = k
	}
	b.checked[saasID] = k
	return k, nil
}

// zone returns the SaaS's time zone.
func (b *batchCtx) zone(ctx context.Context, saasID string) (*time.Location, error) {
	k, err := b.saas(ctx, saasID)
	if err != nil {
		return nil, err
	}
	return k.loc, nil
}

// counter resolves the tenant and meter of an update, or a not-found error.
func (b *batchCtx) counter(ctx context.Context, u Update) (Key, error) {
	k, err := b.saas(ctx, u.SaaSID)
	if err != nil {
		return Key{}, err
	}
	if _, ok := k.active[u.TenantID]; !ok {
		if err := b.lookupTenant(ctx, k, u.SaaSID, u.TenantID); err != nil {
			return Key{}, err
		}
	}
	meterID, ok := k.meters[u.MeterName]
	if !ok {
		if meterID, err = b.lookupMeter(ctx, k, u.SaaSID, u.MeterName); err != nil {
			return Key{}, err
		}
	}
	return Key{SaaSID: u.SaaSID, TenantID: u.TenantID, MeterID: meterID}, nil
}

func (b *batchCtx) lookupTenant(ctx context.Context, k *known, saasID, tenantID string) error {
	mk := [3]string{"t", saasID, tenantID}
	if err, ok := b.missing[mk]; ok {
		return err
	}
	active, err := b.tx.TenantActive(ctx, saasID, tenantID)
	if err != nil {
		return err
	}
	if !active {
		err := errs.NotFound("tenant %q not found", tenantID)
		b.missing[mk] = err
		return err
	}
	if len(k.active) >= maxKnownTenants {
		k.active = map[string]struct{}{}
	}
	k.active[tenantID] = struct{}{}
	return nil
}

func (b *batchCtx) lookupMeter(ctx context.Context, k *known, saasID, name string) (string, error) {
	mk := [3]string{"m", saasID, name}
	if err, ok := b.missing[mk]; ok {
		return "", err
	}
	m, err := b.tx.MeterByName(ctx, saasID, name)
	if errors.Is(err, errs.ErrNotExist) {
		err := errs.NotFound("metering unit %q not found", name)
		b.missing[mk] = err
		return "", err
	}
	if err != nil {
		return "", err
	}
	k.meters[name] = m.ID
	return m.ID, nil
}

// load reads the entries of a batch and their days' roll-ups in one go.
func (b *batchCtx) load(ctx context.Context, order []*entryState) error {
	if len(order) == 0 {
		return nil
	}
	refs := make([]EntryRef, len(order))
	for i, st := range order {
		refs[i] = EntryRef{Key: st.key, TS: st.ts, Day: st.day}
	}
	got, err := b.tx.ReadEntries(ctx, refs)
	if err != nil {
		return err
	}
	for i, st := range order {
		st.had, st.initial, st.exists, st.value = got[i].OK, got[i].Count, got[i].OK, got[i].Count
		b.days[dayKey{st.key, st.day}] = got[i].Day
	}
	return nil
}
