package awsmarketplaceapi_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// servedLater are upstream operations not served yet (none now).
var servedLater = map[string]bool{}

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
