package tenant

import (
	"testing"
	"time"
)

// TestHistoryAt: a due reservation counts as applied at its time, never
// before the last entry; one not yet due changes nothing; the tenant's
// history is not changed.
func TestHistoryAt(t *testing.T) {
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	base := []PlanHistory{{PlanID: "a", AppliedAt: t0}}
	for _, tc := range []struct {
		name     string
		res      *Reservation
		now      time.Time
		wantLen  int
		wantLast PlanHistory
	}{
		{"none", nil, t0.Add(time.Hour), 1, base[0]},
		{"not yet due", &Reservation{PlanID: "b", At: t0.Add(2 * time.Hour)}, t0.Add(time.Hour), 1, base[0]},
		{"due", &Reservation{PlanID: "b", At: t0.Add(time.Hour), TaxRateID: "tax"}, t0.Add(time.Hour), 2,
			PlanHistory{PlanID: "b", AppliedAt: t0.Add(time.Hour), TaxRateID: "tax"}},
		{"due before the last entry", &Reservation{PlanID: "", At: t0.Add(-time.Hour)}, t0.Add(time.Hour), 2,
			PlanHistory{PlanID: "", AppliedAt: t0}},
	} {
		tn := Tenant{History: append([]PlanHistory(nil), base...), Reservation: tc.res}
		got := tn.HistoryAt(tc.now)
		if len(got) != tc.wantLen || got[len(got)-1].PlanID != tc.wantLast.PlanID || !got[len(got)-1].AppliedAt.Equal(tc.wantLast.AppliedAt) ||
			got[len(got)-1].TaxRateID != tc.wantLast.TaxRateID {
			t.Errorf("%s: HistoryAt = %+v, want %d entries ending %+v", tc.name, got, tc.wantLen, tc.wantLast)
		}
		if len(tn.History) != 1 {
			t.Errorf("%s: the tenant's history became %+v", tc.name, tn.History)
		}
	}
}
