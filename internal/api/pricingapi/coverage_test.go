package pricingapi_test

import (
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/api/meteringapi"
)

// servedElsewhere reports whether an upstream path belongs to package
// meteringapi (the metering counts, digest ids 19-27 and 32). Their
// scenarios live there, and its TestEveryMeteringOperationHasAScenario
// requires one per operation, in the test binary that runs them.
func servedElsewhere(path string) bool {
	return strings.HasPrefix(P+path, meteringapi.Prefix+"/")
}

// TestEveryUpstreamOperationHasAScenario fails for every upstream Pricing
// API operation that no scenario calls, except the metering counts (see
// servedElsewhere). Each scenario's method and path are routed through the
// upstream document, so a scenario cannot claim an operation it does not
// call; TestScenarios checks the same at run time.
func TestEveryUpstreamOperationHasAScenario(t *testing.T) {
	t.Parallel()
	up := apitest.LoadUpstream(t)
	excluded := map[string]bool{}
	for path, item := range up.Doc.Paths.Map() {
		if !servedElsewhere(path) {
			continue
		}
		for _, op := range item.Operations() {
			excluded[op.OperationID] = true
		}
	}
	covered := apitest.WantEveryOperation(t, up, apitest.Routes(P, scenarios), excluded)
	t.Logf("%d upstream operations: %d covered by scenarios here, %d metering count operations by package meteringapi",
		len(up.OperationIDs()), len(covered), len(excluded))
}
