package azemu

import "fmt"

// Event is what happens to a subscription: the publisher activates it, or
// an operation completes.
type Event string

// The events of the state machine.
const (
	EventActivate       Event = "Activate" // v2 activate, v1 subscribe (PUT)
	EventChangePlan     Event = "ChangePlan"
	EventChangeQuantity Event = "ChangeQuantity"
	EventRenew          Event = "Renew"
	EventSuspend        Event = "Suspend"    // payment not received
	EventDeactivate     Event = "Deactivate" // the Azure subscription was suspended (v1 Deactivated)
	EventReinstate      Event = "Reinstate"
	EventUnsubscribe    Event = "Unsubscribe"
)

// AllEvents lists every event, for tables.
var AllEvents = []Event{EventActivate, EventChangePlan, EventChangeQuantity, EventRenew, EventSuspend,
	EventDeactivate, EventReinstate, EventUnsubscribe}

// TransitionError is a refused transition.
type TransitionError struct {
	From  Status
	Event Event
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s is not allowed on a %s subscription", e.Event, e.From)
}

// Transition returns the state a subscription in from reaches through ev,
// or a *TransitionError when the marketplace refuses ev in that state:
//
//	PendingFulfillmentStart --Activate--> Subscribed
//	Subscribed --ChangePlan|ChangeQuantity|Renew--> Subscribed
//	Subscribed --Suspend--> Suspended
//	Subscribed --Deactivate--> Deactivated (v2: Suspended)
//	Suspended|Deactivated --Reinstate--> Subscribed
//	any but Unsubscribed --Unsubscribe--> Unsubscribed (terminal)
func Transition(from Status, ev Event) (Status, error) {
	to, ok := func() (Status, bool) {
		switch ev {
		case EventActivate:
			return StatusSubscribed, from == StatusPending
		case EventChangePlan, EventChangeQuantity, EventRenew:
			return StatusSubscribed, from == StatusSubscribed
		case EventSuspend:
			return StatusSuspended, from == StatusSubscribed
		case EventDeactivate:
			return StatusDeactivated, from == StatusSubscribed
		case EventReinstate:
			return StatusSubscribed, from == StatusSuspended || from == StatusDeactivated
		case EventUnsubscribe:
			return StatusUnsubscribed, from != StatusUnsubscribed
		}
		return "", false
	}()
	if !ok {
		return from, &TransitionError{From: from, Event: ev}
	}
	return to, nil
}

// eventOf is the event an operation's action causes.
func eventOf(a Action) Event {
	if a == ActionSubscribe {
		return EventActivate
	}
	return Event(a)
}
