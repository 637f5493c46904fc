// Package authapi serves the SaaSus Auth API under /v1/auth, as far as
// saasplane has it: tenants, their plans and billing information, tenant
// attributes (rules in internal/tenant), and the SaaS's user pool: users,
// their attributes, tenant memberships, envs and roles, tokens (rules in
// internal/identity). Handlers decode and convert.
package authapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/marketplace/aws"
	"github.com/saasplane/saasplane/internal/tenant"
)

// Prefix is where the API is mounted.
const Prefix = "/v1/auth"

// Handler serves the Auth API routes.
type Handler struct {
	svc      *tenant.Service
	identity *identity.Service
	aws      *aws.Service
}

// New returns a Handler over the tenants, the user pools and (for the
// buyers' sign-up) the AWS Marketplace integration; identity and aws may
// be nil, which leaves their routes out.
func New(svc *tenant.Service, id *identity.Service, awsMarketplace *aws.Service) *Handler {
	return &Handler{svc: svc, identity: id, aws: awsMarketplace}
}

// Register adds every route to rt.
func (h *Handler) Register(rt *httpx.Router) {
	p := Prefix
	rt.HandleFunc("GET "+p+"/tenants", h.listTenants)
	rt.HandleFunc("POST "+p+"/tenants", h.createTenant)
	rt.HandleFunc("GET "+p+"/tenants/{tenant_id}", h.getTenant)
	rt.HandleFunc("PATCH "+p+"/tenants/{tenant_id}", h.updateTenant)
	rt.HandleFunc("DELETE "+p+"/tenants/{tenant_id}", h.deleteTenant)
	rt.HandleFunc("PUT "+p+"/tenants/{tenant_id}/plans", h.updatePlan)
	rt.HandleFunc("PUT "+p+"/tenants/{tenant_id}/billing-info", h.updateBillingInfo)

	rt.HandleFunc("GET "+p+"/tenant-attributes", h.listAttributes)
	rt.HandleFunc("POST "+p+"/tenant-attributes", h.createAttribute)
	rt.HandleFunc("DELETE "+p+"/tenant-attributes/{attribute_name}", h.deleteAttribute)

	if h.identity != nil {
		h.registerUserPool(rt)
	}
	if h.identity != nil {
		rt.HandleFunc("GET "+p+"/tenants/{tenant_id}/invitations", h.listInvitations)
		rt.HandleFunc("POST "+p+"/tenants/{tenant_id}/invitations", h.createInvitation)
		rt.HandleFunc("GET "+p+"/tenants/{tenant_id}/invitations/{invitation_id}", h.getInvitation)
		rt.HandleFunc("DELETE "+p+"/tenants/{tenant_id}/invitations/{invitation_id}", h.deleteInvitation)
		rt.HandleFunc("GET "+p+"/invitations/{invitation_id}/validity", h.invitationValidity)
		rt.HandleFunc("PATCH "+p+"/invitations/{invitation_id}/validate", h.validateInvitation)
	}
	if h.identity != nil && h.aws != nil {
		h.registerAWSMarketplace(rt)
	}
	h.registerUnsupported(rt)
	rt.HandleFunc("PUT "+p+"/plans/reset", h.resetPlans)
	rt.HandleFunc("GET "+p+"/errors/internal-server-error", h.internalServerError)
}

