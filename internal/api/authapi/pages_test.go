package authapi_test

import (
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// How the hosted pages look: customize page settings and pages.

func init() { scenarios = append(scenarios, pageScenarios...) }

// pixelPNG is a 1×1 PNG in base64.
const pixelPNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

func pageSettingsBody(icon string) obj {
	return obj{"title": "Acme Cloud", "icon": icon, "favicon": "", "terms_of_service_url": "https://acme.example/terms",
		"privacy_policy_url": "https://acme.example/privacy", "google_tag_manager_container_id": "GTM-AB12", "is_sign_in_id_enabled": false}
}

var pageScenarios = []scenario{
	{name: "page settings/defaults", op: "GetCustomizePageSettings", method: "GET", path: "/customize-page-settings", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"title": "", "icon": "", "favicon": "", "terms_of_service_url": "",
				"privacy_policy_url": "", "google_tag_manager_container_id": "", "is_sign_in_id_enabled": true})
		}},
	{name: "page settings/set", op: "UpdateCustomizePageSettings", method: "PATCH", path: "/customize-page-settings",
		body: apitest.Static(pageSettingsBody(pixelPNG)), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			got := get(t, e.c, A+"/customize-page-settings")
			want := pageSettingsBody("data:image/png;base64," + pixelPNG)
			apitest.WantJSONEqual(t, "GET", got, want)
			// What GET answered goes back unchanged.
			e.c.OKEmpty(t, "PATCH", A+"/customize-page-settings", got)
			apitest.WantJSONEqual(t, "GET after a round trip", get(t, e.c, A+"/customize-page-settings"), want)
		}},
	{name: "page settings/not an image", op: "UpdateCustomizePageSettings", method: "PATCH", path: "/customize-page-settings",
		body: apitest.Static(pageSettingsBody("PHN2Zz48L3N2Zz4=")), status: 400, // an SVG
		check: func(t *testing.T, e *env, r *apitest.Response) {
			if !strings.Contains(r.JSON(t)["message"].(string), "icon") {
				t.Errorf("message %v does not name icon", r.JSON(t))
			}
		}},
	{name: "customize pages/defaults", op: "GetCustomizePages", method: "GET", path: "/customize-pages", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			none := obj{"html_contents": "", "is_terms_of_service": false, "is_privacy_policy": false}
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"sign_up_page": none, "sign_in_page": none, "password_reset_page": none})
		}},
	{name: "customize pages/set", op: "UpdateCustomizePages", method: "PATCH", path: "/customize-pages",
		body: apitest.Static(obj{"sign_in_page": obj{"html_contents": "<p>Hi</p>", "is_terms_of_service": true, "is_privacy_policy": false}}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantFields(t, "GET", get(t, e.c, A+"/customize-pages"), obj{
				"sign_in_page": obj{"html_contents": "<p>Hi</p>", "is_terms_of_service": true, "is_privacy_policy": false}})
		}},
	{name: "customize pages/bad page", op: "UpdateCustomizePages", method: "PATCH", path: "/customize-pages",
		body: apitest.Static(obj{"sign_in_page": "x"}), status: 400},
}
