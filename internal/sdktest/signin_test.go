package sdktest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/sigv1"
)

// call makes one signed API call and decodes its JSON answer.
func call(t *testing.T, base string, creds map[string]string, method, path string, body any, want int) map[string]any {
	t.Helper()
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	req, err := http.NewRequest(method, base+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	sig := sigv1.Sign([]byte(creds["SAASUS_SECRET_KEY"]), time.Now(), creds["SAASUS_API_KEY"], method, strings.TrimPrefix(base, "http://")+path, raw)
	req.Header.Set("Authorization", sigv1.Header{Sig: sig, SaaSID: creds["SAASUS_SAAS_ID"], APIKey: creds["SAASUS_API_KEY"]}.Format())
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, res.StatusCode, b, want)
	}
	out := map[string]any{}
	_ = json.Unmarshal(b, &out)
	return out
}

// signedInUser makes a user who belongs to a tenant with a role, signs
// them in on the hosted page as a browser would, and returns the user's
// id and the temporary code the page's redirect carried.
func signedInUser(t *testing.T, base string, creds map[string]string) (userID, code string) {
	t.Helper()
	const email, password = "sdk@example.com", "Sup3r-secret"
	userID = call(t, base, creds, "POST", "/v1/auth/users", map[string]any{"email": email, "password": password}, 201)["id"].(string)
	tenantID := call(t, base, creds, "POST", "/v1/auth/tenants", map[string]any{"name": "sdk tenant", "attributes": map[string]any{},
		"back_office_staff_email": "ops@example.com"}, 201)["id"].(string)
	call(t, base, creds, "POST", "/v1/auth/tenants/"+tenantID+"/users", map[string]any{"email": email, "attributes": map[string]any{}}, 201)
	call(t, base, creds, "POST", "/v1/auth/roles", map[string]any{"role_name": "admin", "display_name": "Admin"}, 201)
	call(t, base, creds, "POST", "/v1/auth/tenants/"+tenantID+"/users/"+userID+"/envs/3/roles", map[string]any{"role_names": []string{"admin"}}, 201)
	call(t, base, creds, "PUT", "/v1/auth/auth-info", map[string]any{"callback_url": "https://app.example.com/callback"}, 200)

	return userID, apitest.NewBrowser(t, base).SignIn(creds["SAASUS_SAAS_ID"], email, password)
}
