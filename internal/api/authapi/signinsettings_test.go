package authapi_test

import (
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// Sign-in settings: the password policy is the SaaS's and in force.

func init() { scenarios = append(scenarios, signInSettingScenarios...) }

func policy(min int, upper bool, days int) obj {
	return obj{"minimum_length": min, "is_require_lowercase": true, "is_require_numbers": true, "is_require_symbols": false,
		"is_require_uppercase": upper, "temporary_password_validity_days": days}
}

var signInSettingScenarios = []scenario{
	{name: "sign-in settings/defaults", op: "GetSignInSettings", method: "GET", path: "/sign-in-settings", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantFields(t, "settings", r.JSON(t), obj{
				"password_policy": obj{"minimum_length": float64(8), "is_require_lowercase": true, "is_require_numbers": true,
					"is_require_symbols": true, "is_require_uppercase": true, "temporary_password_validity_days": float64(7)},
				"mfa_configuration": obj{"mfa_configuration": "optional"}, "self_regist": obj{"enable": false}})
		}},
	{name: "sign-in settings/password policy in force", op: "UpdateSignInSettings", method: "PUT", path: "/sign-in-settings",
		body: apitest.Static(obj{"password_policy": policy(12, false, 3), "mfa_configuration": obj{"mfa_configuration": "optional"}}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantFields(t, "settings", get(t, e.c, A+"/sign-in-settings"), obj{"password_policy": obj{"minimum_length": float64(12),
				"is_require_lowercase": true, "is_require_numbers": true, "is_require_symbols": false, "is_require_uppercase": false,
				"temporary_password_validity_days": float64(3)}})
			// 11 characters are too few now; no symbol or capital is needed.
			e.c.Do(t, "POST", A+"/users", obj{"email": "a@example.com", "password": "abcdefgh12!"}).WantError(t, 400, "invalid_request", "password")
			e.c.Do(t, "POST", A+"/users", obj{"email": "a@example.com", "password": "abcdefghij12"}).Want(t, 201)
			if pw, _ := e.c.Do(t, "POST", A+"/users", obj{"sign_in_id": "gen"}).Want(t, 201).JSON(t)["password"].(string); len(pw) < 20 {
				t.Errorf("generated password %q", pw)
			}
		}},
	{name: "sign-in settings/bad policy", op: "UpdateSignInSettings", method: "PUT", path: "/sign-in-settings",
		body: apitest.Static(obj{"password_policy": policy(5, true, 400)}), status: 400},
	{name: "sign-in settings/self sign-up opens and closes", op: "UpdateSignInSettings", method: "PUT", path: "/sign-in-settings",
		body: apitest.Static(obj{"self_regist": obj{"enable": true}}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			got := get(t, e.c, A+"/sign-in-settings")
			apitest.WantFields(t, "settings", got, obj{"self_regist": obj{"enable": true}, "password_policy": got["password_policy"]})
			// Another change keeps it; closing it closes it.
			e.c.OKEmpty(t, "PUT", A+"/sign-in-settings", obj{"password_policy": policy(10, true, 7)})
			apitest.WantFields(t, "after a policy change", get(t, e.c, A+"/sign-in-settings"), obj{"self_regist": obj{"enable": true}})
			e.c.OKEmpty(t, "PUT", A+"/sign-in-settings", obj{"self_regist": obj{"enable": false}})
			apitest.WantFields(t, "closed", get(t, e.c, A+"/sign-in-settings"), obj{"self_regist": obj{"enable": false}})
		}},
	{name: "sign-in settings/mfa required", op: "UpdateSignInSettings", method: "PUT", path: "/sign-in-settings",
		body: apitest.Static(obj{"mfa_configuration": obj{"mfa_configuration": "on"}}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantFields(t, "settings", get(t, e.c, A+"/sign-in-settings"), obj{"mfa_configuration": obj{"mfa_configuration": "on"}})
		}},
	{name: "sign-in settings/mfa off is not a value", op: "UpdateSignInSettings", method: "PUT", path: "/sign-in-settings",
		body: apitest.Static(obj{"mfa_configuration": obj{"mfa_configuration": "off"}}), status: 400},
	{name: "sign-in settings/self sign-up not an object", op: "UpdateSignInSettings", method: "PUT", path: "/sign-in-settings",
		body: apitest.Static(obj{"self_regist": true}), status: 400},
	{name: "sign-in settings/unserved value", op: "UpdateSignInSettings", method: "PUT", path: "/sign-in-settings",
		body: apitest.Static(obj{"device_configuration": obj{"device_remembering": "always"}}), status: 400},
}
