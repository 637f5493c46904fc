package meteringapi_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/api/meteringapi"
)

// meteringOps are the upstream Pricing API operations this package serves:
// the metering counts (digest ids 19-27 and 32).
var meteringOps = []string{
	opDay,       // 19
	opUpdate,    // 20
	opDelete,    // 21
	opToday,     // 22
	opUpdateNow, // 23
	opThisMonth, // 24
	opMonth,     // 25
	opDayAll,    // 26
	opMonthAll,  // 27
	opPeriod,    // 32
}

// TestEveryMeteringOperationHasAScenario: meteringOps are exactly the
// upstream operations under meteringapi.Prefix (package pricingapi's
// coverage test leaves those to this one); the scenario table names each of
// them with the method and path upstream routes to it; and, once the
// scenarios have run in this test binary, the upstream document recorded a
// call of each.
func TestEveryMeteringOperationHasAScenario(t *testing.T) {
	t.Parallel()
	up := apitest.LoadUpstream(t)

	var underPrefix []string
	for path, item := range up.Doc.Paths.Map() {
		if strings.HasPrefix(P+path, meteringapi.Prefix+"/") {
			for _, op := range item.Operations() {
				underPrefix = append(underPrefix, op.OperationID)
			}
		}
	}
	slices.Sort(underPrefix)
	want := slices.Sorted(slices.Values(meteringOps))
	if !slices.Equal(underPrefix, want) {
		t.Errorf("upstream operations under %s:\n got %s\nwant %s", meteringapi.Prefix, strings.Join(underPrefix, ", "), strings.Join(want, ", "))
	}

	routes := make([]apitest.Route, len(scenarios))
	for i, sc := range scenarios {
		routes[i] = apitest.Route{Name: sc.name, Op: sc.op, Method: sc.method, Path: scenarioPath(sc, "46af35b5-60de-4cd8-9412-19a3a5d1f838")}
	}
	// Run the scenarios (on SQLite: routing does not depend on the backend)
	// and require the harness to have seen every operation.
	apitest.WantExercised(t, up, routes, meteringOps, func(t *testing.T) {
		runScenarios(t, apitest.Backend{Name: "sqlite", DB: apitest.OpenSQLite(t)})
	})
	t.Logf("%d upstream metering count operations served and exercised", len(meteringOps))
}