// registerUserPool adds the routes of the SaaS's user pool.
func (h *Handler) registerUserPool(rt *httpx.Router) {
	p := Prefix
	rt.HandleFunc("GET "+p+"/auth-info", h.getAuthInfo)
	rt.HandleFunc("PUT "+p+"/auth-info", h.putAuthInfo)
	rt.HandleFunc("GET "+p+"/notification-messages", h.getNotificationMessages)
	rt.HandleFunc("PUT "+p+"/notification-messages", h.putNotificationMessages)
	rt.HandleFunc("GET "+p+"/customize-page-settings", h.getPageSettings)
	rt.HandleFunc("PATCH "+p+"/customize-page-settings", h.patchPageSettings)
	rt.HandleFunc("GET "+p+"/customize-pages", h.getCustomPages)
	rt.HandleFunc("PATCH "+p+"/customize-pages", h.patchCustomPages)
	rt.HandleFunc("GET "+p+"/sign-in-settings", h.getSignInSettings)
	rt.HandleFunc("PUT "+p+"/sign-in-settings", h.putSignInSettings)
	rt.HandleFunc("GET "+p+"/basic-info", h.getBasicInfo)
	rt.HandleFunc("PUT "+p+"/basic-info", h.putBasicInfo)

	rt.HandleFunc("GET "+p+"/envs", h.listEnvs)
	rt.HandleFunc("POST "+p+"/envs", h.createEnv)
	rt.HandleFunc("GET "+p+"/envs/{env_id}", h.getEnv)
	rt.HandleFunc("PATCH "+p+"/envs/{env_id}", h.updateEnv)
	rt.HandleFunc("DELETE "+p+"/envs/{env_id}", h.deleteEnv)

	rt.HandleFunc("GET "+p+"/roles", h.listRoles)
	rt.HandleFunc("POST "+p+"/roles", h.createRole)
	rt.HandleFunc("PATCH "+p+"/roles/{role_name}", h.updateRole)
	rt.HandleFunc("DELETE "+p+"/roles/{role_name}", h.deleteRole)

	rt.HandleFunc("GET "+p+"/users", h.listUsers)
	rt.HandleFunc("POST "+p+"/users", h.createUser)
	rt.HandleFunc("GET "+p+"/users/{user_id}", h.getUser)
	rt.HandleFunc("DELETE "+p+"/users/{user_id}", h.deleteUser)
	rt.HandleFunc("PATCH "+p+"/users/{user_id}/password", h.updatePassword)
	rt.HandleFunc("POST "+p+"/users/{user_id}/password/reset", h.resetPassword)
	rt.HandleFunc("PATCH "+p+"/users/{user_id}/email", h.updateEmail)
	rt.HandleFunc("PATCH "+p+"/users/{user_id}/sign-in-id", h.updateSignInID)
	rt.HandleFunc("POST "+p+"/users/{user_id}/email/request", h.requestEmailUpdate)
	rt.HandleFunc("POST "+p+"/users/{user_id}/email/confirm", h.confirmEmailUpdate)
	rt.HandleFunc("POST "+p+"/sign-in", h.signIn)
	rt.HandleFunc("POST "+p+"/sign-in/challenge", h.answerSignInChallenge)
	rt.HandleFunc("POST "+p+"/sign-up", h.signUp)
	rt.HandleFunc("POST "+p+"/sign-up/resend", h.resendSignUp)
	rt.HandleFunc("PATCH "+p+"/users/{user_id}/attributes", h.updateUserAttributes)
	rt.HandleFunc("POST "+p+"/users/{user_id}/mfa/software-token/secret-code", h.createSecretCode)
	rt.HandleFunc("PUT "+p+"/users/{user_id}/mfa/software-token", h.updateSoftwareToken)
	rt.HandleFunc("GET "+p+"/users/{user_id}/mfa/preference", h.getMFAPreference)
	rt.HandleFunc("PATCH "+p+"/users/{user_id}/mfa/preference", h.updateMFAPreference)
	rt.HandleFunc("GET "+p+"/userinfo", h.userInfo)
	rt.HandleFunc("GET "+p+"/userinfo/search/email", h.userInfoByEmail)
	rt.HandleFunc("GET "+p+"/userinfo/search/sign-in-id", h.userInfoBySignInID)

	rt.HandleFunc("GET "+p+"/user-attributes", h.listUserAttributes)
	rt.HandleFunc("POST "+p+"/user-attributes", h.createUserAttribute)
	rt.HandleFunc("DELETE "+p+"/user-attributes/{attribute_name}", h.deleteUserAttribute)
	rt.HandleFunc("POST "+p+"/saas-user-attributes", h.createSaaSUserAttribute)

	rt.HandleFunc("GET "+p+"/tenants/all/users", h.listAllMembers)
	rt.HandleFunc("GET "+p+"/tenants/all/users/search", h.searchMembers)
	rt.HandleFunc("GET "+p+"/tenants/all/users/{user_id}", h.listMemberships)
	rt.HandleFunc("GET "+p+"/tenants/{tenant_id}/users", h.listMembers)
	rt.HandleFunc("POST "+p+"/tenants/{tenant_id}/users", h.createMember)
	rt.HandleFunc("GET "+p+"/tenants/{tenant_id}/users/{user_id}", h.getMember)
	rt.HandleFunc("PATCH "+p+"/tenants/{tenant_id}/users/{user_id}", h.updateMember)
	rt.HandleFunc("DELETE "+p+"/tenants/{tenant_id}/users/{user_id}", h.deleteMember)
	rt.HandleFunc("POST "+p+"/tenants/{tenant_id}/users/{user_id}/envs/{env_id}/roles", h.grantRoles)
	rt.HandleFunc("DELETE "+p+"/tenants/{tenant_id}/users/{user_id}/envs/{env_id}/roles/{role_name}", h.revokeRole)
	rt.HandleFunc("GET "+p+"/credentials", h.getCredentials)
	rt.HandleFunc("POST "+p+"/credentials", h.createCredentials)
}

