package identity_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/store/storetest"
	"github.com/saasplane/saasplane/internal/tenant"
)

// TestUserInfoIsNeverStale: a node that has answered userinfo for a user
// answers the change at once when another node (sharing only the
// database) changes what the answer holds, whatever the change, and
// refuses the token at once when the session ends.
func TestUserInfoIsNeverStale(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			c := apitest.NewClock(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
			reader, writer := newNode(t, db, c), newNode(t, db, c)
			const a = "5d6e7f80-9102-4b3c-8d4e-5f60718293a4"
			newSaaS(t, db, a)
			acme := tenant.Tenant{ID: "acme", Name: "Acme", BackOfficeStaffEmail: "ops@acme.example", Attributes: map[string]any{}, CreatedAt: c.Now()}
			if err := db.Tenants().WriteTx(ctx, func(tx tenant.Tx) error { return tx.InsertTenant(ctx, a, acme) }); err != nil {
				t.Fatal(err)
			}
			ann, _, err := writer.CreateUser(ctx, a, identity.NewUser{Email: "ann@example.com", Password: ptr("Sup3r-secret")})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := writer.StartSession(ctx, a, ann.ID)
			if err != nil {
				t.Fatal(err)
			}
			// describe is what a userinfo answer says, in one line per tenant.
			describe := func() []string {
				t.Helper()
				info, err := reader.UserInfoOfToken(ctx, a, tok.IDToken)
				if err != nil {
					t.Fatal(err)
				}
				out := []string{info.User.Email + " " + attrs(info.User.Attributes)}
				for _, m := range info.Tenants {
					line := m.Tenant.Name + " " + m.Tenant.BackOfficeStaffEmail + " " + m.Tenant.PlanID + " " + attrs(m.Attributes)
					for _, e := range m.Envs {
						for _, r := range e.Roles {
							line += " " + e.Env.DisplayName + ":" + r.Name + "/" + r.DisplayName
						}
					}
					out = append(out, line)
				}
				return out
			}
			if got := describe(); !slices.Equal(got, []string{"ann@example.com {}"}) {
				t.Fatalf("first answer = %q", got)
			}
			steps := []struct {
				name   string
				change func() error
				want   []string
			}{
				{"joins a tenant", func() error {
					_, err := writer.AddMember(ctx, a, "acme", identity.NewMember{Email: "ann@example.com", Attributes: map[string]any{}})
					return err
				}, []string{"ann@example.com {}", "Acme ops@acme.example  {}"}},
				{"gets a role", func() error {
					if err := writer.CreateRole(ctx, a, identity.Role{Name: "admin", DisplayName: "Admin"}); err != nil {
						return err
					}
					return writer.GrantRoles(ctx, a, "acme", ann.ID, identity.DefaultEnv.ID, []string{"admin"})
				}, []string{"ann@example.com {}", "Acme ops@acme.example  {} Production:admin/Admin"}},
				{"the role is renamed", func() error { return writer.UpdateRole(ctx, a, identity.Role{Name: "admin", DisplayName: "Owner"}) },
					[]string{"ann@example.com {}", "Acme ops@acme.example  {} Production:admin/Owner"}},
				{"the env is renamed", func() error {
					return writer.UpdateEnv(ctx, a, identity.Env{ID: identity.DefaultEnv.ID, Name: "prod", DisplayName: "Live"})
				},
					[]string{"ann@example.com {}", "Acme ops@acme.example  {} Live:admin/Owner"}},
				{"the tenant is renamed", func() error {
					acme.Name = "Acme Corp"
					return db.Tenants().WriteTx(ctx, func(tx tenant.Tx) error { return tx.UpdateTenant(ctx, a, acme) })
				}, []string{"ann@example.com {}", "Acme Corp ops@acme.example  {} Live:admin/Owner"}},
				{"the role is revoked", func() error { return writer.RevokeRole(ctx, a, "acme", ann.ID, identity.DefaultEnv.ID, "admin") },
					[]string{"ann@example.com {}", "Acme Corp ops@acme.example  {}"}},
			}
			for _, st := range steps {
				describe() // the reader holds the answer before the change
				if err := st.change(); err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
				if got := describe(); !slices.Equal(got, st.want) {
					t.Errorf("after %q the reader answers %q, want %q", st.name, got, st.want)
				}
			}
			if err := writer.RemoveMember(ctx, a, "acme", ann.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := reader.UserInfoOfToken(ctx, a, tok.IDToken); err == nil {
				t.Error("after the last membership ended the reader still answers the token")
			}
		})
	}
}

func attrs(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := "{"
	for i, k := range keys {
		if i > 0 {
			out += ","
		}
		out += k
	}
	return out + "}"
}
