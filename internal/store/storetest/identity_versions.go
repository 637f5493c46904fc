package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/tenant"
)

// testIdentityInfoVersions: every write that changes what userinfo
// answers for a user moves that user's InfoVersion (the users it reaches,
// and only those), and writes that change no answer move none: a node
// that keeps answers by version can never serve a stale one.
func testIdentityInfoVersions(t *testing.T, db *store.DB) {
	ctx := t.Context()
	st := db.Identity()
	a, b := newSaaS(t, db), newSaaS(t, db)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	w := func(fn func(identity.Tx) error) error { return st.WriteTx(ctx, fn) }
	now := time.Now().UTC().Truncate(time.Microsecond)
	newTenant := func(saasID, name string) tenant.Tenant {
		t.Helper()
		tn := tenant.Tenant{ID: id("tenant"), Name: name, BackOfficeStaffEmail: "ops@" + name + ".example", Attributes: map[string]any{}, CreatedAt: now}
		must(db.Tenants().WriteTx(ctx, func(tx tenant.Tx) error { return tx.InsertTenant(ctx, saasID, tn) }))
		return tn
	}
	type user struct {
		identity.User
		session string
	}
	newUser := func(saasID, email string) user {
		t.Helper()
		u := user{User: identity.User{ID: id("user"), Email: email, Attributes: map[string]any{}, CreatedAt: now}, session: id("session")}
		s := identity.Session{ID: u.session, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		copy(s.RefreshHash[:], s.ID)
		must(w(func(tx identity.Tx) error {
			if err := tx.InsertUser(ctx, saasID, u.User, identity.Password{Hash: "hash"}); err != nil {
				return err
			}
			return tx.InsertSession(ctx, saasID, s)
		}))
		return u
	}
	acme, globex := newTenant(a, "acme"), newTenant(a, "globex")
	ann, bob, carol := newUser(a, "ann@example.com"), newUser(a, "bob@example.com"), newUser(a, "carol@example.com")
	other := newUser(b, "ann@example.com")
	dev := identity.Env{ID: 1, Name: "dev", DisplayName: "Development"}
	must(w(func(tx identity.Tx) error {
		for _, r := range []identity.Role{{Name: "user"}, {Name: "admin"}, {Name: "spare"}} {
			if err := tx.InsertRole(ctx, a, r); err != nil {
				return err
			}
		}
		if err := tx.InsertRole(ctx, b, identity.Role{Name: "user"}); err != nil {
			return err
		}
		if err := tx.InsertEnv(ctx, a, dev); err != nil {
			return err
		}
		for _, m := range []struct {
			tenant tenant.Tenant
			user   user
		}{{acme, ann}, {globex, ann}, {acme, bob}, {globex, carol}} {
			if err := tx.InsertMember(ctx, a, m.tenant.ID, m.user.ID, map[string]any{}, now); err != nil {
				return err
			}
		}
		return tx.GrantRoles(ctx, a, acme.ID, ann.ID, dev.ID, []string{"user"})
	}))
	everyone := []user{ann, bob, carol}
	versions := func() map[string]identity.InfoVersion {
		t.Helper()
		out := map[string]identity.InfoVersion{}
		for _, u := range everyone {
			must(st.ReadTx(ctx, func(tx identity.Tx) error {
				_, v, err := tx.SessionVersion(ctx, a, u.session)
				if errors.Is(err, errs.ErrNotExist) {
					v, err = identity.InfoVersion{SaaS: -1, User: -1}, nil // the session ended: nothing to answer
				}
				out[u.Email] = v
				return err
			}))
		}
		must(st.ReadTx(ctx, func(tx identity.Tx) error {
			_, v, err := tx.SessionVersion(ctx, b, other.session)
			out["other SaaS"] = v
			return err
		}))
		return out
	}
	updateTenant := func(tn *tenant.Tenant, change func(*tenant.Tenant)) func(context.Context) error {
		return func(ctx context.Context) error {
			change(tn)
			return db.Tenants().WriteTx(ctx, func(tx tenant.Tx) error { return tx.UpdateTenant(ctx, a, *tn) })
		}
	}
	inA := func(fn func(identity.Tx) error) func(context.Context) error {
		return func(ctx context.Context) error { return w(fn) }
	}
	all := []string{"ann@example.com", "bob@example.com", "carol@example.com"}
	for _, step := range []struct {
		name  string
		write func(context.Context) error
		moved []string // whose versions change
	}{
		{"a second session", inA(func(tx identity.Tx) error {
			s := identity.Session{ID: id("session"), UserID: ann.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			copy(s.RefreshHash[:], s.ID)
			return tx.InsertSession(ctx, a, s)
		}), nil},
		{"a password", inA(func(tx identity.Tx) error { return tx.SetPassword(ctx, a, bob.ID, identity.Password{Hash: "other"}) }), nil},
		{"a new user", inA(func(tx identity.Tx) error {
			return tx.InsertUser(ctx, a, identity.User{ID: id("user"), Email: "dan@example.com", Attributes: map[string]any{}, CreatedAt: now}, identity.Password{Hash: "h"})
		}), nil},
		{"a new role and env", inA(func(tx identity.Tx) error {
			if err := tx.InsertRole(ctx, a, identity.Role{Name: "viewer"}); err != nil {
				return err
			}
			return tx.InsertEnv(ctx, a, identity.Env{ID: 2, Name: "stg"})
		}), nil},
		{"user attributes", inA(func(tx identity.Tx) error { return tx.SetUserAttributes(ctx, a, ann.ID, map[string]any{"k": "v"}) }), []string{"ann@example.com"}},
		{"the same user attributes", inA(func(tx identity.Tx) error { return tx.SetUserAttributes(ctx, a, ann.ID, map[string]any{"k": "v"}) }), nil},
		{"member attributes", inA(func(tx identity.Tx) error {
			return tx.SetMemberAttributes(ctx, a, acme.ID, bob.ID, map[string]any{"k": 1})
		}), []string{"bob@example.com"}},
		{"a role granted", inA(func(tx identity.Tx) error {
			return tx.GrantRoles(ctx, a, globex.ID, carol.ID, identity.DefaultEnv.ID, []string{"admin"})
		}), []string{"carol@example.com"}},
		{"a role revoked", inA(func(tx identity.Tx) error {
			return tx.RevokeRole(ctx, a, globex.ID, carol.ID, identity.DefaultEnv.ID, "admin")
		}), []string{"carol@example.com"}},
		{"a membership", inA(func(tx identity.Tx) error { return tx.InsertMember(ctx, a, globex.ID, bob.ID, map[string]any{}, now) }), []string{"bob@example.com"}},
		{"a tenant renamed", updateTenant(&acme, func(tn *tenant.Tenant) { tn.Name = "acme 2" }), []string{"ann@example.com", "bob@example.com"}},
		{"a tenant's staff email", updateTenant(&globex, func(tn *tenant.Tenant) { tn.BackOfficeStaffEmail = "new@globex.example" }), all},
		{"a tenant's attributes only", updateTenant(&acme, func(tn *tenant.Tenant) { tn.Attributes = map[string]any{"x": "y"} }), nil},
		{"an env renamed", inA(func(tx identity.Tx) error {
			return tx.UpdateEnv(ctx, a, identity.Env{ID: dev.ID, Name: "dev", DisplayName: "Dev"})
		}), all},
		{"a role's display name", inA(func(tx identity.Tx) error {
			return tx.UpdateRole(ctx, a, identity.Role{Name: "user", DisplayName: "User"})
		}), all},
		{"a role deleted", inA(func(tx identity.Tx) error { return tx.DeleteRole(ctx, a, "spare") }), all},
		{"another SaaS's role", func(ctx context.Context) error {
			return w(func(tx identity.Tx) error {
				return tx.UpdateRole(ctx, b, identity.Role{Name: "user", DisplayName: "U"})
			})
		}, []string{"other SaaS"}},
		{"a membership ended", inA(func(tx identity.Tx) error { return tx.DeleteMember(ctx, a, globex.ID, bob.ID) }), []string{"bob@example.com"}},
		{"a tenant deleted", func(ctx context.Context) error {
			return db.Tenants().WriteTx(ctx, func(tx tenant.Tx) error { return tx.DeleteTenant(ctx, a, globex.ID, now) })
		}, []string{"ann@example.com", "carol@example.com"}},
	} {
		before := versions()
		if err := step.write(ctx); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		after := versions()
		var moved []string
		for k, v := range after {
			if v != before[k] {
				moved = append(moved, k)
			}
		}
		slices.Sort(moved)
		if !slices.Equal(moved, step.moved) {
			t.Errorf("%s: the versions of %v moved, want those of %v", step.name, moved, step.moved)
		}
	}
}
