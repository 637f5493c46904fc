package identity

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// An invitation asks someone, by email, to join a tenant with given roles
// per env. A member of the tenant makes it with their access token; the
// invitation URL is mailed to the invited address, and leads to the
// hosted acceptance page. Accepting makes the person a member (and, for a
// new address, a user with the password they choose) in one transaction.

// InvitationTTL is how long an invitation can be accepted.
const InvitationTTL = 7 * 24 * time.Hour

// Invitation statuses.
const (
	InvitationPending  = "pending"
	InvitationAccepted = "accepted"
	InvitationExpired  = "expired" // a pending one past its time; never stored
)

// InvitedEnv is an env and the roles the invited user gets in it.
type InvitedEnv struct {
	ID        uint64   `json:"id"`
	RoleNames []string `json:"role_names"`
}

// Invitation is one invitation to a tenant.
type Invitation struct {
	ID, TenantID, Email string
	Envs                []InvitedEnv
	InviterID           string
	CreatedAt           time.Time
	ExpiresAt           time.Time
	Status              string // pending or accepted, as stored
	AcceptedAt          time.Time
}

// StatusAt is the invitation's status at now: expired once a pending one
// is past its time.
func (i Invitation) StatusAt(now time.Time) string {
	if i.Status == InvitationPending && !now.Before(i.ExpiresAt) {
		return InvitationExpired
	}
	return i.Status
}

// NewInvitation is an invitation to make.
type NewInvitation struct {
	Email       string
	AccessToken string // of the inviting member
	Envs        []InvitedEnv
}

// TypeInvalidInvitation is the error type of an invitation that cannot be
// accepted: accepted already, expired, or of a deleted tenant.
const TypeInvalidInvitation = "invalid_invitation"

// InvitationURL is where an invitation is accepted: the hosted page.
func (s *Service) InvitationURL(saasID, id string) string {
	return s.Issuer(saasID) + "/invitations/" + id
}

// Invite makes an invitation to the tenant and mails its URL.
func (s *Service) Invite(ctx context.Context, saasID, tenantID string, in NewInvitation) (Invitation, error) {
	var fe errs.FieldErrors
	fe.Email("email", in.Email, MaxEmailLen)
	if len(in.Envs) > 100 {
		fe.Add("envs", "must list at most 100 envs")
	}
	if err := fe.Err(); err != nil {
		return Invitation{}, err
	}
	inviter, err := s.UserOfToken(ctx, saasID, in.AccessToken, UseAccess)
	if err != nil {
		return Invitation{}, err
	}
	now := s.cfg.Now()
	inv := Invitation{ID: s.cfg.NewID(), TenantID: tenantID, Email: in.Email, Envs: in.Envs, InviterID: inviter.ID,
		CreatedAt: now, ExpiresAt: now.Add(InvitationTTL), Status: InvitationPending}
	if inv.Envs == nil {
		inv.Envs = []InvitedEnv{}
	}
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		t, err := liveTenant(ctx, tx, saasID, tenantID)
		if err != nil {
			return err
		}
		if ms, err := tx.Members(ctx, saasID, MemberFilter{TenantID: tenantID, UserID: inviter.ID}); err != nil || len(ms) == 0 {
			if err != nil {
				return err
			}
			return errs.Taken("not_a_member", "access_token", "the inviting user does not belong to tenant %s", tenantID)
		}
		if err := checkInvitedEnvs(ctx, tx, saasID, inv.Envs); err != nil {
			return err
		}
		if u, err := tx.UserByLogin(ctx, saasID, userKey(in.Email), ""); err == nil {
			ms, err := tx.Members(ctx, saasID, MemberFilter{TenantID: tenantID, UserID: u.ID})
			if err != nil {
				return err
			}
			if len(ms) > 0 {
				return errs.Taken("duplicate_member", "email", "the user with email %q belongs to tenant %s already", in.Email, tenantID)
			}
		} else if !errors.Is(err, errs.ErrNotExist) {
			return err
		}
		if err := tx.InsertInvitation(ctx, saasID, inv); err != nil {
			return err
		}
		return s.queueInvitation(ctx, tx, saasID, t, inv)
	})
	return inv, err
}

func checkInvitedEnvs(ctx context.Context, tx Tx, saasID string, envs []InvitedEnv) error {
	known, err := tx.Roles(ctx, saasID)
	if err != nil {
		return err
	}
	roles := map[string]bool{}
	for _, r := range known {
		roles[r.Name] = true
	}
	var fe errs.FieldErrors
	for i, e := range envs {
		f := "envs[" + strconv.Itoa(i) + "]"
		if _, err := tx.Env(ctx, saasID, e.ID); errors.Is(err, errs.ErrNotExist) {
			fe.Add(f+".id", "env %d does not exist", e.ID)
		} else if err != nil {
			return err
		}
		for j, r := range e.RoleNames {
			if !roles[r] {
				fe.Add(f+".role_names["+strconv.Itoa(j)+"]", "role %q does not exist", r)
			}
		}
	}
	return fe.Err()
}

