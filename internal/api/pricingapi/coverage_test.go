package pricingapi_test

import (
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// meteringCountOps are the upstream metering count operations (digest ids
// 19-27 and 32). They come with the metering issue, not with the catalog.
var meteringCountOps = []string{
	"GetMeteringUnitDateCountByTenantIdAndUnitNameAndDate",       // 19
	"UpdateMeteringUnitTimestampCount",                           // 20
	"DeleteMeteringUnitTimestampCount",                           // 21
	"GetMeteringUnitDateCountByTenantIdAndUnitNameToday",         // 22
	"UpdateMeteringUnitTimestampCountNow",                        // 23
	"GetMeteringUnitMonthCountByTenantIdAndUnitNameThisMonth",    // 24
	"GetMeteringUnitMonthCountByTenantIdAndUnitNameAndMonth",     // 25
	"GetMeteringUnitDateCountsByTenantIdAndDate",                 // 26
	"GetMeteringUnitMonthCountsByTenantIdAndMonth",               // 27
	"GetMeteringUnitDateCountByTenantIdAndUnitNameAndDatePeriod", // 32
}

// TestEveryUpstreamOperationHasAScenario fails for every upstream Pricing
// API operation that no scenario calls, except the metering counts. Each
// scenario's method and path are routed through the upstream document, so a
// scenario cannot claim an operation it does not call; TestScenarios checks
// the same at run time.
func TestEveryUpstreamOperationHasAScenario(t *testing.T) {
	t.Parallel()
	up := apitest.LoadUpstream(t)
	excluded := map[string]bool{}
	for _, op := range meteringCountOps {
		excluded[op] = true
	}
	all := map[string]bool{}
	for _, op := range up.OperationIDs() {
		all[op] = true
	}
	for op := range excluded {
		if !all[op] {
			t.Errorf("excluded operation %s is not in the upstream document: fix meteringCountOps", op)
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
		covered[got] = true
	}
	var missing []string
	for _, op := range up.OperationIDs() {
		if !covered[op] && !excluded[op] {
			missing = append(missing, op)
		}
	}
	if len(missing) > 0 {
		t.Errorf("upstream operations without a scenario (%d):\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
	t.Logf("%d upstream operations: %d covered by scenarios, %d metering count operations come with the metering issue",
		len(all), len(covered), len(excluded))
}
