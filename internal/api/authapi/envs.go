package authapi

import (
	"net/http"
	"strconv"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
)

// The envs and roles of the SaaS's user pool; the rules live in
// internal/identity.

type envReq struct {
	ID          *uint64 `json:"id"`
	Name        *string `json:"name"`
	DisplayName string  `json:"display_name"`
}

type envResp struct {
	ID          uint64 `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
}

func toEnvResp(e identity.Env) envResp {
	return envResp{ID: e.ID, Name: e.Name, DisplayName: e.DisplayName}
}

type roleReq struct {
	Name        *string `json:"role_name"`
	DisplayName *string `json:"display_name"`
}

type roleResp struct {
	Name        string `json:"role_name"`
	DisplayName string `json:"display_name"`
}

// envID reads the env_id path parameter.
func envID(r *http.Request) (uint64, error) {
	id, err := strconv.ParseUint(r.PathValue("env_id"), 10, 64)
	if err != nil || id == 0 {
		var fe errs.FieldErrors
		fe.Add("env_id", "must be a positive integer")
		return 0, fe.Err()
	}
	return id, nil
}

func (h *Handler) listEnvs(w http.ResponseWriter, r *http.Request) error {
	envs, err := h.identity.ListEnvs(r.Context(), saasID(r))
	if err != nil {
		return err
	}
	out := make([]envResp, len(envs))
	for i, e := range envs {
		out[i] = toEnvResp(e)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"envs": out})
	return nil
}

func (h *Handler) createEnv(w http.ResponseWriter, r *http.Request) error {
	var req envReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	var fe errs.FieldErrors
	if req.ID == nil {
		fe.Add("id", "is required")
	}
	if req.Name == nil {
		fe.Add("name", "is required")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	e := identity.Env{ID: *req.ID, Name: *req.Name, DisplayName: req.DisplayName}
	if err := h.identity.CreateEnv(r.Context(), saasID(r), e); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toEnvResp(e))
	return nil
}

func (h *Handler) getEnv(w http.ResponseWriter, r *http.Request) error {
	id, err := envID(r)
	if err != nil {
		return err
	}
	e, err := h.identity.Env(r.Context(), saasID(r), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toEnvResp(e))
	return nil
}

func (h *Handler) updateEnv(w http.ResponseWriter, r *http.Request) error {
	id, err := envID(r)
	if err != nil {
		return err
	}
	var req struct {
		Name        *string `json:"name"`
		DisplayName string  `json:"display_name"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	if req.Name == nil {
		var fe errs.FieldErrors
		fe.Add("name", "is required")
		return fe.Err()
	}
	return empty(w, h.identity.UpdateEnv(r.Context(), saasID(r), identity.Env{ID: id, Name: *req.Name, DisplayName: req.DisplayName}))
}

func (h *Handler) deleteEnv(w http.ResponseWriter, r *http.Request) error {
	id, err := envID(r)
	if err != nil {
		return err
	}
	return empty(w, h.identity.DeleteEnv(r.Context(), saasID(r), id))
}

func (h *Handler) listRoles(w http.ResponseWriter, r *http.Request) error {
	roles, err := h.identity.ListRoles(r.Context(), saasID(r))
	if err != nil {
		return err
	}
	out := make([]roleResp, len(roles))
	for i, role := range roles {
		out[i] = roleResp{Name: role.Name, DisplayName: role.DisplayName}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"roles": out})
	return nil
}

func (h *Handler) createRole(w http.ResponseWriter, r *http.Request) error {
	var req roleReq
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	var fe errs.FieldErrors
	if req.Name == nil {
		fe.Add("role_name", "is required")
	}
	if req.DisplayName == nil {
		fe.Add("display_name", "is required")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	role := identity.Role{Name: *req.Name, DisplayName: *req.DisplayName}
	if err := h.identity.CreateRole(r.Context(), saasID(r), role); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, roleResp{Name: role.Name, DisplayName: role.DisplayName})
	return nil
}

func (h *Handler) updateRole(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		DisplayName *string `json:"display_name"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	if req.DisplayName == nil {
		var fe errs.FieldErrors
		fe.Add("display_name", "is required")
		return fe.Err()
	}
	return empty(w, h.identity.UpdateRole(r.Context(), saasID(r), identity.Role{Name: r.PathValue("role_name"), DisplayName: *req.DisplayName}))
}

func (h *Handler) deleteRole(w http.ResponseWriter, r *http.Request) error {
	return empty(w, h.identity.DeleteRole(r.Context(), saasID(r), r.PathValue("role_name")))
}
