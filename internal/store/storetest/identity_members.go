package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/attribute"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/tenant"
)

// testIdentityMembers: memberships come back with their user, tenant and
// roles (envs by id, roles in creation order) and filter as documented,
// prefixes taken literally; a second membership of the same pair is
// refused; deleting a membership, a tenant, an env, a role, a user or a
// user attribute takes what depends on it, and a user's sessions end
// with their last membership, never before.
func testIdentityMembers(t *testing.T, db *store.DB) {
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
	members := func(saasID string, f identity.MemberFilter) (out []identity.Member) {
		t.Helper()
		must(st.ReadTx(ctx, func(tx identity.Tx) (err error) {
			out, err = tx.Members(ctx, saasID, f)
			return err
		}))
		return out
	}
	pairs := func(ms []identity.Member) (out []string) {
		for _, m := range ms {
			out = append(out, m.Tenant.Name+"/"+m.User.Email)
		}
		return out
	}
	newTenant := func(saasID, name string) string {
		t.Helper()
		tn := tenant.Tenant{ID: id("tenant"), Name: name, BackOfficeStaffEmail: "ops@" + name + ".example", Attributes: map[string]any{}, CreatedAt: time.Unix(1, 0)}
		must(db.Tenants().WriteTx(ctx, func(tx tenant.Tx) error { return tx.InsertTenant(ctx, saasID, tn) }))
		return tn.ID
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	users := map[string]identity.User{}
	for _, email := range []string{"ann@example.com", "a_n%n@example.com", "Bob@example.com"} {
		u := identity.User{ID: id("user"), Email: email, Attributes: map[string]any{}, CreatedAt: now}
		must(w(func(tx identity.Tx) error { return tx.InsertUser(ctx, a, u, identity.Password{Hash: "hash"}) }))
		users[email] = u
	}
	ann, odd, bob := users["ann@example.com"], users["a_n%n@example.com"], users["Bob@example.com"]
	acme, globex := newTenant(a, "acme"), newTenant(a, "globex")
	dev := identity.Env{ID: 1, Name: "dev"}
	must(w(func(tx identity.Tx) error {
		for _, r := range []identity.Role{{Name: "user"}, {Name: "admin"}} {
			if err := tx.InsertRole(ctx, a, r); err != nil {
				return err
			}
		}
		if err := tx.InsertEnv(ctx, a, dev); err != nil {
			return err
		}
		for _, m := range []struct{ tenant, user string }{{acme, ann.ID}, {acme, odd.ID}, {globex, ann.ID}, {acme, bob.ID}} {
			if err := tx.InsertMember(ctx, a, m.tenant, m.user, map[string]any{"n": m.user}, now); err != nil {
				return err
			}
		}
		if err := tx.GrantRoles(ctx, a, acme, ann.ID, identity.DefaultEnv.ID, []string{"admin", "user"}); err != nil {
			return err
		}
		if err := tx.GrantRoles(ctx, a, acme, ann.ID, identity.DefaultEnv.ID, []string{"user"}); err != nil { // held already
			return err
		}
		return tx.GrantRoles(ctx, a, acme, ann.ID, dev.ID, []string{"user"})
	}))
	if err := w(func(tx identity.Tx) error { return tx.InsertMember(ctx, a, acme, ann.ID, nil, now) }); !errors.Is(err, errs.ErrDuplicate) {
		t.Errorf("a second membership of one pair: %v, want ErrDuplicate", err)
	}

	all := members(a, identity.MemberFilter{})
	if got, want := pairs(all), []string{"acme/ann@example.com", "acme/a_n%n@example.com", "globex/ann@example.com", "acme/Bob@example.com"}; !slices.Equal(got, want) {
		t.Fatalf("every membership = %v, want %v in membership order", got, want)
	}
	m := all[0]
	if m.Tenant.BackOfficeStaffEmail != "ops@acme.example" || m.Attributes["n"] != ann.ID || m.User.ID != ann.ID || !m.CreatedAt.Equal(now) {
		t.Errorf("membership = %+v", m)
	}
	wantEnvs := []identity.EnvRoles{{Env: dev, Roles: []identity.Role{{Name: "user"}}},
		{Env: identity.DefaultEnv, Roles: []identity.Role{{Name: "user"}, {Name: "admin"}}}}
	if !equalEnvRoles(m.Envs, wantEnvs) {
		t.Errorf("envs = %+v, want %+v", m.Envs, wantEnvs)
	}
	for name, tc := range map[string]struct {
		f    identity.MemberFilter
		want []string
	}{
		"tenant":              {identity.MemberFilter{TenantID: globex}, []string{"globex/ann@example.com"}},
		"user":                {identity.MemberFilter{UserID: ann.ID}, []string{"acme/ann@example.com", "globex/ann@example.com"}},
		"email prefix":        {identity.MemberFilter{EmailPrefix: "bo"}, []string{"acme/Bob@example.com"}},
		"'_' is itself":       {identity.MemberFilter{EmailPrefix: "a_"}, []string{"acme/a_n%n@example.com"}},
		"'%' is itself":       {identity.MemberFilter{EmailPrefix: "a%"}, nil},
		"env":                 {identity.MemberFilter{EnvID: dev.ID}, []string{"acme/ann@example.com"}},
		"role in env":         {identity.MemberFilter{EnvID: dev.ID, RoleName: "admin"}, nil},
		"role":                {identity.MemberFilter{RoleName: "admin"}, []string{"acme/ann@example.com"}},
		"after and limit":     {identity.MemberFilter{AfterSeq: all[0].Seq, Limit: 2}, []string{"acme/a_n%n@example.com", "globex/ann@example.com"}},
		"another SaaS's none": {identity.MemberFilter{TenantID: acme, UserID: "x"}, nil},
	} {
		if got := pairs(members(a, tc.f)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", name, got, tc.want)
		}
	}
	if got := members(b, identity.MemberFilter{}); len(got) != 0 {
		t.Errorf("another SaaS sees %v", pairs(got))
	}

	// Sessions end with the last membership only.
	session := func(u identity.User) identity.Session {
		s := identity.Session{ID: id("session"), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		copy(s.RefreshHash[:], s.ID)
		must(w(func(tx identity.Tx) error { return tx.InsertSession(ctx, a, s) }))
		return s
	}
	live := func(s identity.Session) bool {
		err := st.ReadTx(ctx, func(tx identity.Tx) error { _, err := tx.Session(ctx, a, s.ID); return err })
		if err != nil && !errors.Is(err, errs.ErrNotExist) {
			t.Fatal(err)
		}
		return err == nil
	}
	annS, oddS, bobS := session(ann), session(odd), session(bob)
	must(w(func(tx identity.Tx) error { return tx.DeleteMember(ctx, a, globex, ann.ID) }))
	if !live(annS) {
		t.Error("leaving one of two tenants ended the session")
	}
	if err := w(func(tx identity.Tx) error { return tx.DeleteMember(ctx, a, globex, ann.ID) }); !errors.Is(err, errs.ErrNotExist) {
		t.Errorf("deleting a membership twice: %v, want ErrNotExist", err)
	}
	must(w(func(tx identity.Tx) error { return tx.DeleteMember(ctx, a, acme, odd.ID) }))
	if live(oddS) {
		t.Error("leaving the last tenant kept the session")
	}
	must(w(func(tx identity.Tx) error { return tx.InsertMember(ctx, a, globex, bob.ID, nil, now) }))
	must(db.Tenants().WriteTx(ctx, func(tx tenant.Tx) error { return tx.DeleteTenant(ctx, a, acme, now) }))
	if live(annS) || !live(bobS) {
		t.Errorf("after deleting acme: ann's session live %v (want false), bob's %v (want true)", live(annS), live(bobS))
	}
	if got := pairs(members(a, identity.MemberFilter{})); !slices.Equal(got, []string{"globex/Bob@example.com"}) {
		t.Errorf("memberships after deleting acme = %v", got)
	}

	// Env, role, user attribute and user deletions cascade.
	must(w(func(tx identity.Tx) error {
		if err := tx.GrantRoles(ctx, a, globex, bob.ID, dev.ID, []string{"user", "admin"}); err != nil {
			return err
		}
		if err := tx.GrantRoles(ctx, a, globex, bob.ID, identity.DefaultEnv.ID, []string{"user"}); err != nil {
			return err
		}
		if err := tx.DeleteEnv(ctx, a, dev.ID); err != nil {
			return err
		}
		return tx.DeleteRole(ctx, a, "user")
	}))
	if got := members(a, identity.MemberFilter{})[0].Envs; len(got) != 0 {
		t.Errorf("bob's envs after deleting env dev and role user = %+v, want none", got)
	}
	must(w(func(tx identity.Tx) error {
		for _, attr := range []identity.UserAttribute{{Decl: attribute.Decl{Name: "n", Type: attribute.String}}, {Decl: attribute.Decl{Name: "vip", Type: attribute.Bool}, SaaSWide: true}} {
			if err := tx.InsertUserAttribute(ctx, a, attr); err != nil {
				return err
			}
		}
		if err := tx.SetUserAttributes(ctx, a, bob.ID, map[string]any{"vip": true, "keep": "x"}); err != nil {
			return err
		}
		if err := tx.DeleteUserAttribute(ctx, a, "n"); err != nil {
			return err
		}
		return tx.DeleteUserAttribute(ctx, a, "vip")
	}))
	if err := w(func(tx identity.Tx) error {
		return tx.InsertUserAttribute(ctx, a, identity.UserAttribute{Decl: attribute.Decl{Name: "keep", Type: attribute.String}, SaaSWide: true})
	}); err != nil {
		t.Fatal(err)
	}
	if err := w(func(tx identity.Tx) error {
		return tx.InsertUserAttribute(ctx, a, identity.UserAttribute{Decl: attribute.Decl{Name: "keep", Type: attribute.String}})
	}); !errors.Is(err, errs.ErrDuplicate) {
		t.Errorf("a name of the other kind: %v, want ErrDuplicate", err)
	}
	got := members(a, identity.MemberFilter{})[0]
	if len(got.Attributes) != 0 || len(got.User.Attributes) != 1 || got.User.Attributes["keep"] != "x" {
		t.Errorf("after deleting attributes n and vip: member %v, user %v", got.Attributes, got.User.Attributes)
	}
	must(w(func(tx identity.Tx) error {
		if err := tx.DeleteSessions(ctx, a, bob.ID); err != nil {
			return err
		}
		return tx.DeleteUser(ctx, a, bob.ID)
	}))
	if got := members(a, identity.MemberFilter{}); len(got) != 0 {
		t.Errorf("memberships after deleting the user = %v", pairs(got))
	}
}

func equalEnvRoles(a, b []identity.EnvRoles) bool {
	return slices.EqualFunc(a, b, func(x, y identity.EnvRoles) bool { return x.Env == y.Env && slices.Equal(x.Roles, y.Roles) })
}