func (s *Service) queueInvitation(ctx context.Context, tx Tx, saasID string, t TenantInfo, inv Invitation) error {
	return s.queueTemplate(ctx, tx, saasID, TemplateInvite, inv.Email, PurposeInvitation, map[string]string{
		"####": s.InvitationURL(saasID, inv.ID), "tenant": t.Name, "until": inv.ExpiresAt.UTC().Format(untilLayout)})
}

// Invitations returns the tenant's invitations, oldest first, each with
// its status now (expired when past its time).
func (s *Service) Invitations(ctx context.Context, saasID, tenantID string) (is []Invitation, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		if _, err := liveTenant(ctx, tx, saasID, tenantID); err != nil {
			return err
		}
		is, err = tx.Invitations(ctx, saasID, tenantID)
		return err
	})
	now := s.cfg.Now()
	for i := range is {
		is[i].Status = is[i].StatusAt(now)
	}
	return is, err
}

// TenantInvitation returns one invitation of the tenant.
func (s *Service) TenantInvitation(ctx context.Context, saasID, tenantID, id string) (inv Invitation, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		inv, err = tx.Invitation(ctx, saasID, id)
		if err == nil && inv.TenantID != tenantID {
			err = errs.ErrNotExist
		}
		return err
	})
	inv.Status = inv.StatusAt(s.cfg.Now())
	return inv, invitationNotFound(err, id)
}

// DeleteInvitation removes one invitation of the tenant.
func (s *Service) DeleteInvitation(ctx context.Context, saasID, tenantID, id string) error {
	return invitationNotFound(s.store.WriteTx(ctx, func(tx Tx) error {
		inv, err := tx.Invitation(ctx, saasID, id)
		if err == nil && inv.TenantID != tenantID {
			err = errs.ErrNotExist
		}
		if err != nil {
			return err
		}
		return tx.DeleteInvitation(ctx, saasID, id)
	}), id)
}

// InvitationValid reports whether an invitation can be accepted now.
func (s *Service) InvitationValid(ctx context.Context, saasID, id string) (bool, error) {
	var inv Invitation
	var live bool
	err := s.store.ReadTx(ctx, func(tx Tx) (err error) {
		if inv, err = tx.Invitation(ctx, saasID, id); err != nil {
			return err
		}
		_, terr := tx.Tenant(ctx, saasID, inv.TenantID)
		live = terr == nil
		return nil
	})
	if err != nil {
		return false, invitationNotFound(err, id)
	}
	return live && inv.StatusAt(s.cfg.Now()) == InvitationPending, nil
}

// Acceptance is how an invitation is accepted: by a signed-in user whose
// email is the invited one (AccessToken), or, for an address that is not
// a user yet, by choosing a password (Email and Password).
type Acceptance struct {
	AccessToken     string
	Email, Password string
}

