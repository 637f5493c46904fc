package awsmp

import (
	"context"
	"fmt"
	"time"
)

// Customer is what ResolveCustomer returns for a registration token. Both
// identifier pairs are kept: CustomerIdentifier with ProductCode (products
// before June 2026) and CustomerAWSAccountId with LicenseArn (after).
type Customer struct {
	CustomerIdentifier   string `json:"CustomerIdentifier"`
	CustomerAWSAccountID string `json:"CustomerAWSAccountId"`
	ProductCode          string `json:"ProductCode"`
	LicenseArn           string `json:"LicenseArn,omitempty"`
}

// ResolveCustomer exchanges the token AWS posted to the fulfillment URL
// for the buyer's identifiers. InvalidTokenException and
// ExpiredTokenException come back as *APIError.
func (c *Client) ResolveCustomer(ctx context.Context, role Role, token string) (Customer, error) {
	var out Customer
	err := c.call(ctx, role, c.cfg.MeteringEndpoint, "AWSMPMeteringService.ResolveCustomer",
		map[string]string{"RegistrationToken": token}, &out)
	return out, err
}

// EntitlementFilter narrows GetEntitlements; empty fields do not filter.
// CustomerIdentifier and CustomerAWSAccountID are mutually exclusive.
type EntitlementFilter struct {
	CustomerIdentifier   string
	CustomerAWSAccountID string
	LicenseArn           string
	Dimension            string
}

// Entitlement is one dimension a customer is entitled to.
type Entitlement struct {
	ProductCode          string           `json:"ProductCode"`
	Dimension            string           `json:"Dimension"`
	CustomerIdentifier   string           `json:"CustomerIdentifier"`
	CustomerAWSAccountID string           `json:"CustomerAWSAccountId"`
	LicenseArn           string           `json:"LicenseArn"`
	ExpirationDate       float64          `json:"ExpirationDate"` // epoch seconds
	Value                EntitlementValue `json:"Value"`
}

// EntitlementValue holds exactly one of its fields.
type EntitlementValue struct {
	IntegerValue *int64   `json:"IntegerValue,omitempty"`
	DoubleValue  *float64 `json:"DoubleValue,omitempty"`
	BooleanValue *bool    `json:"BooleanValue,omitempty"`
	StringValue  *string  `json:"StringValue,omitempty"`
}

// Expires returns ExpirationDate as a time (zero when absent).
func (e Entitlement) Expires() time.Time {
	if e.ExpirationDate == 0 {
		return time.Time{}
	}
	return time.Unix(int64(e.ExpirationDate), 0).UTC()
}

// GetEntitlements returns every entitlement of the product that matches
// the filter, following NextToken through all pages.
func (c *Client) GetEntitlements(ctx context.Context, role Role, productCode string, f EntitlementFilter) ([]Entitlement, error) {
	filter := map[string][]string{}
	add := func(key, v string) {
		if v != "" {
			filter[key] = []string{v}
		}
	}
	add("CUSTOMER_IDENTIFIER", f.CustomerIdentifier)
	add("CUSTOMER_AWS_ACCOUNT_ID", f.CustomerAWSAccountID)
	add("LICENSE_ARN", f.LicenseArn)
	add("DIMENSION", f.Dimension)
	var all []Entitlement
	next := ""
	for page := 0; ; page++ {
		if page == 1000 {
			return nil, fmt.Errorf("GetEntitlements: more than 1000 pages")
		}
		in := map[string]any{"ProductCode": productCode, "MaxResults": 25}
		if len(filter) > 0 {
			in["Filter"] = filter
		}
		if next != "" {
			in["NextToken"] = next
		}
		var out struct {
			Entitlements []Entitlement `json:"Entitlements"`
			NextToken    string        `json:"NextToken"`
		}
		if err := c.call(ctx, role, c.cfg.EntitlementEndpoint, "AWSMPEntitlementService.GetEntitlements", in, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Entitlements...)
		if out.NextToken == "" || out.NextToken == next {
			return all, nil
		}
		next = out.NextToken
	}
}

