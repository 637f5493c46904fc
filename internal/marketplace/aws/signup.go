package aws

import (
	"context"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/tenant"
)

// The buyer's side of a purchase, in the SaaS's user pool (the Auth API's
// /aws-marketplace routes): a buyer new to the SaaS signs up, then
// confirms, which makes a tenant of theirs linked to the purchase; a
// user who already has a tenant links the purchase to it. Each step
// checks the registration token first, so a bad token changes nothing.

// Users is what the sign-up routes need of the SaaS's user pool.
type Users interface {
	// SignUp adds an email user and mails them a temporary password.
	SignUp(ctx context.Context, saasID, email string) (identity.User, error)
	// UserOfToken is the user an access token speaks for, or
	// errs.KindUnauthorized.
	UserOfToken(ctx context.Context, saasID, raw string, use identity.TokenUse) (identity.User, error)
	AddMember(ctx context.Context, saasID, tenantID string, in identity.NewMember) (identity.Member, error)
	Member(ctx context.Context, saasID, tenantID, userID string) (identity.Member, error)
}

// SignUp adds the buyer of a registration token to the SaaS's users as
// an email user, mailed a temporary password like any sign-up. The token
// is checked, not used: ConfirmSignUp uses it.
func (s *Service) SignUp(ctx context.Context, saasID, email, token string) (identity.User, error) {
	var fe errs.FieldErrors
	fe.Required("email", email)
	fe.Required("registration_token", token)
	if err := fe.Err(); err != nil {
		return identity.User{}, err
	}
	if err := s.VerifyRegistrationToken(ctx, saasID, token); err != nil {
		return identity.User{}, err
	}
	return s.users.SignUp(ctx, saasID, email)
}

// ConfirmSignUp makes a tenant for the user of an access token, with the
// user as its member and back-office email, and links the buyer of the
// registration token to it (CreateCustomer: the tenant gets the plan of
// the buyer's contract, and the token is used up). The tenant is named
// tenantName, or after the user's email when that is empty. When the
// link fails (the token was used meanwhile, AWS is down, the buyer is
// linked to another tenant), the new tenant is deleted again.
func (s *Service) ConfirmSignUp(ctx context.Context, saasID, tenantName, accessToken, token string) (tenant.Tenant, error) {
	var fe errs.FieldErrors
	fe.Text("tenant_name", tenantName, tenant.MaxNameLen, false)
	fe.Required("access_token", accessToken)
	fe.Required("registration_token", token)
	if err := fe.Err(); err != nil {
		return tenant.Tenant{}, err
	}
	u, err := s.users.UserOfToken(ctx, saasID, accessToken, identity.UseAccess)
	if err != nil {
		return tenant.Tenant{}, err
	}
	if u.Email == "" {
		return tenant.Tenant{}, errs.Taken("email_required", "access_token",
			"the user %s has no email, which a tenant needs as its back_office_staff_email: sign up with an email", u.ID)
	}
	if err := s.VerifyRegistrationToken(ctx, saasID, token); err != nil {
		return tenant.Tenant{}, err
	}
	if tenantName == "" {
		tenantName = u.Email
	}
	t, err := s.tenants.Create(ctx, saasID, tenant.TenantInput{Name: tenantName, BackOfficeStaffEmail: u.Email})
	if err != nil {
		return tenant.Tenant{}, err
	}
	_, err = s.users.AddMember(ctx, saasID, t.ID, identity.NewMember{Email: u.Email})
	if err == nil {
		_, err = s.CreateCustomer(ctx, saasID, t.ID, token)
	}
	if err != nil {
		if derr := s.tenants.Delete(ctx, saasID, t.ID); derr != nil {
			s.log.Error("aws marketplace sign-up: deleting the tenant of a failed link", "saas_id", saasID, "tenant_id", t.ID, "err", derr)
		}
		return tenant.Tenant{}, err
	}
	return t, nil
}

// Link links the buyer of a registration token to an existing tenant of
// which the user of the access token is a member (CreateCustomer).
func (s *Service) Link(ctx context.Context, saasID, tenantID, accessToken, token string) error {
	var fe errs.FieldErrors
	fe.Required("tenant_id", tenantID)
	fe.Required("access_token", accessToken)
	fe.Required("registration_token", token)
	if err := fe.Err(); err != nil {
		return err
	}
	u, err := s.users.UserOfToken(ctx, saasID, accessToken, identity.UseAccess)
	if err != nil {
		return err
	}
	if _, err := s.users.Member(ctx, saasID, tenantID, u.ID); errs.KindOf(err) == errs.KindNotFound {
		return errs.Taken("not_a_member", "tenant_id", "the user %s is not a member of tenant %q, so cannot link a purchase to it", u.ID, tenantID)
	} else if err != nil {
		return err
	}
	_, err = s.CreateCustomer(ctx, saasID, tenantID, token)
	return err
}
