package azemu

import "time"

// The marketplace's JSON shapes, shared by the HTTP layer and the webhook
// bodies, with Azure's field names.

// WireTime is how the marketplace writes times: RFC 3339 in UTC.
func WireTime(t time.Time) string {
	if t.IsZero() {
		return "0001-01-01T00:00:00"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// User is a beneficiary or purchaser.
type User struct {
	EmailID  string `json:"emailId"`
	ObjectID string `json:"objectId"`
	TenantID string `json:"tenantId"`
	PUID     string `json:"puid"`
}

// Term is a subscription's term.
type Term struct {
	StartDate      string `json:"startDate,omitempty"`
	EndDate        string `json:"endDate,omitempty"`
	TermUnit       string `json:"termUnit"`
	ChargeDuration *int   `json:"chargeDuration"`
}

// SubscriptionV2 is a v2 Subscription.
type SubscriptionV2 struct {
	ID                        string   `json:"id"`
	PublisherID               string   `json:"publisherId"`
	OfferID                   string   `json:"offerId"`
	Name                      string   `json:"name"`
	SaaSSubscriptionStatus    string   `json:"saasSubscriptionStatus"`
	Beneficiary               User     `json:"beneficiary"`
	Purchaser                 User     `json:"purchaser"`
	PlanID                    string   `json:"planId"`
	Quantity                  *int64   `json:"quantity,omitempty"`
	Term                      Term     `json:"term"`
	AutoRenew                 bool     `json:"autoRenew"`
	IsTest                    bool     `json:"isTest"`
	IsFreeTrial               bool     `json:"isFreeTrial"`
	AllowedCustomerOperations []string `json:"allowedCustomerOperations"`
	SandboxType               string   `json:"sandboxType"`
	SessionMode               string   `json:"sessionMode"`
	Created                   string   `json:"created"`
	LastModified              string   `json:"lastModified"`
}

// ToV2 renders a subscription as v2 shows it.
func (sub Subscription) ToV2() SubscriptionV2 {
	u := User{EmailID: sub.BeneficiaryEmail, ObjectID: sub.BeneficiaryOID, TenantID: sub.BeneficiaryTID, PUID: "1003BFFD" + sub.BeneficiaryOID[:8]}
	v := SubscriptionV2{ID: sub.ID, PublisherID: sub.SaaSID, OfferID: sub.OfferID, Name: sub.Name,
		SaaSSubscriptionStatus: sub.Status.V2(), Beneficiary: u, Purchaser: u, PlanID: sub.PlanID,
		Term: Term{TermUnit: sub.TermUnit}, AutoRenew: sub.AutoRenew, IsTest: true,
		AllowedCustomerOperations: []string{"Delete", "Update", "Read"}, SandboxType: "None", SessionMode: "None",
		Created: WireTime(sub.CreatedAt), LastModified: WireTime(sub.UpdatedAt)}
	if sub.Quantity > 0 {
		q := sub.Quantity
		v.Quantity = &q
	}
	if !sub.TermStart.IsZero() {
		v.Term.StartDate, v.Term.EndDate = WireTime(sub.TermStart), WireTime(sub.TermEnd)
	}
	if sub.DryRun {
		v.SessionMode = "DryRun"
	}
	return v
}

// OperationV2 is a v2 Operation.
type OperationV2 struct {
	ID                     string `json:"id"`
	ActivityID             string `json:"activityId"`
	SubscriptionID         string `json:"subscriptionId"`
	OfferID                string `json:"offerId"`
	PublisherID            string `json:"publisherId"`
	PlanID                 string `json:"planId"`
	Quantity               *int64 `json:"quantity,omitempty"`
	Action                 string `json:"action"`
	TimeStamp              string `json:"timeStamp"`
	Status                 string `json:"status"`
	OperationRequestSource string `json:"operationRequestSource"`
	ErrorStatusCode        string `json:"errorStatusCode"`
	ErrorMessage           string `json:"errorMessage"`
}

// ToV2 renders an operation as v2 shows it; offerID is its subscription's
// offer.
func (op Operation) ToV2(offerID string) OperationV2 {
	v := OperationV2{ID: op.ID, ActivityID: op.ActivityID, SubscriptionID: op.SubscriptionID, OfferID: offerID,
		PublisherID: op.SaaSID, PlanID: op.PlanID, Action: string(op.Action), TimeStamp: WireTime(op.CreatedAt),
		Status: string(op.Status), OperationRequestSource: string(op.Source), ErrorStatusCode: op.ErrorCode,
		ErrorMessage: op.ErrorMessage}
	if op.Action == ActionDeactivate {
		v.Action = string(ActionSuspend) // v2 knows no Deactivate
	}
	if op.Quantity > 0 {
		q := op.Quantity
		v.Quantity = &q
	}
	return v
}

// WebhookV2 is the body of a v2 webhook call.
type WebhookV2 struct {
	OperationV2
	Subscription  SubscriptionV2 `json:"subscription"`
	PurchaseToken *string        `json:"purchaseToken"`
}

// WebhookV1 is the body of a v1 (2017-04-15) webhook call.
type WebhookV1 struct {
	ID                     string `json:"id"`
	ActivityID             string `json:"activityId"`
	SubscriptionID         string `json:"subscriptionId"`
	PublisherID            string `json:"publisherId"`
	OfferID                string `json:"offerId"`
	PlanID                 string `json:"planId"`
	Action                 string `json:"action"`
	OperationRequestSource string `json:"operationRequestSource"`
	TimeStamp              string `json:"timeStamp"`
}

// V1Action names an action in a v1 webhook vocabulary: "sample" (the
// seed's JSON example: Subscribe, Unsubscribe, ChangePlan) or "table" (its
// field table: Activate, Delete, Update). Both send Suspend, Reinstate and
// Renew as they are; Deactivate is sent as Suspend.
func V1Action(a Action, vocabulary string) string {
	switch a {
	case ActionChangeQuantity:
		a = ActionChangePlan
	case ActionDeactivate:
		a = ActionSuspend
	}
	if vocabulary == V1ActionsTable {
		switch a {
		case ActionSubscribe:
			return "Activate"
		case ActionUnsubscribe:
			return "Delete"
		case ActionChangePlan:
			return "Update"
		}
	}
	return string(a)
}

// ParseAction reads an action name of either API version's vocabulary
// (v1's table names Activate, Delete and Update included).
func ParseAction(s string) (Action, bool) {
	switch s {
	case "Activate", "Subscribe":
		return ActionSubscribe, true
	case "Delete", "Unsubscribe":
		return ActionUnsubscribe, true
	case "Update", "ChangePlan":
		return ActionChangePlan, true
	}
	for _, a := range []Action{ActionChangeQuantity, ActionSuspend, ActionDeactivate, ActionReinstate, ActionRenew} {
		if string(a) == s {
			return a, true
		}
	}
	return "", false
}
