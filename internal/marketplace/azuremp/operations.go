package azuremp

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace/azure"
)

var _ azure.Azure = (*Client)(nil)

func creds(c azure.AzureCreds) Creds {
	return Creds{BaseURL: c.BaseURL, TenantID: c.TenantID, ClientID: c.ClientID, ClientSecret: c.ClientSecret}
}

// flexInt reads a JSON number or a numeric string (the documents show both).
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return err
	}
	*f = flexInt(v)
	return nil
}

type subscriptionJSON struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	OfferID     string  `json:"offerId"`
	PlanID      string  `json:"planId"`
	Quantity    flexInt `json:"quantity"`
	Status      string  `json:"saasSubscriptionStatus"`
	Beneficiary struct {
		EmailID  string `json:"emailId"`
		TenantID string `json:"tenantId"`
	} `json:"beneficiary"`
	Term struct {
		StartDate string `json:"startDate"`
		EndDate   string `json:"endDate"`
	} `json:"term"`
}

func (s subscriptionJSON) info() azure.AzureSubscriptionInfo {
	return azure.AzureSubscriptionInfo{ID: s.ID, Name: s.Name, OfferID: s.OfferID, PlanID: s.PlanID, Quantity: int64(s.Quantity),
		Status: s.Status, BeneficiaryEmail: s.Beneficiary.EmailID, BeneficiaryTID: s.Beneficiary.TenantID,
		TermStart: s.Term.StartDate, TermEnd: s.Term.EndDate}
}

type operationJSON struct {
	ID             string  `json:"id"`
	SubscriptionID string  `json:"subscriptionId"`
	PlanID         string  `json:"planId"`
	Quantity       flexInt `json:"quantity"`
	Action         string  `json:"action"`
	TimeStamp      string  `json:"timeStamp"`
	Status         string  `json:"status"`
	Source         string  `json:"operationRequestSource"`
}

func (o operationJSON) op() azure.AzureOperation {
	return azure.AzureOperation{ID: o.ID, SubscriptionID: o.SubscriptionID, Action: o.Action, PlanID: o.PlanID,
		Quantity: int64(o.Quantity), Status: o.Status, Source: o.Source, TimeStamp: parseTime(o.TimeStamp)}
}

// parseTime reads the API's times: RFC 3339, or without a zone (UTC).
func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() <= 1 {
				return time.Time{}
			}
			return t.UTC()
		}
	}
	return time.Time{}
}

// domainError turns a client error into the domain's.
func domainError(what string, err error) error {
	var ae *APIError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &ae) && ae.Token && ae.Status < 500:
		return errs.Conflict("the Entra token service refused the Azure Marketplace settings' tenant_id, client_id or client_secret: %s", ae.Message).WithType("azure_credentials_rejected")
	case errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden):
		return errs.Conflict("the Azure Marketplace refused the app of the settings (HTTP %d): is it the offer's technical configuration?", ae.Status).WithType("azure_credentials_rejected")
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound:
		return errs.NotFound("Azure Marketplace: %s: %s", what, ae.Message)
	case errors.As(err, &ae) && ae.Status == http.StatusConflict:
		return errs.Conflict("Azure Marketplace: %s: %s", what, ae.Message).WithType("azure_conflict")
	case errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != http.StatusTooManyRequests:
		return errs.Invalid("Azure Marketplace: %s: %s %s", what, ae.Code, ae.Message).WithType("azure_bad_request")
	}
	e := errs.E(errs.KindUnavailable, "Azure Marketplace: could not %s: %v", what, err)
	e.Err = err
	return e
}

func subPath(id string) string { return "/saas/subscriptions/" + url.PathEscape(id) }

// Resolve resolves a landing page token (URL-decoded).
func (c *Client) Resolve(ctx context.Context, cr azure.AzureCreds, token string) (azure.AzureSubscriptionInfo, error) {
	var out struct {
		ID               string           `json:"id"`
		SubscriptionName string           `json:"subscriptionName"`
		OfferID          string           `json:"offerId"`
		PlanID           string           `json:"planId"`
		Quantity         flexInt          `json:"quantity"`
		Subscription     subscriptionJSON `json:"subscription"`
	}
	_, err := c.call(ctx, creds(cr), http.MethodPost, "/saas/subscriptions/resolve", map[string]string{"x-ms-marketplace-token": token}, nil, &out)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && (ae.Status == http.StatusBadRequest || ae.Status == http.StatusNotFound) && !ae.Token {
			return azure.AzureSubscriptionInfo{}, errs.Invalid("the Azure Marketplace does not accept this landing page token (unknown, expired or of another publisher): %s", ae.Message).WithType("invalid_marketplace_token")
		}
		return azure.AzureSubscriptionInfo{}, domainError("resolve the landing page token", err)
	}
	info := out.Subscription.info()
	if info.ID == "" {
		info = azure.AzureSubscriptionInfo{ID: out.ID, Name: out.SubscriptionName, OfferID: out.OfferID, PlanID: out.PlanID,
			Quantity: int64(out.Quantity)}
	}
	return info, nil
}

// Activate activates a subscription with its purchased plan and quantity.
func (c *Client) Activate(ctx context.Context, cr azure.AzureCreds, id, planID string, quantity int64) error {
	body := map[string]any{"planId": planID}
	if quantity > 0 {
		body["quantity"] = quantity
	}
	if _, err := c.call(ctx, creds(cr), http.MethodPost, subPath(id)+"/activate", nil, body, nil); err != nil {
		return domainError("activate subscription "+id, err)
	}
	return nil
}