// UsageRecord is one hour of one dimension of one customer. Identify the
// customer by CustomerIdentifier, or by CustomerAWSAccountID with
// LicenseArn.
type UsageRecord struct {
	Timestamp            time.Time
	CustomerIdentifier   string
	CustomerAWSAccountID string
	LicenseArn           string
	Dimension            string
	Quantity             int32
}

// UsageStatus is AWS's verdict on one record.
type UsageStatus string

const (
	UsageSuccess               UsageStatus = "Success"
	UsageCustomerNotSubscribed UsageStatus = "CustomerNotSubscribed"
	UsageDuplicateRecord       UsageStatus = "DuplicateRecord"
)

// UsageResult is the outcome of one record.
type UsageResult struct {
	Record           UsageRecord
	MeteringRecordID string
	Status           UsageStatus
}

// MaxUsageRecords is the most records one BatchMeterUsage call carries.
const MaxUsageRecords = 25

type wireRecord struct {
	Timestamp            float64 `json:"Timestamp"`
	CustomerIdentifier   string  `json:"CustomerIdentifier,omitempty"`
	CustomerAWSAccountID string  `json:"CustomerAWSAccountId,omitempty"`
	LicenseArn           string  `json:"LicenseArn,omitempty"`
	Dimension            string  `json:"Dimension"`
	Quantity             int32   `json:"Quantity"`
}

func toWire(r UsageRecord) wireRecord {
	return wireRecord{Timestamp: float64(r.Timestamp.Unix()), CustomerIdentifier: r.CustomerIdentifier,
		CustomerAWSAccountID: r.CustomerAWSAccountID, LicenseArn: r.LicenseArn, Dimension: r.Dimension, Quantity: r.Quantity}
}

// BatchMeterUsage reports records (at most MaxUsageRecords) of one
// product and returns one result per record, in the order given. Records
// AWS leaves unprocessed are sent again (AWS deduplicates identical
// records, so a record it did take is never counted twice); those still
// unprocessed after every attempt are returned in unprocessed.
func (c *Client) BatchMeterUsage(ctx context.Context, role Role, productCode string, records []UsageRecord) (results []UsageResult, unprocessed []UsageRecord, err error) {
	if len(records) > MaxUsageRecords {
		return nil, nil, fmt.Errorf("BatchMeterUsage: %d records, at most %d per call", len(records), MaxUsageRecords)
	}
	pending := map[wireRecord]int{} // record as sent (AWS echoes it) -> its last index in records
	var order []wireRecord
	for i, r := range records {
		w := toWire(r)
		if _, dup := pending[w]; !dup {
			order = append(order, w)
		}
		pending[w] = i
	}
	byIndex := make([]*UsageResult, len(records))
	for attempt := 0; len(order) > 0 && attempt < c.cfg.MaxAttempts; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			case <-time.After(c.cfg.Backoff(attempt - 1)):
			}
		}
		in := map[string]any{"ProductCode": productCode, "UsageRecords": order}
		var out struct {
			Results []struct {
				UsageRecord      wireRecord  `json:"UsageRecord"`
				MeteringRecordID string      `json:"MeteringRecordId"`
				Status           UsageStatus `json:"Status"`
			} `json:"Results"`
			UnprocessedRecords []wireRecord `json:"UnprocessedRecords"`
		}
		if err := c.call(ctx, role, c.cfg.MeteringEndpoint, "AWSMPMeteringService.BatchMeterUsage", in, &out); err != nil {
			return nil, nil, err
		}
		for _, r := range out.Results {
			i, ok := pending[r.UsageRecord]
			if !ok {
				continue // not one of ours, or answered already
			}
			byIndex[i] = &UsageResult{Record: records[i], MeteringRecordID: r.MeteringRecordID, Status: r.Status}
		}
		order = order[:0]
		for _, w := range out.UnprocessedRecords {
			if i, ok := pending[w]; ok && byIndex[i] == nil {
				order = append(order, w)
			}
		}
	}
	for i, r := range records {
		if byIndex[i] != nil {
			results = append(results, *byIndex[i])
		} else if j := pending[toWire(r)]; j != i && byIndex[j] != nil {
			res := *byIndex[j] // the same record twice in the input
			res.Record = r
			results = append(results, res)
		} else {
			unprocessed = append(unprocessed, r)
		}
	}
	return results, unprocessed, nil
}
