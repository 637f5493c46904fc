package identity

import (
	"context"
	"errors"
	"regexp"

	"github.com/saasplane/saasplane/internal/errs"
)

// Env is one environment of a SaaS (development, staging, production...):
// a user holds roles per tenant and per env. Its id is chosen by the SaaS.
type Env struct {
	ID          uint64
	Name        string
	DisplayName string
}

// Role is a role a user can hold in a tenant's env.
type Role struct {
	Name        string
	DisplayName string
}

// DefaultEnv is the env every SaaS has from its creation, and which cannot
// be deleted: upstream's env 3, the production one. It can be renamed.
var DefaultEnv = Env{ID: 3, Name: "prod", DisplayName: "Production"}

// Limits of env and role fields.
const (
	// MaxEnvID keeps env ids exact in every JSON client (2^53 - 1).
	MaxEnvID       = 1<<53 - 1
	MaxNameLen     = 100
	MaxDisplayName = 255
)

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

func checkName(fe *errs.FieldErrors, field, v string) {
	if len(v) > MaxNameLen || !identifier.MatchString(v) {
		fe.Add(field, "must be 1 to %d letters, digits, '_' or '-', starting with a letter or '_'", MaxNameLen)
	}
}

// Validate checks an env as created or replaced.
func (e Env) Validate() error {
	var fe errs.FieldErrors
	if e.ID < 1 || e.ID > MaxEnvID {
		fe.Add("id", "must be an integer from 1 to %d", uint64(MaxEnvID))
	}
	checkName(&fe, "name", e.Name)
	fe.Text("display_name", e.DisplayName, MaxDisplayName, false)
	return fe.Err()
}

// Validate checks a role as created.
func (r Role) Validate() error {
	var fe errs.FieldErrors
	checkName(&fe, "role_name", r.Name)
	fe.Text("display_name", r.DisplayName, MaxDisplayName, false)
	return fe.Err()
}

// ListEnvs returns the SaaS's envs, by id.
func (s *Service) ListEnvs(ctx context.Context, saasID string) (envs []Env, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		envs, err = tx.Envs(ctx, saasID)
		return err
	})
	return envs, err
}

// Env returns one env of the SaaS.
func (s *Service) Env(ctx context.Context, saasID string, id uint64) (env Env, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		env, err = tx.Env(ctx, saasID, id)
		return err
	})
	return env, envNotFound(err, id)
}

// CreateEnv adds an env with the id it names.
func (s *Service) CreateEnv(ctx context.Context, saasID string, e Env) error {
	if err := e.Validate(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error { return envDuplicate(tx.InsertEnv(ctx, saasID, e), e) })
}

// UpdateEnv replaces the name and display name of an env.
func (s *Service) UpdateEnv(ctx context.Context, saasID string, e Env) error {
	if err := e.Validate(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		return envNotFound(envDuplicate(tx.UpdateEnv(ctx, saasID, e), e), e.ID)
	})
}

// DeleteEnv removes an env; DefaultEnv cannot be removed.
func (s *Service) DeleteEnv(ctx context.Context, saasID string, id uint64) error {
	if id == DefaultEnv.ID {
		return errs.Invalid("env %d is the production env and cannot be deleted", id).WithType("default_env")
	}
	return s.store.WriteTx(ctx, func(tx Tx) error { return envNotFound(tx.DeleteEnv(ctx, saasID, id), id) })
}

func envNotFound(err error, id uint64) error {
	if errors.Is(err, errs.ErrNotExist) {
		return errs.NotFound("env %d not found", id)
	}
	return err
}

// envDuplicate tells which of an env's unique fields is taken: its id on
// insert, else its name.
func envDuplicate(err error, e Env) error {
	if errors.Is(err, ErrEnvIDTaken) {
		return errs.Taken("duplicate_id", "id", "an env with id %d already exists", e.ID)
	}
	return errs.DuplicateName(err, "name", "env", e.Name)
}

// ErrEnvIDTaken is what Tx.InsertEnv answers when the id exists (a taken
// name is errs.ErrDuplicate).
var ErrEnvIDTaken = errors.New("identity: env id taken")

// ListRoles returns the SaaS's roles, in creation order.
func (s *Service) ListRoles(ctx context.Context, saasID string) (roles []Role, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		roles, err = tx.Roles(ctx, saasID)
		return err
	})
	return roles, err
}

// CreateRole adds a role.
func (s *Service) CreateRole(ctx context.Context, saasID string, r Role) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		return errs.DuplicateName(tx.InsertRole(ctx, saasID, r), "role_name", "role", r.Name)
	})
}

// UpdateRole replaces a role's display name.
func (s *Service) UpdateRole(ctx context.Context, saasID string, r Role) error {
	var fe errs.FieldErrors
	fe.Text("display_name", r.DisplayName, MaxDisplayName, false)
	if err := fe.Err(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error { return roleNotFound(tx.UpdateRole(ctx, saasID, r), r.Name) })
}

// DeleteRole removes a role.
func (s *Service) DeleteRole(ctx context.Context, saasID, name string) error {
	return s.store.WriteTx(ctx, func(tx Tx) error { return roleNotFound(tx.DeleteRole(ctx, saasID, name), name) })
}

func roleNotFound(err error, name string) error {
	if errors.Is(err, errs.ErrNotExist) {
		return errs.NotFound("role %q not found", name)
	}
	return err
}
