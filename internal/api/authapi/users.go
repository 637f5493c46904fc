package authapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
)

// The users of the SaaS's user pool and what their tokens say.

type saasUserResp struct {
	ID         string         `json:"id"`
	Email      string         `json:"email"`
	SignInID   string         `json:"sign_in_id"`
	Attributes map[string]any `json:"attributes"`
	Password   string         `json:"password,omitempty"` // only a generated one, once
}

func toSaasUserResp(u identity.User) saasUserResp {
	return saasUserResp{ID: u.ID, Email: u.Email, SignInID: u.SignInID, Attributes: u.Attributes}
}

type userInfoResp struct {
	ID            string           `json:"id"`
	Email         string           `json:"email"`
	SignInID      string           `json:"sign_in_id"`
	UserAttribute map[string]any   `json:"user_attribute"`
	Tenants       []userTenantResp `json:"tenants"`
}

// userTenantResp is upstream's UserAvailableTenant: one tenant of the
// user, with their per-tenant attributes and roles there.
type userTenantResp struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	CompletedSignUp      bool           `json:"completed_sign_up"`
	Envs                 []envRolesResp `json:"envs"`
	UserAttribute        map[string]any `json:"user_attribute"`
	BackOfficeStaffEmail string         `json:"back_office_staff_email"`
	PlanID               string         `json:"plan_id,omitempty"`
}

// toUserInfo is the user as their token presents them. Every tenant a
// user belongs to has completed its sign-up: saasplane makes tenants
// whole, through the API.
func toUserInfo(info identity.UserInfo) userInfoResp {
	u := info.User
	tenants := make([]userTenantResp, len(info.Tenants))
	for i, m := range info.Tenants {
		tenants[i] = userTenantResp{ID: m.Tenant.ID, Name: m.Tenant.Name, CompletedSignUp: true, Envs: toEnvRoles(m.Envs),
			UserAttribute: m.Attributes, BackOfficeStaffEmail: m.Tenant.BackOfficeStaffEmail, PlanID: m.Tenant.PlanID}
	}
	return userInfoResp{ID: u.ID, Email: u.Email, SignInID: u.SignInID, UserAttribute: u.Attributes, Tenants: tenants}
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) error {
	us, err := h.identity.Users(r.Context(), saasID(r))
	if err != nil {
		return err
	}
	out := make([]saasUserResp, len(us))
	for i, u := range us {
		out[i] = toSaasUserResp(u)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"users": out})
	return nil
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Email    *string `json:"email"`
		SignInID *string `json:"sign_in_id"`
		Password *string `json:"password"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	in := identity.NewUser{Password: req.Password}
	if req.Email != nil {
		in.Email = *req.Email
	}
	if req.SignInID != nil {
		in.SignInID = *req.SignInID
	}
	u, generated, err := h.identity.CreateUser(r.Context(), saasID(r), in)
	if err != nil {
		return err
	}
	resp := toSaasUserResp(u)
	resp.Password = generated
	httpx.WriteJSON(w, http.StatusCreated, resp)
	return nil
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) error {
	u, err := h.identity.User(r.Context(), saasID(r), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toSaasUserResp(u))
	return nil
}

func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request) error {
	u, err := h.identity.DeleteUser(r.Context(), saasID(r), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toUserInfo(u))
	return nil
}

func (h *Handler) updatePassword(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Password  *string `json:"password"`
		Temporary bool    `json:"temporary"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	if req.Password == nil {
		var fe errs.FieldErrors
		fe.Add("password", "is required")
		return fe.Err()
	}
	return empty(w, h.identity.SetPassword(r.Context(), saasID(r), r.PathValue("user_id"), *req.Password, req.Temporary))
}

