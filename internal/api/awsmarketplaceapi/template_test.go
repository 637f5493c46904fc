package awsmarketplaceapi_test

import (
	"net/http"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestTemplateRoute: the seller template is served without a signature as
// YAML to anyone who knows the SaaS id, and an unknown SaaS is a JSON 404.
func TestTemplateRoute(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		srv := apitest.NewServer(t, b.DB)
		c := srv.NewSaaS(t)
		path := "/awsmarketplace/cloudformation/" + c.SaaSID + "/template.yaml"

		r := srv.Raw(t, "GET", path, nil, nil).Want(t, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/yaml") {
			t.Errorf("Content-Type %q, want text/yaml", ct)
		}
		var tpl map[string]any
		if err := yaml.Unmarshal(r.Body, &tpl); err != nil {
			t.Fatalf("template is not YAML: %v", err)
		}
		for _, k := range []string{"AWSTemplateFormatVersion", "Parameters", "Resources", "Outputs"} {
			if tpl[k] == nil {
				t.Errorf("template has no %s", k)
			}
		}
		// Signed or not, it is the same document.
		if signed := c.Do(t, "GET", path, nil).Want(t, http.StatusOK); string(signed.Body) != string(r.Body) {
			t.Error("a signed request got another template")
		}

		for _, unknown := range []string{"no-such-saas", "00000000-0000-0000-0000-000000000000"} {
			r := srv.Raw(t, "GET", "/awsmarketplace/cloudformation/"+unknown+"/template.yaml", nil, nil)
			r.WantError(t, http.StatusNotFound, "not_found")
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("404 Content-Type %q, want application/json", ct)
			}
		}
		srv.Raw(t, "POST", path, nil, nil).WantError(t, http.StatusMethodNotAllowed, "method_not_allowed")
		// Only template.yaml is served.
		srv.Raw(t, "GET", "/awsmarketplace/cloudformation/"+c.SaaSID+"/other.yaml", nil, nil).WantError(t, http.StatusNotFound, "not_found")
	})
}
