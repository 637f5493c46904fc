package authapi

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
)

// How the hosted pages look: customize page settings and customize pages
// (rules in internal/identity).

func (h *Handler) getPageSettings(w http.ResponseWriter, r *http.Request) error {
	p, err := h.identity.PageSettingsOf(r.Context(), saasID(r))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"title": p.Title, "icon": p.Icon, "favicon": p.Favicon,
		"terms_of_service_url": p.TermsOfServiceURL, "privacy_policy_url": p.PrivacyPolicyURL,
		"google_tag_manager_container_id": p.GoogleTagManagerID, "is_sign_in_id_enabled": !p.SignInIDHidden})
	return nil
}

func (h *Handler) patchPageSettings(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Title              *string `json:"title"`
		Icon               *string `json:"icon"`
		Favicon            *string `json:"favicon"`
		TermsOfServiceURL  *string `json:"terms_of_service_url"`
		PrivacyPolicyURL   *string `json:"privacy_policy_url"`
		GoogleTagManagerID *string `json:"google_tag_manager_container_id"`
		SignInIDEnabled    *bool   `json:"is_sign_in_id_enabled"`
	}
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	var fe errs.FieldErrors
	get := func(field string, v *string) string {
		if v == nil {
			fe.Add(field, "is required (\"\" for none)")
			return ""
		}
		return *v
	}
	in := identity.PageLook{Title: get("title", req.Title), IconBase64: dataless(get("icon", req.Icon)),
		FaviconBase64: dataless(get("favicon", req.Favicon)), TermsOfServiceURL: get("terms_of_service_url", req.TermsOfServiceURL),
		PrivacyPolicy: get("privacy_policy_url", req.PrivacyPolicyURL), GoogleTagManagerID: get("google_tag_manager_container_id", req.GoogleTagManagerID),
		SignInIDEnabled: req.SignInIDEnabled}
	if err := fe.Err(); err != nil {
		return err
	}
	return empty(w, h.identity.SetPageLook(r.Context(), saasID(r), in))
}

// dataless takes the base64 out of a data: URL, so that what GET answered
// can be sent back unchanged.
func dataless(v string) string {
	if rest, ok := strings.CutPrefix(v, "data:"); ok {
		if _, b64, ok := strings.Cut(rest, ";base64,"); ok {
			return b64
		}
	}
	return v
}

type customPageWire struct {
	HTMLContents   string `json:"html_contents"`
	TermsOfService bool   `json:"is_terms_of_service"`
	PrivacyPolicy  bool   `json:"is_privacy_policy"`
}

func (h *Handler) getCustomPages(w http.ResponseWriter, r *http.Request) error {
	p, err := h.identity.PageSettingsOf(r.Context(), saasID(r))
	if err != nil {
		return err
	}
	out := map[string]customPageWire{}
	for _, name := range identity.CustomPageNames {
		pg := p.Pages[name]
		out[name] = customPageWire{HTMLContents: pg.HTMLContents, TermsOfService: pg.TermsOfService, PrivacyPolicy: pg.PrivacyPolicy}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) patchCustomPages(w http.ResponseWriter, r *http.Request) error {
	var req map[string]json.RawMessage
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	pages := map[string]identity.CustomPage{}
	var fe errs.FieldErrors
	for _, name := range identity.CustomPageNames {
		raw, ok := req[name]
		if !ok {
			continue
		}
		var pg struct {
			HTMLContents   *string `json:"html_contents"`
			TermsOfService *bool   `json:"is_terms_of_service"`
			PrivacyPolicy  *bool   `json:"is_privacy_policy"`
		}
		if err := json.Unmarshal(raw, &pg); err != nil || pg.HTMLContents == nil || pg.TermsOfService == nil || pg.PrivacyPolicy == nil {
			fe.Add(name, "must be an object with html_contents, is_terms_of_service and is_privacy_policy")
			continue
		}
		pages[name] = identity.CustomPage{HTMLContents: *pg.HTMLContents, TermsOfService: *pg.TermsOfService, PrivacyPolicy: *pg.PrivacyPolicy}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return empty(w, h.identity.SetCustomPages(r.Context(), saasID(r), pages))
}