func (h *Handler) resetPassword(w http.ResponseWriter, r *http.Request) error {
	shown, err := h.identity.ResetPassword(r.Context(), saasID(r), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	resp := map[string]string{}
	if shown != "" {
		resp["password"] = shown
	}
	httpx.WriteJSON(w, http.StatusOK, resp)
	return nil
}

// emailBody decodes the {"email": ...} of the sign-up operations.
func emailBody(r *http.Request) (string, error) {
	var req struct {
		Email *string `json:"email"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return "", err
	}
	if req.Email == nil {
		var fe errs.FieldErrors
		fe.Add("email", "is required")
		return "", fe.Err()
	}
	return *req.Email, nil
}

func (h *Handler) signUp(w http.ResponseWriter, r *http.Request) error {
	email, err := emailBody(r)
	if err != nil {
		return err
	}
	u, err := h.identity.SignUp(r.Context(), saasID(r), email)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toSaasUserResp(u))
	return nil
}

func (h *Handler) resendSignUp(w http.ResponseWriter, r *http.Request) error {
	email, err := emailBody(r)
	if err != nil {
		return err
	}
	return empty(w, h.identity.ResendSignUp(r.Context(), saasID(r), email))
}

// userInfo answers who an ID token speaks for. Every token that is not a
// live ID token of this SaaS is 401, so that the SDKs' middleware refuses
// the request it came with.
func (h *Handler) userInfo(w http.ResponseWriter, r *http.Request) error {
	info, err := h.identity.UserInfoOfToken(r.Context(), saasID(r), r.URL.Query().Get("token"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toUserInfo(info))
	return nil
}

func (h *Handler) userInfoByEmail(w http.ResponseWriter, r *http.Request) error {
	return h.userInfoByLogin(w, r, "email")
}

func (h *Handler) userInfoBySignInID(w http.ResponseWriter, r *http.Request) error {
	return h.userInfoByLogin(w, r, "sign_in_id")
}

// userInfoByLogin answers the user whose email or sign-in id (field) the
// query gives, compared without regard to case.
func (h *Handler) userInfoByLogin(w http.ResponseWriter, r *http.Request, field string) error {
	v := r.URL.Query().Get(field)
	if v == "" {
		var fe errs.FieldErrors
		fe.Add(field, "is required")
		return fe.Err()
	}
	email, signIn := v, ""
	if field == "sign_in_id" {
		email, signIn = "", v
	}
	info, err := h.identity.UserInfoByLogin(r.Context(), saasID(r), field, email, signIn)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toUserInfo(info))
	return nil
}

type credentialsResp struct {
	IDToken      string `json:"id_token"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// getCredentials exchanges a temporary code (auth-flow tempCodeAuth, the
// default) or a refresh token (refreshTokenAuth) for tokens.
func (h *Handler) getCredentials(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var t identity.Tokens
	var err error
	switch flow := q.Get("auth-flow"); flow {
	case "", "tempCodeAuth":
		code := q.Get("code")
		if code == "" {
			var fe errs.FieldErrors
			fe.Add("code", "is required with auth-flow tempCodeAuth")
			return fe.Err()
		}
		t, err = h.identity.ExchangeCode(r.Context(), saasID(r), code)
	case "refreshTokenAuth":
		t, err = h.identity.Refresh(r.Context(), saasID(r), q.Get("refresh-token"))
	default:
		var fe errs.FieldErrors
		fe.Add("auth-flow", "must be tempCodeAuth or refreshTokenAuth")
		return fe.Err()
	}
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, credentialsResp{IDToken: t.IDToken, AccessToken: t.AccessToken, RefreshToken: t.RefreshToken})
	return nil
}

// createCredentials stores a token set and answers the temporary code
// that exchanges it.
func (h *Handler) createCredentials(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		IDToken      *string `json:"id_token"`
		AccessToken  *string `json:"access_token"`
		RefreshToken string  `json:"refresh_token"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	var fe errs.FieldErrors
	if req.IDToken == nil {
		fe.Add("id_token", "is required")
	}
	if req.AccessToken == nil {
		fe.Add("access_token", "is required")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	code, err := h.identity.IssueCode(r.Context(), saasID(r), identity.Tokens{IDToken: *req.IDToken, AccessToken: *req.AccessToken, RefreshToken: req.RefreshToken})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]string{"code": code})
	return nil
}
