package identity

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// A user belongs to tenants of the SaaS through memberships. A membership
// carries the user's per-tenant attributes and the roles they hold in each
// env of that tenant. Removing a user from their last tenant ends their
// sessions; so does deleting the tenant that was their last (the store
// does that with the tenant's deletion, in the same transaction).

// TenantInfo is what the user pool shows of a tenant.
type TenantInfo struct {
	ID, Name             string
	BackOfficeStaffEmail string
	PlanID               string // "" when the tenant has no plan
}

// EnvRoles are the roles a member holds in one env.
type EnvRoles struct {
	Env
	Roles []Role
}

// Member is a user as one tenant sees them.
type Member struct {
	User   User // Attributes are the SaaS-wide ones
	Tenant TenantInfo
	// Attributes are the user's per-tenant attributes.
	Attributes map[string]any
	// Envs are the envs in which the member holds a role, by env id, each
	// with its roles in creation order.
	Envs      []EnvRoles
	CreatedAt time.Time
	// Seq orders memberships: the position a search resumes after.
	Seq int64
}

// MemberFilter selects memberships; zero fields select everything.
type MemberFilter struct {
	TenantID, UserID string
	// EmailPrefix and SignInIDPrefix match the start of the user's email
	// or sign-in id, without regard to case (given in lower case).
	EmailPrefix, SignInIDPrefix string
	// EnvID with RoleName, or either alone, keep the members holding such
	// a role.
	EnvID    uint64
	RoleName string
	// AfterSeq and Limit page through the result (Limit 0: no limit).
	AfterSeq int64
	Limit    int
}

// NewMember adds an existing user of the SaaS, named by email or sign-in
// id, to a tenant.
type NewMember struct {
	Email, SignInID string
	Attributes      map[string]any
}

// AddMember adds a user of the SaaS to a tenant with per-tenant
// attributes, and returns the membership.
func (s *Service) AddMember(ctx context.Context, saasID, tenantID string, in NewMember) (Member, error) {
	var fe errs.FieldErrors
	switch {
	case in.Email == "" && in.SignInID == "":
		fe.Add("email", "either email or sign_in_id is required")
	case in.Email != "" && in.SignInID != "":
		fe.Add("email", "give email or sign_in_id, not both")
	}
	if err := fe.Err(); err != nil {
		return Member{}, err
	}
	var m Member
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		if _, err := liveTenant(ctx, tx, saasID, tenantID); err != nil {
			return err
		}
		u, err := tx.UserByLogin(ctx, saasID, userKey(in.Email), userKey(in.SignInID))
		if errors.Is(err, errs.ErrNotExist) {
			if in.Email != "" {
				return errs.Taken("user_not_found", "email", "no user of the SaaS has the email %q: create the user with POST /v1/auth/users first", in.Email)
			}
			return errs.Taken("user_not_found", "sign_in_id", "no user of the SaaS has the sign-in id %q: create the user with POST /v1/auth/users first", in.SignInID)
		}
		if err != nil {
			return err
		}
		attrs, err := checkUserAttributes(ctx, tx, saasID, false, nil, in.Attributes)
		if err != nil {
			return err
		}
		err = tx.InsertMember(ctx, saasID, tenantID, u.ID, attrs, s.cfg.Now())
		if errors.Is(err, errs.ErrDuplicate) {
			return errs.Taken("duplicate_member", "email", "the user %s already belongs to tenant %s", u.ID, tenantID)
		}
		if err != nil {
			return err
		}
		m, err = oneMember(ctx, tx, saasID, tenantID, u.ID)
		return err
	})
	return m, err
}

// Members returns the members of one tenant, in the order they joined.
func (s *Service) Members(ctx context.Context, saasID, tenantID string) (ms []Member, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		if _, err := liveTenant(ctx, tx, saasID, tenantID); err != nil {
			return err
		}
		ms, err = tx.Members(ctx, saasID, MemberFilter{TenantID: tenantID})
		return err
	})
	return ms, err
}

// Member returns one membership.
func (s *Service) Member(ctx context.Context, saasID, tenantID, userID string) (m Member, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		m, err = oneMember(ctx, tx, saasID, tenantID, userID)
		return err
	})
	return m, err
}

// Memberships returns every membership of one user; an unknown user is
// not found, a user of no tenant has none.
func (s *Service) Memberships(ctx context.Context, saasID, userID string) (ms []Member, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		if _, err := tx.User(ctx, saasID, userID); err != nil {
			return userNotFound(err, userID)
		}
		ms, err = tx.Members(ctx, saasID, MemberFilter{UserID: userID})
		return err
	})
	return ms, err
}

// AllMembers returns every membership of the SaaS, in the order they were
// made.
func (s *Service) AllMembers(ctx context.Context, saasID string) (ms []Member, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		ms, err = tx.Members(ctx, saasID, MemberFilter{})
		return err
	})
	return ms, err
}

// MemberQuery is a search over memberships, as GET
// /tenants/all/users/search takes it.
type MemberQuery struct {
	TenantID, UserID string
	Email, SignInID  string // prefixes
	EnvID            uint64
	RoleName         string
	Limit            int    // 1 to MaxSearchLimit; 0 means the maximum
	Cursor           string // from the previous page
}

// MaxSearchLimit is the most memberships one search page holds.
const MaxSearchLimit = 100

// MemberPage is one page of a search; Cursor is "" on the last one.
type MemberPage struct {
	Members []Member
	Cursor  string
}