// GetSubscription reads one subscription.
func (c *Client) GetSubscription(ctx context.Context, cr azure.AzureCreds, id string) (azure.AzureSubscriptionInfo, error) {
	var out subscriptionJSON
	if _, err := c.call(ctx, creds(cr), http.MethodGet, subPath(id), nil, nil, &out); err != nil {
		return azure.AzureSubscriptionInfo{}, domainError("read subscription "+id, err)
	}
	return out.info(), nil
}

// ListSubscriptions reads every subscription of the publisher, following
// @nextLink (at most 1000 pages).
func (c *Client) ListSubscriptions(ctx context.Context, cr azure.AzureCreds) ([]azure.AzureSubscriptionInfo, error) {
	var all []azure.AzureSubscriptionInfo
	next := "/saas/subscriptions"
	for range 1000 {
		var page struct {
			Subscriptions []subscriptionJSON `json:"subscriptions"`
			NextLink      string             `json:"@nextLink"`
		}
		if _, err := c.call(ctx, creds(cr), http.MethodGet, next, nil, nil, &page); err != nil {
			return nil, domainError("list subscriptions", err)
		}
		for _, s := range page.Subscriptions {
			all = append(all, s.info())
		}
		if page.NextLink == "" {
			break
		}
		next = page.NextLink
	}
	return all, nil
}

// GetOperation reads one operation.
func (c *Client) GetOperation(ctx context.Context, cr azure.AzureCreds, subID, opID string) (azure.AzureOperation, error) {
	var out operationJSON
	_, err := c.call(ctx, creds(cr), http.MethodGet, subPath(subID)+"/operations/"+url.PathEscape(opID), nil, nil, &out)
	if IsStatus(err, http.StatusBadRequest) {
		// The live service answers 400 to an unknown operation id.
		return azure.AzureOperation{}, errs.NotFound("Azure Marketplace: operation %s of subscription %s not found", opID, subID)
	}
	if err != nil {
		return azure.AzureOperation{}, domainError("read operation "+opID, err)
	}
	return out.op(), nil
}

// ListOutstandingOperations reads the subscription's InProgress operations.
func (c *Client) ListOutstandingOperations(ctx context.Context, cr azure.AzureCreds, subID string) ([]azure.AzureOperation, error) {
	var out struct {
		Operations []operationJSON `json:"operations"`
	}
	if _, err := c.call(ctx, creds(cr), http.MethodGet, subPath(subID)+"/operations", nil, nil, &out); err != nil {
		if IsStatus(err, http.StatusNotFound) {
			return nil, nil
		}
		return nil, domainError("list the operations of subscription "+subID, err)
	}
	ops := make([]azure.AzureOperation, 0, len(out.Operations))
	for _, o := range out.Operations {
		ops = append(ops, o.op())
	}
	return ops, nil
}

// PatchOperation acknowledges an operation.
func (c *Client) PatchOperation(ctx context.Context, cr azure.AzureCreds, subID, opID string, success bool) error {
	status := "Failure"
	if success {
		status = "Success"
	}
	_, err := c.call(ctx, creds(cr), http.MethodPatch, subPath(subID)+"/operations/"+url.PathEscape(opID), nil, map[string]string{"status": status}, nil)
	if err != nil {
		return domainError("acknowledge operation "+opID, err)
	}
	return nil
}

type usageEventJSON struct {
	ResourceID         string  `json:"resourceId"`
	Quantity           float64 `json:"quantity"`
	Dimension          string  `json:"dimension"`
	EffectiveStartTime string  `json:"effectiveStartTime"`
	PlanID             string  `json:"planId"`
}

// BatchUsage posts up to 25 events with batchUsageEvent.
func (c *Client) BatchUsage(ctx context.Context, cr azure.AzureCreds, events []azure.AzureUsageEvent) ([]azure.AzureUsageResult, error) {
	req := struct {
		Request []usageEventJSON `json:"request"`
	}{}
	for _, e := range events {
		req.Request = append(req.Request, usageEventJSON{ResourceID: e.ResourceID, Quantity: float64(e.Quantity), Dimension: e.Dimension,
			EffectiveStartTime: e.Hour.UTC().Format("2006-01-02T15:04:05Z"), PlanID: e.PlanID})
	}
	var out struct {
		Result []struct {
			usageEventJSON
			UsageEventID string `json:"usageEventId"`
			Status       string `json:"status"`
			Error        *struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		} `json:"result"`
	}
	if _, err := c.call(ctx, creds(cr), http.MethodPost, "/batchUsageEvent", nil, req, &out); err != nil {
		return nil, domainError("report usage", err)
	}
	results := make([]azure.AzureUsageResult, len(events))
	used := make([]bool, len(out.Result))
	for i, e := range events {
		for j, r := range out.Result {
			if used[j] || r.ResourceID != e.ResourceID || r.Dimension != e.Dimension || !parseTime(r.EffectiveStartTime).Truncate(time.Hour).Equal(e.Hour.UTC()) {
				continue
			}
			used[j] = true
			results[i] = azure.AzureUsageResult{Status: r.Status, UsageEventID: r.UsageEventID}
			if r.Error != nil {
				results[i].Message = r.Error.Code + ": " + r.Error.Message
			}
			break
		}
		if results[i].Status == "" {
			results[i] = azure.AzureUsageResult{Status: "Error", Message: "no result for this event in the answer"}
		}
	}
	return results, nil
}