// AcceptInvitation makes the invited person a member of the tenant, with
// the invitation's roles, creating the user first for a new address, all
// in one transaction, and returns the member's user id.
func (s *Service) AcceptInvitation(ctx context.Context, saasID, id string, a Acceptance) (string, error) {
	pol, err := s.passwordPolicy(ctx, saasID)
	if err != nil {
		return "", err
	}
	var fe errs.FieldErrors
	switch {
	case a.AccessToken == "" && (a.Email == "" || a.Password == ""):
		fe.Add("access_token", "is required for an existing user (or email and password for a new one)")
	case a.AccessToken == "":
		pol.check(&fe, "password", a.Password)
	}
	if err := fe.Err(); err != nil {
		return "", err
	}
	var existing User
	if a.AccessToken != "" {
		u, err := s.UserOfToken(ctx, saasID, a.AccessToken, UseAccess)
		if err != nil {
			return "", err
		}
		existing = u
	}
	var p Password
	newID := s.cfg.NewID()
	if a.AccessToken == "" {
		if p, err = s.newPassword(saasID, newID, a.Password, 0); err != nil {
			return "", err
		}
	}
	now := s.cfg.Now()
	var userID string
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		inv, err := tx.Invitation(ctx, saasID, id)
		if err != nil {
			return err
		}
		if st := inv.StatusAt(now); st != InvitationPending {
			return errs.Invalid("the invitation is %s", st).WithType(TypeInvalidInvitation)
		}
		if _, err := tx.Tenant(ctx, saasID, inv.TenantID); errors.Is(err, errs.ErrNotExist) {
			return errs.Invalid("the invitation's tenant was deleted").WithType(TypeInvalidInvitation)
		} else if err != nil {
			return err
		}
		switch {
		case existing.ID != "":
			if userKey(existing.Email) != userKey(inv.Email) {
				return errs.Taken(TypeInvalidInvitation, "access_token", "the invitation is for another email address")
			}
			userID = existing.ID
		default:
			if userKey(a.Email) != userKey(inv.Email) {
				return errs.Taken(TypeInvalidInvitation, "email", "the invitation is for another email address")
			}
			u := User{ID: newID, Email: inv.Email, Attributes: map[string]any{}, CreatedAt: now}
			if err := tx.InsertUser(ctx, saasID, u, p); errors.Is(err, errs.ErrDuplicate) {
				return errs.Taken("duplicate_name", "email", "a user with the email %q exists: sign in and accept with your access token", inv.Email)
			} else if err != nil {
				return err
			}
			userID = u.ID
		}
		err = tx.InsertMember(ctx, saasID, inv.TenantID, userID, map[string]any{}, now)
		if errors.Is(err, errs.ErrDuplicate) {
			return errs.Taken("duplicate_member", "email", "the user belongs to the tenant already")
		}
		if err != nil {
			return err
		}
		for _, e := range inv.Envs {
			if err := tx.GrantRoles(ctx, saasID, inv.TenantID, userID, e.ID, e.RoleNames); err != nil {
				return err
			}
		}
		inv.Status, inv.AcceptedAt = InvitationAccepted, now
		return tx.UpdateInvitation(ctx, saasID, inv)
	})
	return userID, invitationNotFound(err, id)
}

func invitationNotFound(err error, id string) error {
	if errors.Is(err, errs.ErrNotExist) {
		return errs.NotFound("invitation %q not found", id)
	}
	return err
}

// InvitationView is what the hosted acceptance page shows of an
// invitation.
type InvitationView struct {
	Invitation Invitation
	TenantName string
	Valid      bool // pending, in time, of a live tenant
	UserExists bool // a user has the invited email: they sign in to accept
}

// ViewInvitation returns the acceptance page's view of an invitation.
func (s *Service) ViewInvitation(ctx context.Context, saasID, id string) (InvitationView, error) {
	var v InvitationView
	err := s.store.ReadTx(ctx, func(tx Tx) (err error) {
		if v.Invitation, err = tx.Invitation(ctx, saasID, id); err != nil {
			return err
		}
		t, err := tx.Tenant(ctx, saasID, v.Invitation.TenantID)
		if err != nil && !errors.Is(err, errs.ErrNotExist) {
			return err
		}
		v.TenantName, v.Valid = t.Name, err == nil && v.Invitation.StatusAt(s.cfg.Now()) == InvitationPending
		_, err = tx.UserByLogin(ctx, saasID, userKey(v.Invitation.Email), "")
		v.UserExists = err == nil
		if errors.Is(err, errs.ErrNotExist) {
			err = nil
		}
		return err
	})
	return v, invitationNotFound(err, id)
}

// AcceptToCallback is the hosted acceptance: an existing user signs in
// with their password and joins; a new address chooses its password and
// joins; then the browser goes to the callback with the session's code.
// An existing user whose sign-in needs a further step (a new password for
// a temporary one, a second factor or its setup) gets that challenge,
// carrying the invitation: answering it (NewPasswordToCallback,
// MFAToCallback, MFASetupToCallback) accepts it.
//
// v is the invitation as the page read it (ViewInvitation); what it says
// is checked again where it is written (AcceptInvitation).
func (s *Service) AcceptToCallback(ctx context.Context, saasID string, v InvitationView, password string) (Step, error) {
	callback, err := s.callback(ctx, saasID)
	if err != nil {
		return Step{}, err
	}
	id := v.Invitation.ID
	if !v.Valid {
		return Step{}, errs.Invalid("the invitation is %s", v.Invitation.StatusAt(s.cfg.Now())).WithType(TypeInvalidInvitation)
	}
	email := v.Invitation.Email
	if !v.UserExists {
		if _, err := s.AcceptInvitation(ctx, saasID, id, Acceptance{Email: email, Password: password}); err != nil {
			return Step{}, err
		}
		id = "" // accepted: what follows is a plain sign-in
	}
	res, err := s.SignIn(ctx, saasID, email, password)
	return s.nextAccepting(ctx, saasID, callback, res, err, id)
}
