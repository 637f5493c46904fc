package authapi

import (
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
)

// Invitations to a tenant (rules in internal/identity).

type invitationResp struct {
	ID            string         `json:"id"`
	Email         string         `json:"email"`
	InvitationURL string         `json:"invitation_url"`
	Envs          []envRolesResp `json:"envs"`
	ExpiredAt     int64          `json:"expired_at"`
	Status        string         `json:"status"`
}

// toInvitationResp is an invitation as upstream shows it: each env with
// its name and the roles' display names, from the SaaS's envs and roles.
func (h *Handler) toInvitationResp(r *http.Request, inv identity.Invitation, envs []identity.Env, roles []identity.Role) invitationResp {
	envByID := map[uint64]identity.Env{}
	for _, e := range envs {
		envByID[e.ID] = e
	}
	roleByName := map[string]identity.Role{}
	for _, ro := range roles {
		roleByName[ro.Name] = ro
	}
	out := make([]envRolesResp, 0, len(inv.Envs))
	for _, ie := range inv.Envs {
		e := envByID[ie.ID]
		rr := make([]roleResp, 0, len(ie.RoleNames))
		for _, n := range ie.RoleNames {
			rr = append(rr, roleResp{Name: n, DisplayName: roleByName[n].DisplayName})
		}
		out = append(out, envRolesResp{ID: ie.ID, Name: e.Name, DisplayName: e.DisplayName, Roles: rr})
	}
	return invitationResp{ID: inv.ID, Email: inv.Email, InvitationURL: h.identity.InvitationURL(saasID(r), inv.ID), Envs: out,
		ExpiredAt: inv.ExpiresAt.Unix(), Status: inv.Status}
}

// catalogOf reads the SaaS's envs and roles, for toInvitationResp.
func (h *Handler) catalogOf(r *http.Request) ([]identity.Env, []identity.Role, error) {
	envs, err := h.identity.ListEnvs(r.Context(), saasID(r))
	if err != nil {
		return nil, nil, err
	}
	roles, err := h.identity.ListRoles(r.Context(), saasID(r))
	return envs, roles, err
}

func (h *Handler) createInvitation(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Email       *string                `json:"email"`
		AccessToken *string                `json:"access_token"`
		Envs        *[]identity.InvitedEnv `json:"envs"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	var fe errs.FieldErrors
	for f, missing := range map[string]bool{"email": req.Email == nil, "access_token": req.AccessToken == nil, "envs": req.Envs == nil} {
		if missing {
			fe.Add(f, "is required")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	inv, err := h.identity.Invite(r.Context(), saasID(r), r.PathValue("tenant_id"),
		identity.NewInvitation{Email: *req.Email, AccessToken: *req.AccessToken, Envs: *req.Envs})
	if err != nil {
		return err
	}
	envs, roles, err := h.catalogOf(r)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, h.toInvitationResp(r, inv, envs, roles))
	return nil
}

func (h *Handler) listInvitations(w http.ResponseWriter, r *http.Request) error {
	is, err := h.identity.Invitations(r.Context(), saasID(r), r.PathValue("tenant_id"))
	if err != nil {
		return err
	}
	envs, roles, err := h.catalogOf(r)
	if err != nil {
		return err
	}
	out := make([]invitationResp, len(is))
	for i, inv := range is {
		out[i] = h.toInvitationResp(r, inv, envs, roles)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"invitations": out})
	return nil
}

func (h *Handler) getInvitation(w http.ResponseWriter, r *http.Request) error {
	inv, err := h.identity.TenantInvitation(r.Context(), saasID(r), r.PathValue("tenant_id"), r.PathValue("invitation_id"))
	if err != nil {
		return err
	}
	envs, roles, err := h.catalogOf(r)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, h.toInvitationResp(r, inv, envs, roles))
	return nil
}

func (h *Handler) deleteInvitation(w http.ResponseWriter, r *http.Request) error {
	return empty(w, h.identity.DeleteInvitation(r.Context(), saasID(r), r.PathValue("tenant_id"), r.PathValue("invitation_id")))
}

func (h *Handler) invitationValidity(w http.ResponseWriter, r *http.Request) error {
	ok, err := h.identity.InvitationValid(r.Context(), saasID(r), r.PathValue("invitation_id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]bool{"is_valid": ok})
	return nil
}

func (h *Handler) validateInvitation(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		AccessToken string `json:"access_token"`
		Email       string `json:"email"`
		Password    string `json:"password"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	_, err := h.identity.AcceptInvitation(r.Context(), saasID(r), r.PathValue("invitation_id"),
		identity.Acceptance{AccessToken: req.AccessToken, Email: req.Email, Password: req.Password})
	return empty(w, err)
}