// SearchMembers answers one page of a search, in membership order.
func (s *Service) SearchMembers(ctx context.Context, saasID string, q MemberQuery) (MemberPage, error) {
	var fe errs.FieldErrors
	if q.Limit < 0 || q.Limit > MaxSearchLimit {
		fe.Add("limit", "must be from 1 to %d", MaxSearchLimit)
	}
	if q.Limit == 0 {
		q.Limit = MaxSearchLimit
	}
	after, ok := parseCursor(q.Cursor)
	if !ok {
		fe.Add("cursor", "is not a cursor this search returned")
	}
	if err := fe.Err(); err != nil {
		return MemberPage{}, err
	}
	f := MemberFilter{TenantID: q.TenantID, UserID: q.UserID, EmailPrefix: userKey(q.Email), SignInIDPrefix: userKey(q.SignInID),
		EnvID: q.EnvID, RoleName: q.RoleName, AfterSeq: after, Limit: q.Limit + 1}
	var ms []Member
	err := s.store.ReadTx(ctx, func(tx Tx) (err error) {
		ms, err = tx.Members(ctx, saasID, f)
		return err
	})
	if err != nil {
		return MemberPage{}, err
	}
	var p MemberPage
	if len(ms) > q.Limit {
		ms = ms[:q.Limit]
		p.Cursor = formatCursor(ms[len(ms)-1].Seq)
	}
	p.Members = ms
	return p, nil
}

// Cursors are opaque to clients: the position in base64url.
func formatCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("m" + strconv.FormatInt(seq, 10)))
}

func parseCursor(c string) (int64, bool) {
	if c == "" {
		return 0, true
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), "m") {
		return 0, false
	}
	n, err := strconv.ParseInt(string(b[1:]), 10, 64)
	return n, err == nil && n > 0
}

// UpdateMember merges values into a member's per-tenant attributes, as
// UpdateUserAttributes does for SaaS-wide ones.
func (s *Service) UpdateMember(ctx context.Context, saasID, tenantID, userID string, in map[string]any) error {
	return s.store.WriteTx(ctx, func(tx Tx) error {
		m, err := oneMember(ctx, tx, saasID, tenantID, userID)
		if err != nil {
			return err
		}
		attrs, err := checkUserAttributes(ctx, tx, saasID, false, m.Attributes, in)
		if err != nil {
			return err
		}
		return tx.SetMemberAttributes(ctx, saasID, tenantID, userID, attrs)
	})
}

// RemoveMember takes a user out of a tenant, with the roles they held
// there. When it was their last tenant, their sessions end.
func (s *Service) RemoveMember(ctx context.Context, saasID, tenantID, userID string) error {
	return s.store.WriteTx(ctx, func(tx Tx) error {
		return memberNotFound(tx.DeleteMember(ctx, saasID, tenantID, userID), tenantID, userID)
	})
}

// MaxRolesPerGrant bounds the role names of one grant.
const MaxRolesPerGrant = 100

// GrantRoles gives a member roles in an env of the tenant. Roles the
// member holds already are kept; an empty list changes nothing.
func (s *Service) GrantRoles(ctx context.Context, saasID, tenantID, userID string, envID uint64, roles []string) error {
	var fe errs.FieldErrors
	if len(roles) > MaxRolesPerGrant {
		fe.Add("role_names", "must name at most %d roles", MaxRolesPerGrant)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		if _, err := oneMember(ctx, tx, saasID, tenantID, userID); err != nil {
			return err
		}
		if _, err := tx.Env(ctx, saasID, envID); err != nil {
			return envNotFound(err, envID)
		}
		known, err := tx.Roles(ctx, saasID)
		if err != nil {
			return err
		}
		names := make(map[string]bool, len(known))
		for _, r := range known {
			names[r.Name] = true
		}
		for i, r := range roles {
			if !names[r] {
				fe.Add("role_names["+strconv.Itoa(i)+"]", "role %q does not exist: create it first with POST /roles", r)
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		return tx.GrantRoles(ctx, saasID, tenantID, userID, envID, roles)
	})
}

// RevokeRole takes one role in one env from a member.
func (s *Service) RevokeRole(ctx context.Context, saasID, tenantID, userID string, envID uint64, role string) error {
	return s.store.WriteTx(ctx, func(tx Tx) error {
		if _, err := oneMember(ctx, tx, saasID, tenantID, userID); err != nil {
			return err
		}
		err := tx.RevokeRole(ctx, saasID, tenantID, userID, envID, role)
		if errors.Is(err, errs.ErrNotExist) {
			return errs.NotFound("user %s holds no role %q in env %d of tenant %s", userID, role, envID, tenantID)
		}
		return err
	})
}

func liveTenant(ctx context.Context, tx Tx, saasID, id string) (TenantInfo, error) {
	t, err := tx.Tenant(ctx, saasID, id)
	if errors.Is(err, errs.ErrNotExist) {
		return t, errs.NotFound("tenant %q not found", id)
	}
	return t, err
}

func oneMember(ctx context.Context, tx Tx, saasID, tenantID, userID string) (Member, error) {
	ms, err := tx.Members(ctx, saasID, MemberFilter{TenantID: tenantID, UserID: userID})
	if err != nil {
		return Member{}, err
	}
	if len(ms) == 0 {
		return Member{}, memberNotFound(errs.ErrNotExist, tenantID, userID)
	}
	return ms[0], nil
}

func memberNotFound(err error, tenantID, userID string) error {
	if errors.Is(err, errs.ErrNotExist) {
		return errs.NotFound("user %q does not belong to tenant %q", userID, tenantID)
	}
	return err
}
