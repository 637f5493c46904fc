package authapi_test

import (
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// The envs and roles of the SaaS's user pool.

func init() { scenarios = append(scenarios, userPoolScenarios...) }

var prodEnv = obj{"id": float64(3), "name": "prod", "display_name": "Production"}

// withEnvsAndRoles adds envs 1 (dev) and 2 (stg) and roles admin and user.
func withEnvsAndRoles(t *testing.T, e *env) {
	t.Helper()
	e.c.Do(t, "POST", A+"/envs", obj{"id": 2, "name": "stg", "display_name": "Staging"}).Want(t, 201)
	e.c.Do(t, "POST", A+"/envs", obj{"id": 1, "name": "dev", "display_name": "開発環境"}).Want(t, 201)
	e.c.Do(t, "POST", A+"/roles", obj{"role_name": "user", "display_name": "User"}).Want(t, 201)
	e.c.Do(t, "POST", A+"/roles", obj{"role_name": "admin", "display_name": "管理者"}).Want(t, 201)
}

func envsOf(t *testing.T, e *env) any {
	return e.c.Do(t, "GET", A+"/envs", nil).Want(t, 200).JSON(t)["envs"]
}

func rolesOf(t *testing.T, e *env) any {
	return e.c.Do(t, "GET", A+"/roles", nil).Want(t, 200).JSON(t)["roles"]
}

var userPoolScenarios = []scenario{
	{name: "envs/list/a new SaaS has its production env", op: "GetEnvs", method: "GET", path: "/envs", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"envs": []any{prodEnv}})
		}},
	{name: "envs/list/by id", op: "GetEnvs", setup: withEnvsAndRoles, method: "GET", path: "/envs", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "envs", r.JSON(t)["envs"], []any{
				obj{"id": float64(1), "name": "dev", "display_name": "開発環境"},
				obj{"id": float64(2), "name": "stg", "display_name": "Staging"}, prodEnv})
			if got := e.other(t).Do(t, "GET", A+"/envs", nil).Want(t, 200).JSON(t)["envs"]; len(got.([]any)) != 1 {
				t.Errorf("another SaaS sees envs %v, want only its own production env", got)
			}
		}},
	{name: "envs/create", op: "CreateEnv", method: "POST", path: "/envs",
		body: apitest.Static(obj{"id": 9007199254740991, "name": "qa_1", "display_name": "QA"}), status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			want := obj{"id": float64(9007199254740991), "name": "qa_1", "display_name": "QA"}
			apitest.WantJSONEqual(t, "body", r.JSON(t), want)
			apitest.WantJSONEqual(t, "GET /envs/{id}", e.c.Do(t, "GET", A+"/envs/9007199254740991", nil).Want(t, 200).JSON(t), want)
		}},
	{name: "envs/create/no display name", op: "CreateEnv", method: "POST", path: "/envs",
		body: apitest.Static(obj{"id": 7, "name": "sandbox"}), status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"id": float64(7), "name": "sandbox", "display_name": ""})
		}},
	{name: "envs/get", op: "GetEnv", method: "GET", path: "/envs/3", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) { apitest.WantJSONEqual(t, "body", r.JSON(t), prodEnv) }},
	{name: "envs/get/unknown", op: "GetEnv", method: "GET", path: "/envs/4", status: 404,
		check: func(t *testing.T, e *env, r *apitest.Response) { r.WantError(t, 404, "not_found") }},
	{name: "envs/update", op: "UpdateEnv", setup: withEnvsAndRoles, method: "PATCH", path: "/envs/3",
		body: apitest.Static(obj{"name": "production", "display_name": "本番環境"}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "env 3", e.c.Do(t, "GET", A+"/envs/3", nil).Want(t, 200).JSON(t),
				obj{"id": float64(3), "name": "production", "display_name": "本番環境"})
		}},
	{name: "envs/update/unknown", op: "UpdateEnv", method: "PATCH", path: "/envs/8",
		body: apitest.Static(obj{"name": "x"}), status: 404,
		check: func(t *testing.T, e *env, r *apitest.Response) { r.WantError(t, 404, "not_found") }},
	{name: "envs/delete", op: "DeleteEnv", setup: withEnvsAndRoles, method: "DELETE", path: "/envs/1", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			e.c.Do(t, "GET", A+"/envs/1", nil).WantError(t, 404, "not_found")
			e.c.Do(t, "DELETE", A+"/envs/1", nil).WantError(t, 404, "not_found")
			if got := envsOf(t, e).([]any); len(got) != 2 {
				t.Errorf("envs after the delete: %v", got)
			}
		}},
	{name: "envs/delete/the production env stays", op: "DeleteEnv", method: "DELETE", path: "/envs/3", status: 400,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			r.WantError(t, 400, "default_env")
			apitest.WantJSONEqual(t, "envs", envsOf(t, e), []any{prodEnv})
		}},

	{name: "roles/list/empty", op: "GetRoles", method: "GET", path: "/roles", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"roles": []any{}})
		}},
	{name: "roles/list/creation order", op: "GetRoles", setup: withEnvsAndRoles, method: "GET", path: "/roles", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "roles", r.JSON(t)["roles"], []any{
				obj{"role_name": "user", "display_name": "User"}, obj{"role_name": "admin", "display_name": "管理者"}})
		}},
	{name: "roles/create", op: "CreateRole", method: "POST", path: "/roles",
		body: apitest.Static(obj{"role_name": "billing-admin", "display_name": ""}), status: 201,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "body", r.JSON(t), obj{"role_name": "billing-admin", "display_name": ""})
			apitest.WantJSONEqual(t, "roles", rolesOf(t, e), []any{obj{"role_name": "billing-admin", "display_name": ""}})
		}},
	{name: "roles/update", op: "UpdateRole", setup: withEnvsAndRoles, method: "PATCH", path: "/roles/admin",
		body: apitest.Static(obj{"display_name": "Administrator"}), status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "roles", rolesOf(t, e), []any{
				obj{"role_name": "user", "display_name": "User"}, obj{"role_name": "admin", "display_name": "Administrator"}})
		}},
	{name: "roles/update/unknown", op: "UpdateRole", method: "PATCH", path: "/roles/admin",
		body: apitest.Static(obj{"display_name": "x"}), status: 404,
		check: func(t *testing.T, e *env, r *apitest.Response) { r.WantError(t, 404, "not_found") }},
	{name: "roles/delete", op: "DeleteRole", setup: withEnvsAndRoles, method: "DELETE", path: "/roles/user", status: 200,
		check: func(t *testing.T, e *env, r *apitest.Response) {
			apitest.WantJSONEqual(t, "roles", rolesOf(t, e), []any{obj{"role_name": "admin", "display_name": "管理者"}})
			e.c.Do(t, "DELETE", A+"/roles/user", nil).WantError(t, 404, "not_found")
		}},
}

