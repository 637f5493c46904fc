package authapi_test

import (
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// The SaaS-wide settings: auth-info and basic-info.

func init() { scenarios = append(scenarios, settingScenarios...) }

var settingScenarios = []scenario{
	{name: "auth-info/unset", op: "GetAuthInfo", method: "GET", path: "/auth-info", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"callback_url": ""})
		}},
	{name: "auth-info/set", op: "UpdateAuthInfo", method: "PUT", path: "/auth-info",
		body: apitest.Static(obj{"callback_url": "https://app.example.com/callback?from=saasplane"}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "GET /auth-info", get(t, e.c, A+"/auth-info"), obj{"callback_url": "https://app.example.com/callback?from=saasplane"})
			apitest.WantJSONEqual(t, "another SaaS's", get(t, e.other(t), A+"/auth-info"), obj{"callback_url": ""})
		}},
	{name: "basic-info/unset", op: "GetBasicInfo", method: "GET", path: "/basic-info", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			b := r.JSON(t)
			none := obj{"type": "CNAME", "name": "", "value": ""}
			apitest.WantFields(t, "body", b, obj{"domain_name": "", "is_dns_validated": true, "certificate_dns_record": none,
				"cloud_front_dns_record": none, "dkim_dns_records": []any{}, "from_email_address": "", "reply_email_address": "",
				"is_ses_sandbox_granted": true})
			if d, _ := b["default_domain_name"].(string); d == "" || !strings.Contains(e.c.Server.URL, d) {
				t.Errorf("default_domain_name %q, want the host of the server's URL %s", d, e.c.Server.URL)
			}
		}},
	{name: "basic-info/set", op: "UpdateBasicInfo", method: "PUT", path: "/basic-info",
		body: apitest.Static(obj{"domain_name": "app.example.com", "from_email_address": "no-reply@example.com"}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantFields(t, "GET /basic-info", get(t, e.c, A+"/basic-info"), obj{"domain_name": "app.example.com",
				"from_email_address": "no-reply@example.com", "reply_email_address": ""})
			// Setting the callback URL keeps these, and the other way round.
			e.c.OKEmpty(t, "PUT", A+"/auth-info", obj{"callback_url": "http://localhost:3000/callback"})
			apitest.WantFields(t, "GET /basic-info after auth-info", get(t, e.c, A+"/basic-info"), obj{"domain_name": "app.example.com"})
			e.c.OKEmpty(t, "PUT", A+"/basic-info", obj{"domain_name": "example.org", "from_email_address": "a@example.org", "reply_email_address": "help@example.org"})
			apitest.WantJSONEqual(t, "GET /auth-info after basic-info", get(t, e.c, A+"/auth-info"), obj{"callback_url": "http://localhost:3000/callback"})
		}},
}

// TestSettingsBadInput: a callback URL the sign-in could be turned
// against, or a malformed domain or address, is 400 naming the field.
func TestSettingsBadInput(t *testing.T) {
	t.Parallel()
	var cases []outcome
	for name, u := range map[string]string{
		"empty":          "",
		"relative":       "/callback",
		"no host":        "https:///callback",
		"javascript":     "javascript:alert(1)",
		"data":           "data:text/html,hi",
		"protocol-less":  "//evil.example/callback",
		"user info":      "https://user:pw@app.example.com/callback",
		"fragment":       "https://app.example.com/callback#x",
		"too long":       "https://app.example.com/" + strings.Repeat("a", 2048),
		"ftp":            "ftp://app.example.com/callback",
		"spaces in host": "https://app example.com/callback",
	} {
		cases = append(cases, invalid("callback: "+name, nil, "PUT", "/auth-info", obj{"callback_url": u}, "callback_url"))
	}
	cases = append(cases,
		invalid("callback: missing", nil, "PUT", "/auth-info", obj{}, "callback_url"),
		invalid("basic: missing", nil, "PUT", "/basic-info", obj{}, "domain_name", "from_email_address"),
		invalid("basic: bad domain", nil, "PUT", "/basic-info", obj{"domain_name": "example", "from_email_address": "a@example.com"}, "domain_name"),
		invalid("basic: bad addresses", nil, "PUT", "/basic-info", obj{"domain_name": "example.com", "from_email_address": "nobody", "reply_email_address": "Ann <a@example.com>"},
			"from_email_address", "reply_email_address"),
	)
	runOutcomes(t, cases)
}
