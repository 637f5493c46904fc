package authapi

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
)

// The tenants' users (memberships) and the roles they hold per env; the
// rules live in internal/identity.

type envRolesResp struct {
	ID          uint64     `json:"id"`
	Name        string     `json:"name"`
	DisplayName string     `json:"display_name"`
	Roles       []roleResp `json:"roles"`
}

func toEnvRoles(envs []identity.EnvRoles) []envRolesResp {
	out := make([]envRolesResp, len(envs))
	for i, e := range envs {
		roles := make([]roleResp, len(e.Roles))
		for j, r := range e.Roles {
			roles[j] = roleResp{Name: r.Name, DisplayName: r.DisplayName}
		}
		out[i] = envRolesResp{ID: e.ID, Name: e.Name, DisplayName: e.DisplayName, Roles: roles}
	}
	return out
}

// memberResp is upstream's User: a user as one tenant sees them.
type memberResp struct {
	ID         string         `json:"id"`
	TenantID   string         `json:"tenant_id"`
	TenantName string         `json:"tenant_name"`
	Email      string         `json:"email"`
	SignInID   string         `json:"sign_in_id"`
	Attributes map[string]any `json:"attributes"`
	Envs       []envRolesResp `json:"envs"`
}

func toMemberResp(m identity.Member) memberResp {
	return memberResp{ID: m.User.ID, TenantID: m.Tenant.ID, TenantName: m.Tenant.Name, Email: m.User.Email,
		SignInID: m.User.SignInID, Attributes: m.Attributes, Envs: toEnvRoles(m.Envs)}
}

func writeMembers(w http.ResponseWriter, ms []identity.Member, err error) error {
	if err != nil {
		return err
	}
	out := make([]memberResp, len(ms))
	for i, m := range ms {
		out[i] = toMemberResp(m)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"users": out})
	return nil
}

func (h *Handler) listAllMembers(w http.ResponseWriter, r *http.Request) error {
	ms, err := h.identity.AllMembers(r.Context(), saasID(r))
	return writeMembers(w, ms, err)
}

func (h *Handler) listMemberships(w http.ResponseWriter, r *http.Request) error {
	ms, err := h.identity.Memberships(r.Context(), saasID(r), r.PathValue("user_id"))
	return writeMembers(w, ms, err)
}

func (h *Handler) listMembers(w http.ResponseWriter, r *http.Request) error {
	ms, err := h.identity.Members(r.Context(), saasID(r), r.PathValue("tenant_id"))
	return writeMembers(w, ms, err)
}

func (h *Handler) searchMembers(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	q := identity.MemberQuery{TenantID: v.Get("tenant_id"), UserID: v.Get("id"), Email: v.Get("email"),
		SignInID: v.Get("sign_in_id"), RoleName: v.Get("role_id"), Cursor: v.Get("cursor")}
	var fe errs.FieldErrors
	if s := v.Get("env_id"); s != "" {
		id, err := strconv.ParseUint(s, 10, 64)
		if err != nil || id == 0 {
			fe.Add("env_id", "must be a positive integer")
		}
		q.EnvID = id
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > identity.MaxSearchLimit {
			fe.Add("limit", "must be an integer from 1 to %d", identity.MaxSearchLimit)
		}
		q.Limit = n
	}
	if err := fe.Err(); err != nil {
		return err
	}
	p, err := h.identity.SearchMembers(r.Context(), saasID(r), q)
	if err != nil {
		return err
	}
	out := make([]memberResp, len(p.Members))
	for i, m := range p.Members {
		out[i] = toMemberResp(m)
	}
	resp := map[string]any{"users": out}
	if p.Cursor != "" {
		resp["cursor"] = p.Cursor
	}
	httpx.WriteJSON(w, http.StatusOK, resp)
	return nil
}

type memberReq struct {
	Email      *string         `json:"email"`
	SignInID   *string         `json:"sign_in_id"`
	Attributes json.RawMessage `json:"attributes"`
}

func (h *Handler) createMember(w http.ResponseWriter, r *http.Request) error {
	var req memberReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	var in identity.NewMember
	if req.Email != nil {
		in.Email = *req.Email
	}
	if req.SignInID != nil {
		in.SignInID = *req.SignInID
	}
	attrs, err := requiredAttributes(req.Attributes)
	if err != nil {
		return err
	}
	in.Attributes = attrs
	m, err := h.identity.AddMember(r.Context(), saasID(r), r.PathValue("tenant_id"), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toMemberResp(m))
	return nil
}

// requiredAttributes decodes the attributes member that upstream requires
// (an empty object, or what decodeAttributes takes for none, means none).
func requiredAttributes(raw json.RawMessage) (map[string]any, error) {
	var fe errs.FieldErrors
	if len(raw) == 0 {
		fe.Add("attributes", "is required (send {} for none)")
		return nil, fe.Err()
	}
	attrs, err := decodeAttributes(raw)
	if err != nil {
		fe.Add("attributes", "%s", err.Error())
		return nil, fe.Err()
	}
	return attrs, nil
}

func (h *Handler) getMember(w http.ResponseWriter, r *http.Request) error {
	m, err := h.identity.Member(r.Context(), saasID(r), r.PathValue("tenant_id"), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toMemberResp(m))
	return nil
}

func (h *Handler) updateMember(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Attributes json.RawMessage `json:"attributes"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	attrs, err := requiredAttributes(req.Attributes)
	if err != nil {
		return err
	}
	return empty(w, h.identity.UpdateMember(r.Context(), saasID(r), r.PathValue("tenant_id"), r.PathValue("user_id"), attrs))
}

func (h *Handler) deleteMember(w http.ResponseWriter, r *http.Request) error {
	return empty(w, h.identity.RemoveMember(r.Context(), saasID(r), r.PathValue("tenant_id"), r.PathValue("user_id")))
}

func (h *Handler) grantRoles(w http.ResponseWriter, r *http.Request) error {
	env, err := envID(r)
	if err != nil {
		return err
	}
	var req struct {
		RoleNames *[]string `json:"role_names"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	if req.RoleNames == nil {
		var fe errs.FieldErrors
		fe.Add("role_names", "is required")
		return fe.Err()
	}
	if err := h.identity.GrantRoles(r.Context(), saasID(r), r.PathValue("tenant_id"), r.PathValue("user_id"), env, *req.RoleNames); err != nil {
		return err
	}
	httpx.WriteEmptyStatus(w, http.StatusCreated)
	return nil
}

func (h *Handler) revokeRole(w http.ResponseWriter, r *http.Request) error {
	env, err := envID(r)
	if err != nil {
		return err
	}
	return empty(w, h.identity.RevokeRole(r.Context(), saasID(r), r.PathValue("tenant_id"), r.PathValue("user_id"), env, r.PathValue("role_name")))
}