// TestUserPoolBadInput: every malformed or conflicting env and role
// request gets a 400 naming the field, and changes nothing.
func TestUserPoolBadInput(t *testing.T) {
	t.Parallel()
	name101 := "a" + strings.Repeat("b", 100)
	runOutcomes(t, []outcome{
		invalid("env without id", nil, "POST", "/envs", obj{"name": "dev"}, "id"),
		invalid("env without name", nil, "POST", "/envs", obj{"id": 1}, "name"),
		invalid("env id 0", nil, "POST", "/envs", obj{"id": 0, "name": "dev"}, "id"),
		invalid("env id negative", nil, "POST", "/envs", obj{"id": -1, "name": "dev"}, "id"),
		invalid("env id fractional", nil, "POST", "/envs", obj{"id": 1.5, "name": "dev"}, "id"),
		invalid("env id past 2^53", nil, "POST", "/envs", obj{"id": 9007199254740992, "name": "dev"}, "id"),
		invalid("env id a string", nil, "POST", "/envs", obj{"id": "1", "name": "dev"}, "id"),
		invalid("env name with a space", nil, "POST", "/envs", obj{"id": 1, "name": "my env"}, "name"),
		invalid("env name too long", nil, "POST", "/envs", obj{"id": 1, "name": name101}, "name"),
		invalid("env name empty", nil, "POST", "/envs", obj{"id": 1, "name": ""}, "name"),
		{name: "env id taken", method: "POST", path: "/envs", body: apitest.Static(obj{"id": 3, "name": "other"}),
			status: 400, typ: "duplicate_id", fields: []string{"id"}},
		{name: "env name taken", method: "POST", path: "/envs", body: apitest.Static(obj{"id": 4, "name": "prod"}),
			status: 400, typ: "duplicate_name", fields: []string{"name"}},
		{name: "rename to a taken name", setup: withEnvsAndRoles, method: "PATCH", path: "/envs/1", body: apitest.Static(obj{"name": "stg"}),
			status: 400, typ: "duplicate_name", fields: []string{"name"}},
		invalid("rename without name", nil, "PATCH", "/envs/3", obj{"display_name": "x"}, "name"),
		invalid("env path not a number", nil, "GET", "/envs/prod", nil, "env_id"),
		invalid("env path zero", nil, "DELETE", "/envs/0", nil, "env_id"),
		invalid("role without name", nil, "POST", "/roles", obj{"display_name": "x"}, "role_name"),
		invalid("role without display name", nil, "POST", "/roles", obj{"role_name": "x"}, "display_name"),
		invalid("role name with a slash", nil, "POST", "/roles", obj{"role_name": "a/b", "display_name": ""}, "role_name"),
		invalid("role display name not text", nil, "POST", "/roles", obj{"role_name": "a", "display_name": 5}, "display_name"),
		{name: "role name taken", setup: withEnvsAndRoles, method: "POST", path: "/roles", body: apitest.Static(obj{"role_name": "admin", "display_name": "x"}),
			status: 400, typ: "duplicate_name", fields: []string{"role_name"},
			after: func(t *testing.T, e *env, _ *apitest.Response) {
				if got := rolesOf(t, e).([]any); len(got) != 2 {
					t.Errorf("roles after a refused create: %v", got)
				}
			}},
		invalid("role update without display name", withEnvsAndRoles, "PATCH", "/roles/admin", obj{}, "display_name"),
	})
}
