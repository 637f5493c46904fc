package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/store"
)

// testIdentityEnvsAndRoles: a SaaS starts with its production env; envs
// list by id and roles in creation order; a taken env id, env name or
// role name is refused as such; updates and deletes of unknown rows say
// so; and each SaaS sees only its own.
func testIdentityEnvsAndRoles(t *testing.T, db *store.DB) {
	ctx := t.Context()
	st := db.Identity()
	a, b := newSaaS(t, db), newSaaS(t, db)
	w := func(fn func(identity.Tx) error) error { return st.WriteTx(ctx, fn) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	envs := func(saasID string) (out []identity.Env) {
		t.Helper()
		must(st.ReadTx(ctx, func(tx identity.Tx) error {
			var err error
			out, err = tx.Envs(ctx, saasID)
			return err
		}))
		return out
	}
	if got := envs(a); !slices.Equal(got, []identity.Env{identity.DefaultEnv}) {
		t.Fatalf("a new SaaS's envs = %v, want its production env", got)
	}
	dev := identity.Env{ID: 1, Name: "dev", DisplayName: "開発"}
	stg := identity.Env{ID: 2, Name: "stg", DisplayName: ""}
	must(w(func(tx identity.Tx) error {
		if err := tx.InsertEnv(ctx, a, stg); err != nil {
			return err
		}
		return tx.InsertEnv(ctx, a, dev)
	}))
	if got := envs(a); !slices.Equal(got, []identity.Env{dev, stg, identity.DefaultEnv}) {
		t.Errorf("envs = %v, want by id", got)
	}
	if err := w(func(tx identity.Tx) error { return tx.InsertEnv(ctx, a, identity.Env{ID: 1, Name: "other"}) }); !errors.Is(err, identity.ErrEnvIDTaken) {
		t.Errorf("a taken id: %v, want ErrEnvIDTaken", err)
	}
	if err := w(func(tx identity.Tx) error { return tx.InsertEnv(ctx, a, identity.Env{ID: 9, Name: "dev"}) }); !errors.Is(err, errs.ErrDuplicate) {
		t.Errorf("a taken name: %v, want ErrDuplicate", err)
	}
	must(w(func(tx identity.Tx) error { return tx.InsertEnv(ctx, b, dev) })) // ids and names are per SaaS
	if err := w(func(tx identity.Tx) error { return tx.UpdateEnv(ctx, a, identity.Env{ID: 2, Name: "dev"}) }); !errors.Is(err, errs.ErrDuplicate) {
		t.Errorf("renaming to a taken name: %v, want ErrDuplicate", err)
	}
	renamed := identity.Env{ID: 2, Name: "staging", DisplayName: "Staging"}
	must(w(func(tx identity.Tx) error { return tx.UpdateEnv(ctx, a, renamed) }))
	must(st.ReadTx(ctx, func(tx identity.Tx) error {
		if got, err := tx.Env(ctx, a, 2); err != nil || got != renamed {
			t.Errorf("Env(2) = %v, %v; want %v", got, err, renamed)
		}
		if _, err := tx.Env(ctx, a, 7); !errors.Is(err, errs.ErrNotExist) {
			t.Errorf("Env(unknown) = %v", err)
		}
		return nil
	}))
	for name, fn := range map[string]func(identity.Tx) error{
		"update":         func(tx identity.Tx) error { return tx.UpdateEnv(ctx, a, identity.Env{ID: 7, Name: "x"}) },
		"delete":         func(tx identity.Tx) error { return tx.DeleteEnv(ctx, a, 7) },
		"update role":    func(tx identity.Tx) error { return tx.UpdateRole(ctx, a, identity.Role{Name: "nobody"}) },
		"delete role":    func(tx identity.Tx) error { return tx.DeleteRole(ctx, a, "nobody") },
		"other's delete": func(tx identity.Tx) error { return tx.DeleteEnv(ctx, b, 2) },
	} {
		if err := w(fn); !errors.Is(err, errs.ErrNotExist) {
			t.Errorf("%s of an unknown row: %v, want ErrNotExist", name, err)
		}
	}
	must(w(func(tx identity.Tx) error { return tx.DeleteEnv(ctx, a, 1) }))
	if got := envs(a); !slices.Equal(got, []identity.Env{renamed, identity.DefaultEnv}) {
		t.Errorf("after deleting env 1: %v", got)
	}
	if got := envs(b); !slices.Equal(got, []identity.Env{dev, identity.DefaultEnv}) {
		t.Errorf("SaaS b's envs = %v", got)
	}

	roles := func(saasID string) (out []identity.Role) {
		t.Helper()
		must(st.ReadTx(ctx, func(tx identity.Tx) error {
			var err error
			out, err = tx.Roles(ctx, saasID)
			return err
		}))
		return out
	}
	admin, user, viewer := identity.Role{Name: "admin", DisplayName: "管理者"}, identity.Role{Name: "user"}, identity.Role{Name: "viewer", DisplayName: "V"}
	must(w(func(tx identity.Tx) error {
		for _, r := range []identity.Role{user, admin, viewer} {
			if err := tx.InsertRole(ctx, a, r); err != nil {
				return err
			}
		}
		return tx.InsertRole(ctx, b, admin)
	}))
	if err := w(func(tx identity.Tx) error { return tx.InsertRole(ctx, a, admin) }); !errors.Is(err, errs.ErrDuplicate) {
		t.Errorf("a taken role name: %v, want ErrDuplicate", err)
	}
	admin.DisplayName = "Administrator"
	must(w(func(tx identity.Tx) error { return tx.UpdateRole(ctx, a, admin) }))
	must(w(func(tx identity.Tx) error { return tx.DeleteRole(ctx, a, "user") }))
	if got := roles(a); !slices.Equal(got, []identity.Role{admin, viewer}) {
		t.Errorf("roles = %v, want creation order after the update and delete", got)
	}
	if got := roles(b); len(got) != 1 || got[0].DisplayName != "管理者" {
		t.Errorf("SaaS b's roles = %v, want its own, untouched", got)
	}
}
