package oasvalidate_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	apispec "github.com/saasplane/saasplane/api"
	"github.com/saasplane/saasplane/internal/api/oasvalidate"
	"github.com/saasplane/saasplane/internal/errs"
)

func TestPricingDocument(t *testing.T) {
	v, err := oasvalidate.New(apispec.Pricing)
	if err != nil {
		t.Fatalf("the embedded pricing document does not load: %v", err)
	}
	tests := []struct {
		name, method, path, body string
		wantFields               []string // nil: valid
	}{
		{"fixed unit", "POST", "/v1/pricing/units", `{"name":"a","display_name":"A","description":"","type":"fixed","currency":"JPY","unit_amount":1,"recurring_interval":"month"}`, nil},
		{"usage unit with extra field", "POST", "/v1/pricing/units", `{"name":"a","display_name":"A","description":"","type":"usage","currency":"USD","unit_amount":1,"upper_count":0,"metering_unit_name":"m","x":1}`, nil},
		{"tiered unit", "POST", "/v1/pricing/units", `{"name":"a","display_name":"A","description":"","type":"tiered","currency":"JPY","upper_count":0,"metering_unit_name":"m","tiers":[{"up_to":0,"unit_amount":1,"flat_amount":0,"inf":true}]}`, nil},
		{"unknown type", "POST", "/v1/pricing/units", `{"name":"a","display_name":"A","description":"","type":"bogus","currency":"JPY"}`, []string{"type"}},
		{"missing type", "POST", "/v1/pricing/units", `{"name":"a","display_name":"A","description":"","currency":"JPY"}`, []string{"type"}},
		{"negative amount", "POST", "/v1/pricing/units", `{"name":"a","display_name":"A","description":"","type":"fixed","currency":"JPY","unit_amount":-1,"recurring_interval":"month"}`, []string{"unit_amount"}},
		{"fractional tier amount", "POST", "/v1/pricing/units", `{"name":"a","display_name":"A","description":"","type":"tiered_usage","currency":"JPY","upper_count":0,"metering_unit_name":"m","tiers":[{"up_to":0,"unit_amount":1.5,"flat_amount":0,"inf":true}]}`, []string{"tiers[0].unit_amount"}},
		{"fixed without interval", "POST", "/v1/pricing/units", `{"name":"a","display_name":"A","description":"","type":"fixed","currency":"JPY","unit_amount":1}`, []string{"recurring_interval"}},
		{"wrong types", "POST", "/v1/pricing/menus", `{"name":5,"display_name":"A","description":"","unit_ids":"x"}`, []string{"name", "unit_ids"}},
		{"lowercase country", "POST", "/v1/pricing/tax-rates", `{"name":"t","display_name":"T","percentage":10,"inclusive":true,"country":"jp","description":""}`, []string{"country"}},
		{"percentage over 100", "POST", "/v1/pricing/tax-rates", `{"name":"t","display_name":"T","percentage":101,"inclusive":true,"country":"JP","description":""}`, []string{"percentage"}},
		{"plans used", "PATCH", "/v1/pricing/plans/used", `{"plan_ids":["a"]}`, nil},
		{"plans used without ids", "PATCH", "/v1/pricing/plans/used", `{}`, []string{"plan_ids"}},
		{"meter bad aggregate", "POST", "/v1/pricing/metering/units", `{"unit_name":"m","display_name":"M","description":"","aggregate_usage":"avg"}`, []string{"aggregate_usage"}},
		{"GET without body", "GET", "/v1/pricing/plans", ``, nil},
		{"unknown route passes through", "GET", "/v1/pricing/nope", ``, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			err := v.Check(r)
			if tt.wantFields == nil {
				if err != nil {
					t.Fatalf("Check = %v, want valid", err)
				}
				return
			}
			if errs.KindOf(err) != errs.KindInvalid {
				t.Fatalf("Check = %v, want an invalid-request error", err)
			}
			got := errs.FieldNames(err)
			for _, f := range tt.wantFields {
				if !contains(got, f) {
					t.Errorf("error %q names fields %v, want %q among them", err, got, f)
				}
			}
		})
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
