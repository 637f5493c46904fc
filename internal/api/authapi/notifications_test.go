package authapi_test

import (
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// Notification messages: the templates of the users' mail, in force.

func init() { scenarios = append(scenarios, notificationScenarios...) }

func templates(message string) obj {
	out := obj{}
	for _, n := range []string{"sign_up", "create_user", "resend_code", "forgot_password", "update_user_attribute", "verify_user_attribute",
		"authentication_mfa", "invite_tenant_user", "verify_external_user"} {
		out[n] = obj{"subject": "[{service}] " + n, "message": message}
	}
	return out
}

var notificationScenarios = []scenario{
	{name: "notification messages/defaults", op: "FindNotificationMessages", method: "GET", path: "/notification-messages", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			cu := r.JSON(t)["create_user"].(obj)
			if !strings.Contains(cu["message"].(string), "{####}") || !strings.Contains(cu["subject"].(string), "{service}") {
				t.Errorf("create_user %v", cu)
			}
		}},
	{name: "notification messages/in force", op: "UpdateNotificationMessages", method: "PUT", path: "/notification-messages",
		body: apitest.Static(templates("Hi {username}, use {####} until {until}.")), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantFields(t, "GET", get(t, e.c, A+"/notification-messages"), obj{"sign_up": obj{"subject": "[{service}] sign_up",
				"message": "Hi {username}, use {####} until {until}."}})
			e.c.Do(t, "POST", A+"/sign-up", obj{"email": "dee@example.com"}).Want(t, 201)
			m := mailTo(t, e, "dee@example.com")
			if !strings.HasPrefix(m["subject"].(string), "[apitest ") || !strings.HasSuffix(m["subject"].(string), "] sign_up") ||
				!strings.HasPrefix(m["text"].(string), "Hi dee@example.com, use ") || strings.Contains(m["text"].(string), "{") {
				t.Errorf("the mail after the templates changed: %v", m)
			}
		}},
	{name: "notification messages/no placeholder", op: "UpdateNotificationMessages", method: "PUT", path: "/notification-messages",
		body: apitest.Static(templates("Hello")), status: 400},
}
