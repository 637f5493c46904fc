package identity

import (
	"context"
	"time"

	"github.com/saasplane/saasplane/internal/mail"
)

// Store gives the service transactions over the user pools.
type Store interface {
	ReadTx(ctx context.Context, fn func(Tx) error) error
	WriteTx(ctx context.Context, fn func(Tx) error) error
	// ReadStatement runs fn, which must run exactly one statement, outside
	// a transaction (one statement is a consistent snapshot by itself).
	ReadStatement(ctx context.Context, fn func(Tx) error) error
}

// Tx reads and writes one transaction's worth of user-pool rows. Every
// method is scoped to one SaaS.
type Tx interface {
	KeyTx
	UserTx
	MemberTx
}

// KeyTx holds the SaaS, its signing keys, envs and roles.
type KeyTx interface {
	// SaaSExists reports whether the SaaS exists; SaaSName answers its
	// name, or errs.ErrNotExist.
	SaaSExists(ctx context.Context, saasID string) (bool, error)
	SaaSName(ctx context.Context, saasID string) (string, error)
	// Settings returns the SaaS's settings, zero until saved;
	// SaveSettings replaces them.
	Settings(ctx context.Context, saasID string) (Settings, error)
	SaveSettings(ctx context.Context, saasID string, st Settings) error
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
	// DeleteEnv removes an env, with every role held in it, or answers
	// errs.ErrNotExist.
	DeleteEnv(ctx context.Context, saasID string, id uint64) error

	// Roles returns the SaaS's roles in creation order.
	Roles(ctx context.Context, saasID string) ([]Role, error)
	// InsertRole adds a role, or answers errs.ErrDuplicate.
	InsertRole(ctx context.Context, saasID string, r Role) error
	// UpdateRole replaces a role's display name; DeleteRole removes it,
	// from every member who held it. Both answer errs.ErrNotExist for an
	// unknown name.
	UpdateRole(ctx context.Context, saasID string, r Role) error
	DeleteRole(ctx context.Context, saasID, name string) error
}

// UserTx holds the users, their attributes, sessions and temporary codes,
// and the mail sent to them.
type UserTx interface {
	// QueueMail stores a message to a user, sent once the transaction
	// commits (and never if it does not).
	QueueMail(ctx context.Context, m mail.Message) error

	// Users returns the SaaS's users, oldest first; User one of them, or
	// errs.ErrNotExist.
	Users(ctx context.Context, saasID string) ([]User, error)
	User(ctx context.Context, saasID, id string) (User, error)
	// UserByLogin finds the user whose email (emailKey non-empty) or
	// sign-in id has that lower-case key, or answers errs.ErrNotExist;
	// UserCredentials also answers the user's password.
	UserByLogin(ctx context.Context, saasID, emailKey, signInKey string) (User, error)
	UserCredentials(ctx context.Context, saasID, emailKey, signInKey string) (User, Password, error)

	// SetLogin replaces a user's email and sign-in id (one of them "");
	// errs.ErrDuplicate when another user has either, errs.ErrNotExist
	// for an unknown user.
	SetLogin(ctx context.Context, saasID, id, email, signInID string) error
	// EmailChange returns a user's pending email change, or
	// errs.ErrNotExist; SaveEmailChange replaces it, DeleteEmailChange
	// drops it.
	EmailChange(ctx context.Context, saasID, userID string) (EmailChange, error)
	SaveEmailChange(ctx context.Context, saasID, userID string, c EmailChange) error
	DeleteEmailChange(ctx context.Context, saasID, userID string) error

	// MFA returns a user's second factor (zero when none); SaveMFA
	// replaces it.
	MFA(ctx context.Context, saasID, userID string) (MFA, error)
	SaveMFA(ctx context.Context, saasID, userID string, m MFA) error

	// SignInFailures returns the recent failures of a login key (zero when
	// none); SaveSignInFailures replaces them, ClearSignInFailures forgets
	// them; PurgeSignInFailures deletes every SaaS's that ended before now
	// (their window and lock both past) and counts them.
	SignInFailures(ctx context.Context, saasID, key string) (Failures, error)
	SaveSignInFailures(ctx context.Context, saasID, key string, f Failures) error
	ClearSignInFailures(ctx context.Context, saasID, key string) error
	PurgeSignInFailures(ctx context.Context, now time.Time, window time.Duration) (int64, error)
	// InsertUser adds a user with their password: errs.ErrDuplicate when
	// another user of the SaaS has the email or sign-in id, compared
	// without regard to case.
	InsertUser(ctx context.Context, saasID string, u User, p Password) error
	// SetPassword replaces a user's password, SetUserAttributes
	// their SaaS-wide attributes; DeleteUser removes the user with their
	// memberships (their sessions must be gone). All answer
	// errs.ErrNotExist for an unknown user.
	SetPassword(ctx context.Context, saasID, id string, p Password) error
	SetUserAttributes(ctx context.Context, saasID, id string, attrs map[string]any) error
	DeleteUser(ctx context.Context, saasID, id string) error

	// UserAttributes returns the declared user attributes, in creation
	// order; InsertUserAttribute adds one (errs.ErrDuplicate when the name
	// is taken by either kind); DeleteUserAttribute removes one with its
	// values on every user and membership (errs.ErrNotExist when there is
	// none).
	UserAttributes(ctx context.Context, saasID string) ([]UserAttribute, error)
	InsertUserAttribute(ctx context.Context, saasID string, a UserAttribute) error
	DeleteUserAttribute(ctx context.Context, saasID, name string) error

	// InsertSession opens a session; Session and SessionByRefresh find
	// one, or answer errs.ErrNotExist; DeleteSessions ends every session
	// of a user.
	InsertSession(ctx context.Context, saasID string, s Session) error
	Session(ctx context.Context, saasID, id string) (Session, error)
	// SessionUser returns a session with its user in one read, or
	// errs.ErrNotExist; SessionInfo also the user's memberships with
	// their roles (as Members), in one statement: userinfo's read.
	SessionUser(ctx context.Context, saasID, id string) (Session, User, error)
	SessionInfo(ctx context.Context, saasID, id string) (Session, UserInfo, error)
	// SessionVersion returns a session with the InfoVersion of its user's
	// userinfo answer, in one statement (or errs.ErrNotExist).
	SessionVersion(ctx context.Context, saasID, id string) (Session, InfoVersion, error)
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

	// PasswordReset returns the pending reset of a login key, or
	// errs.ErrNotExist; SavePasswordReset replaces it, DeletePasswordReset
	// drops it; PurgeExpiredPasswordResets deletes every SaaS's that
	// expired before now and counts them.
	PasswordReset(ctx context.Context, saasID, key string) (PasswordReset, error)
	SavePasswordReset(ctx context.Context, saasID, key string, r PasswordReset) error
	DeletePasswordReset(ctx context.Context, saasID, key string) error
	PurgeExpiredPasswordResets(ctx context.Context, now time.Time) (int64, error)

	// InsertSRPChallenge stores a started SRP sign-in; TakeSRPChallenge
	// returns it and deletes it in one step (errs.ErrNotExist when there
	// is none); PurgeSRPChallenges deletes the SaaS's that expired before
	// now, PurgeExpiredSRPChallenges every SaaS's, counting them.
	InsertSRPChallenge(ctx context.Context, saasID string, c SRPChallenge) error
	TakeSRPChallenge(ctx context.Context, saasID string, hash SecretHash) (SRPChallenge, error)
	PurgeSRPChallenges(ctx context.Context, saasID string, now time.Time) error
	PurgeExpiredSRPChallenges(ctx context.Context, now time.Time) (int64, error)
}

