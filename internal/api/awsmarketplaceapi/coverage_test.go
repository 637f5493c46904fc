package awsmarketplaceapi_test

import (
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
	covered := apitest.WantEveryOperation(t, up, apitest.Routes(P, scenarios), servedLater)
	for op := range servedLater {
		if covered[op] {
			t.Errorf("a scenario calls %s, listed as served later: remove it from servedLater", op)
		}
	}
	t.Logf("%d upstream operations: %d covered by scenarios, %d served later", len(all), len(covered), len(servedLater))
}
