package azemu

import (
	"errors"
	"testing"
)

// TestTransition checks every (state, event) pair of the state machine.
func TestTransition(t *testing.T) {
	const no = Status("") // refused
	P, S, Su, D, U := StatusPending, StatusSubscribed, StatusSuspended, StatusDeactivated, StatusUnsubscribed
	want := map[Status]map[Event]Status{
		P: {EventActivate: S, EventChangePlan: no, EventChangeQuantity: no, EventRenew: no, EventSuspend: no,
			EventDeactivate: no, EventReinstate: no, EventUnsubscribe: U},
		S: {EventActivate: no, EventChangePlan: S, EventChangeQuantity: S, EventRenew: S, EventSuspend: Su,
			EventDeactivate: D, EventReinstate: no, EventUnsubscribe: U},
		Su: {EventActivate: no, EventChangePlan: no, EventChangeQuantity: no, EventRenew: no, EventSuspend: no,
			EventDeactivate: no, EventReinstate: S, EventUnsubscribe: U},
		D: {EventActivate: no, EventChangePlan: no, EventChangeQuantity: no, EventRenew: no, EventSuspend: no,
			EventDeactivate: no, EventReinstate: S, EventUnsubscribe: U},
		U: {EventActivate: no, EventChangePlan: no, EventChangeQuantity: no, EventRenew: no, EventSuspend: no,
			EventDeactivate: no, EventReinstate: no, EventUnsubscribe: no},
	}
	if len(want) != len(AllStatuses) {
		t.Fatalf("table has %d states, want %d", len(want), len(AllStatuses))
	}
	for _, from := range AllStatuses {
		row := want[from]
		if len(row) != len(AllEvents) {
			t.Fatalf("row %s has %d events, want %d", from, len(row), len(AllEvents))
		}
		for _, ev := range AllEvents {
			to, err := Transition(from, ev)
			exp := row[ev]
			if exp == no {
				var te *TransitionError
				if !errors.As(err, &te) || to != from {
					t.Errorf("Transition(%s, %s) = %s, %v; want refused", from, ev, to, err)
				}
				continue
			}
			if err != nil || to != exp {
				t.Errorf("Transition(%s, %s) = %s, %v; want %s", from, ev, to, err, exp)
			}
		}
	}
}

func TestStatusNames(t *testing.T) {
	for _, tc := range []struct {
		s      Status
		v1, v2 string
	}{
		{StatusPending, "Pending", "PendingFulfillmentStart"},
		{StatusSubscribed, "Subscribed", "Subscribed"},
		{StatusSuspended, "Suspended", "Suspended"},
		{StatusDeactivated, "Deactivated", "Suspended"},
		{StatusUnsubscribed, "Unsubscribed", "Unsubscribed"},
	} {
		if tc.s.V1() != tc.v1 || tc.s.V2() != tc.v2 {
			t.Errorf("%s: v1 %q v2 %q, want %q %q", tc.s, tc.s.V1(), tc.s.V2(), tc.v1, tc.v2)
		}
	}
	if OpInProgress.V1() != "In Progress" || OpSucceeded.V1() != "Succeeded" {
		t.Errorf("v1 operation status spelling")
	}
}
