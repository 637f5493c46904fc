package authapi

import (
	"encoding/json"
	"net/http"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/errs"
)

// Sign-in settings (rules in internal/identity). Of upstream's settings,
// the password policy, mfa_configuration (optional, or on: required of
// every user) and self_regist (the hosted sign-up page) are the SaaS's to
// set; the others have the one value saasplane serves, and
// setting another is 400.

type passwordPolicyWire struct {
	MinimumLength                 *int  `json:"minimum_length"`
	IsRequireLowercase            *bool `json:"is_require_lowercase"`
	IsRequireNumbers              *bool `json:"is_require_numbers"`
	IsRequireSymbols              *bool `json:"is_require_symbols"`
	IsRequireUppercase            *bool `json:"is_require_uppercase"`
	TemporaryPasswordValidityDays *int  `json:"temporary_password_validity_days"`
}

// The only values served of the other settings.
var servedSignInSettings = map[string]map[string]any{
	"device_configuration": {"device_remembering": "no"},
	"recaptcha_props":      {"site_key": "", "secret_key": ""},
	"account_verification": {"verification_method": "code", "sending_to": "email"},
}

// why tells what a served value means, for the 400 of another.
var servedWhy = map[string]string{
	"device_configuration": "saasplane does not remember devices",
	"recaptcha_props":      "saasplane runs no reCAPTCHA; sign-ins are rate-limited per address and locked per login",
	"account_verification": "addresses are verified by a code sent by email",
}

func (h *Handler) getSignInSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := h.identity.SignInSettingsOf(r.Context(), saasID(r))
	if err != nil {
		return err
	}
	p := st.PasswordPolicy
	iss := h.identity.Issuer(saasID(r))
	resp := map[string]any{
		"password_policy": map[string]any{"minimum_length": p.MinLength, "is_require_lowercase": p.Lowercase, "is_require_numbers": p.Numbers,
			"is_require_symbols": p.Symbols, "is_require_uppercase": p.Uppercase, "temporary_password_validity_days": p.TemporaryPasswordValidityDays},
		"identity_provider_configuration": map[string]string{"domain": h.identity.DefaultDomain(), "redirect_url": iss + "/sign-in",
			"entity_id": iss, "reply_url": iss + "/sign-in"},
		"self_regist":       map[string]bool{"enable": st.SelfSignUp},
		"mfa_configuration": map[string]string{"mfa_configuration": mfaConfiguration(st.MFARequired)},
	}
	for k, v := range servedSignInSettings {
		resp[k] = v
	}
	httpx.WriteJSON(w, http.StatusOK, resp)
	return nil
}

func (h *Handler) putSignInSettings(w http.ResponseWriter, r *http.Request) error {
	var req map[string]json.RawMessage
	if err := httpx.DecodeJSON(r, &req); err != nil {
		return err
	}
	st, err := h.identity.SignInSettingsOf(r.Context(), saasID(r))
	if err != nil {
		return err
	}
	var fe errs.FieldErrors
	if raw, ok := req["password_policy"]; ok {
		var pw passwordPolicyWire
		if err := json.Unmarshal(raw, &pw); err != nil {
			fe.Add("password_policy", "must be an object")
		} else {
			p := &st.PasswordPolicy
			for f, v := range map[string]*bool{"is_require_lowercase": pw.IsRequireLowercase, "is_require_numbers": pw.IsRequireNumbers,
				"is_require_symbols": pw.IsRequireSymbols, "is_require_uppercase": pw.IsRequireUppercase} {
				if v == nil {
					fe.Add("password_policy."+f, "is required")
				}
			}
			if pw.MinimumLength == nil {
				fe.Add("password_policy.minimum_length", "is required")
			}
			if pw.TemporaryPasswordValidityDays == nil {
				fe.Add("password_policy.temporary_password_validity_days", "is required")
			}
			if fe.Empty() {
				p.MinLength, p.TemporaryPasswordValidityDays = *pw.MinimumLength, *pw.TemporaryPasswordValidityDays
				p.Lowercase, p.Numbers, p.Symbols, p.Uppercase = *pw.IsRequireLowercase, *pw.IsRequireNumbers, *pw.IsRequireSymbols, *pw.IsRequireUppercase
			}
		}
	}
	if raw, ok := req["self_regist"]; ok {
		var sr struct {
			Enable *bool `json:"enable"`
		}
		switch err := json.Unmarshal(raw, &sr); {
		case err != nil:
			fe.Add("self_regist", "must be an object like {\"enable\": true}")
		case sr.Enable != nil:
			st.SelfSignUp = *sr.Enable
		}
	}
	if raw, ok := req["mfa_configuration"]; ok {
		var mc struct {
			Value *string `json:"mfa_configuration"`
		}
		switch err := json.Unmarshal(raw, &mc); {
		case err != nil:
			fe.Add("mfa_configuration", "must be an object like {\"mfa_configuration\": \"on\"}")
		case mc.Value == nil:
		case *mc.Value == "on" || *mc.Value == "optional":
			st.MFARequired = *mc.Value == "on"
		default:
			fe.Add("mfa_configuration.mfa_configuration", "must be on (every user signs in with an authenticator app) or optional (the users who turned it on)")
		}
	}
	for key, served := range servedSignInSettings {
		raw, ok := req[key]
		if !ok {
			continue
		}
		var got map[string]any
		if err := json.Unmarshal(raw, &got); err != nil {
			fe.Add(key, "must be an object")
			continue
		}
		for f, want := range served {
			if v, ok := got[f]; ok && v != want {
				fe.Add(key+"."+f, "must be %v: %s", want, servedWhy[key])
			}
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return empty(w, h.identity.SetSignInSettings(r.Context(), saasID(r), st))
}

func mfaConfiguration(required bool) string {
	if required {
		return "on"
	}
	return "optional"
}
