package identity

import (
	"context"
	"time"
)

// Store gives the service transactions over the user pools.
type Store interface {
	ReadTx(ctx context.Context, fn func(Tx) error) error
	WriteTx(ctx context.Context, fn func(Tx) error) error
}

// Tx reads and writes one transaction's worth of user-pool rows. Every
// method is scoped to one SaaS.
type Tx interface {
	// SaaSExists reports whether the SaaS exists.
	SaaSExists(ctx context.Context, saasID string) (bool, error)
	// SigningKeys returns every stored signing key of the SaaS, in no
	// particular order.
	SigningKeys(ctx context.Context, saasID string) ([]SigningKey, error)
	// InsertSigningKey stores a new key of the SaaS.
	InsertSigningKey(ctx context.Context, saasID string, k SigningKey) error
	// DeleteSigningKeys removes the SaaS's keys with those ids; unknown
	// ids are ignored.
	DeleteSigningKeys(ctx context.Context, saasID string, ids []string) error

	// Envs returns the SaaS's envs by id; Env one of them, or
	// errs.ErrNotExist.
	Envs(ctx context.Context, saasID string) ([]Env, error)
	Env(ctx context.Context, saasID string, id uint64) (Env, error)
	// InsertEnv adds an env: ErrEnvIDTaken when its id exists,
	// errs.ErrDuplicate when its name does.
	InsertEnv(ctx context.Context, saasID string, e Env) error
	// UpdateEnv replaces an env's name and display name: errs.ErrNotExist
	// when there is no env of that id, errs.ErrDuplicate when another env
	// has the name.
	UpdateEnv(ctx context.Context, saasID string, e Env) error
	// DeleteEnv removes an env, or answers errs.ErrNotExist.
	DeleteEnv(ctx context.Context, saasID string, id uint64) error

	// Roles returns the SaaS's roles in creation order.
	Roles(ctx context.Context, saasID string) ([]Role, error)
	// InsertRole adds a role, or answers errs.ErrDuplicate.
	InsertRole(ctx context.Context, saasID string, r Role) error
	// UpdateRole replaces a role's display name; DeleteRole removes it.
	// Both answer errs.ErrNotExist for an unknown name.
	UpdateRole(ctx context.Context, saasID string, r Role) error
	DeleteRole(ctx context.Context, saasID, name string) error

	// Users returns the SaaS's users, oldest first; User one of them, or
	// errs.ErrNotExist.
	Users(ctx context.Context, saasID string) ([]User, error)
	User(ctx context.Context, saasID, id string) (User, error)
	// InsertUser adds a user with its password hash: errs.ErrDuplicate
	// when another user of the SaaS has the email or sign-in id, compared
	// without regard to case.
	InsertUser(ctx context.Context, saasID string, u User, passwordHash string) error
	// SetPasswordHash replaces a user's password hash; DeleteUser removes
	// the user (its sessions must be gone). Both answer errs.ErrNotExist
	// for an unknown user.
	SetPasswordHash(ctx context.Context, saasID, id, hash string) error
	DeleteUser(ctx context.Context, saasID, id string) error

	// InsertSession opens a session; Session and SessionByRefresh find
	// one, or answer errs.ErrNotExist; DeleteSessions ends every session
	// of a user.
	InsertSession(ctx context.Context, saasID string, s Session) error
	Session(ctx context.Context, saasID, id string) (Session, error)
	SessionByRefresh(ctx context.Context, saasID string, hash SecretHash) (Session, error)
	DeleteSessions(ctx context.Context, saasID, userID string) error

	// InsertTempCode stores a token set under a code's hash;
	// TakeTempCode returns it and deletes it in one step (errs.ErrNotExist
	// when there is none); PurgeTempCodes deletes the SaaS's codes that
	// expired before now.
	InsertTempCode(ctx context.Context, saasID string, c TempCode) error
	TakeTempCode(ctx context.Context, saasID string, hash SecretHash) (TempCode, error)
	PurgeTempCodes(ctx context.Context, saasID string, now time.Time) error
	// PurgeExpiredTempCodes deletes every SaaS's codes that expired
	// before now and counts them.
	PurgeExpiredTempCodes(ctx context.Context, now time.Time) (int64, error)
}