// MemberTx holds the tenants' memberships and the roles held in them.
type MemberTx interface {
	// Tenant returns a live tenant of the SaaS, or errs.ErrNotExist.
	Tenant(ctx context.Context, saasID, id string) (TenantInfo, error)
	// Members returns the memberships f selects, in membership order,
	// each with its user, tenant and roles.
	Members(ctx context.Context, saasID string, f MemberFilter) ([]Member, error)
	// InsertMember adds a user to a tenant, or answers errs.ErrDuplicate.
	InsertMember(ctx context.Context, saasID, tenantID, userID string, attrs map[string]any, at time.Time) error
	// SetMemberAttributes replaces a member's per-tenant attributes, or
	// answers errs.ErrNotExist.
	SetMemberAttributes(ctx context.Context, saasID, tenantID, userID string, attrs map[string]any) error
	// DeleteMember removes a membership with its roles, and ends the
	// user's sessions when it was their last; errs.ErrNotExist when there
	// is none. Deleting a tenant does the same for each of its members.
	DeleteMember(ctx context.Context, saasID, tenantID, userID string) error
	// GrantRoles gives a member roles in an env, keeping those held
	// already; RevokeRole takes one away, or answers errs.ErrNotExist.
	GrantRoles(ctx context.Context, saasID, tenantID, userID string, envID uint64, roles []string) error
	RevokeRole(ctx context.Context, saasID, tenantID, userID string, envID uint64, role string) error

	// Invitations returns a tenant's invitations, oldest first;
	// Invitation one (of any tenant of the SaaS), or errs.ErrNotExist;
	// InsertInvitation, UpdateInvitation (status and acceptance) and
	// DeleteInvitation (errs.ErrNotExist when there is none) write them.
	Invitations(ctx context.Context, saasID, tenantID string) ([]Invitation, error)
	Invitation(ctx context.Context, saasID, id string) (Invitation, error)
	InsertInvitation(ctx context.Context, saasID string, inv Invitation) error
	UpdateInvitation(ctx context.Context, saasID string, inv Invitation) error
	DeleteInvitation(ctx context.Context, saasID, id string) error
}