func saasID(r *http.Request) string { return httpx.SaaSID(r.Context()) }

func empty(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	httpx.WriteEmpty(w)
	return nil
}

func (h *Handler) listTenants(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.svc.List(r.Context(), saasID(r))
	if err != nil {
		return err
	}
	out := make([]tenantResp, len(ts))
	for i, t := range ts {
		out[i] = toTenantResp(t)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"tenants": out})
	return nil
}

func decodeTenant(r *http.Request) (tenant.TenantInput, error) {
	var req tenantReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return tenant.TenantInput{}, err
	}
	return req.toInput()
}

func (h *Handler) createTenant(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeTenant(r)
	if err != nil {
		return err
	}
	t, err := h.svc.Create(r.Context(), saasID(r), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toTenantResp(t))
	return nil
}

func (h *Handler) getTenant(w http.ResponseWriter, r *http.Request) error {
	d, err := h.svc.Get(r.Context(), saasID(r), r.PathValue("tenant_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toDetailResp(d))
	return nil
}

func (h *Handler) updateTenant(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeTenant(r)
	if err != nil {
		return err
	}
	return empty(w, h.svc.Update(r.Context(), saasID(r), r.PathValue("tenant_id"), in))
}

func (h *Handler) deleteTenant(w http.ResponseWriter, r *http.Request) error {
	return empty(w, h.svc.Delete(r.Context(), saasID(r), r.PathValue("tenant_id")))
}

func (h *Handler) updatePlan(w http.ResponseWriter, r *http.Request) error {
	var req planReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	return empty(w, h.svc.ChangePlan(r.Context(), saasID(r), r.PathValue("tenant_id"), req.toChange()))
}

func (h *Handler) updateBillingInfo(w http.ResponseWriter, r *http.Request) error {
	var req billingReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	b, err := req.toInfo()
	if err != nil {
		return err
	}
	return empty(w, h.svc.UpdateBillingInfo(r.Context(), saasID(r), r.PathValue("tenant_id"), b))
}

func (h *Handler) listAttributes(w http.ResponseWriter, r *http.Request) error {
	as, err := h.svc.ListAttributes(r.Context(), saasID(r))
	if err != nil {
		return err
	}
	out := make([]attributeResp, len(as))
	for i, a := range as {
		out[i] = toAttributeResp(a)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"tenant_attributes": out})
	return nil
}

func (h *Handler) createAttribute(w http.ResponseWriter, r *http.Request) error {
	var req attributeReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	a, err := req.toAttribute()
	if err != nil {
		return err
	}
	if err := h.svc.CreateAttribute(r.Context(), saasID(r), a); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toAttributeResp(a))
	return nil
}

func (h *Handler) deleteAttribute(w http.ResponseWriter, r *http.Request) error {
	return empty(w, h.svc.DeleteAttribute(r.Context(), saasID(r), r.PathValue("attribute_name")))
}

func (h *Handler) resetPlans(w http.ResponseWriter, r *http.Request) error {
	return empty(w, h.svc.ResetPlans(r.Context(), saasID(r)))
}

func (h *Handler) internalServerError(w http.ResponseWriter, r *http.Request) error {
	httpx.WriteJSON(w, http.StatusInternalServerError, httpx.ErrorBody{Type: "internal_server_error", Message: "this endpoint always answers 500, for testing error handling"})
	return nil
}
