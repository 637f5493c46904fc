package aws

import (
	"slices"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/errs"
)

func TestPlanLinkValidate(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"a", "normal_plan_name_month", "Plan_12_Month", strings.Repeat("x", 36), "_"} {
		if err := (PlanLink{PlanName: name, PlanID: "p"}).Validate(); err != nil {
			t.Errorf("plan name %q: %v", name, err)
		}
	}
	for _, name := range []string{"", strings.Repeat("x", 37), "a-b", "a b", "ä", "a/b", "plan.name"} {
		err := PlanLink{PlanName: name, PlanID: "p"}.Validate()
		if !slices.Equal(errs.FieldNames(err), []string{"plan_name"}) {
			t.Errorf("plan name %q: %v, want an error on plan_name", name, err)
		}
	}
	if err := (PlanLink{PlanName: "a"}).Validate(); !slices.Equal(errs.FieldNames(err), []string{"plan_id"}) {
		t.Errorf("empty plan id: %v", err)
	}
}
