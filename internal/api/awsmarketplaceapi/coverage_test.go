package awsmarketplaceapi_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// servedLater are the upstream operations that need AWS itself (resolving a
// registration token, reading entitlements). The lead serves them later,
// with the AWS client; until then they answer 404.
var servedLater = map[string]bool{
	"CreateCustomer":          true,
	"GetCustomers":            true,
	"GetCustomer":             true,
	"SyncCustomer":            true,
	"VerifyRegistrationToken": true,
}

// TestEveryUpstreamOperationHasAScenario fails for every upstream AWS
// Marketplace API operation that no scenario calls, except those served
// later. Each scenario's method and path are routed through the upstream
// document, so a scenario cannot claim an operation it does not call.
func TestEveryUpstreamOperationHasAScenario(t *testing.T) {
	t.Parallel()
	up := apitest.LoadUpstreamDoc(t, apitest.AWSMarketplaceDoc)
	all := map[string]bool{}
	for _, op := range up.OperationIDs() {
		all[op] = true
	}
	for op := range servedLater {
		if !all[op] {
			t.Errorf("servedLater names %s, which upstream does not have", op)
		}
	}
	covered := map[string]bool{}
	for _, sc := range scenarios {
		path := P + strings.NewReplacer("{", "", "}", "").Replace(sc.path)
		got := up.OperationID(sc.method, path)
		if got == "" {
			t.Errorf("scenario %q: %s %s is no upstream operation", sc.name, sc.method, sc.path)
			continue
		}
		if got != sc.op {
			t.Errorf("scenario %q: %s %s is upstream %s, the scenario says %s", sc.name, sc.method, sc.path, got, sc.op)
		}
		if servedLater[got] {
			t.Errorf("scenario %q calls %s, listed as served later: remove it from servedLater", sc.name, got)
		}
		covered[got] = true
	}
	var missing []string
	for op := range all {
		if !covered[op] && !servedLater[op] {
			missing = append(missing, op)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("upstream operations without a scenario (%d):\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
	t.Logf("%d upstream operations: %d covered by scenarios, %d served later", len(all), len(covered), len(servedLater))
}

// TestOperationsServedLaterAnswer404 pins the routes not served yet: they
// are unknown routes, not half-implemented ones.
func TestOperationsServedLaterAnswer404(t *testing.T) {
	t.Parallel()
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		c := apitest.NewServer(t, b.DB).NewSaaS(t)
		for _, r := range []struct{ method, path string }{
			{"GET", "/customers"},
			{"POST", "/customers"},
			{"GET", "/customers/123456789012"},
			{"POST", "/customers/123456789012/sync"},
			{"POST", "/registration-token/verify"},
		} {
			c.Do(t, r.method, P+r.path, nil).WantError(t, 404, "not_found")
		}
	})
}
