package pricing_test

import (
	"math/big"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/pricing"
)

func tieredInput(tiers ...pricing.Tier) pricing.UnitInput {
	return pricing.UnitInput{Name: "n", Type: pricing.UnitTypeTiered, Currency: pricing.CurrencyJPY, MeterName: "m", Tiers: tiers}
}

func TestTierRules(t *testing.T) {
	inf := pricing.Tier{Inf: true, UnitAmount: 1}
	tests := []struct {
		name      string
		tiers     []pricing.Tier
		wantField string // "" means valid
	}{
		{"single open tier", []pricing.Tier{inf}, ""},
		{"ascending then open", []pricing.Tier{{UpTo: 10}, {UpTo: 20}, inf}, ""},
		{"open tier keeps any up_to", []pricing.Tier{{UpTo: 10}, {UpTo: 5, Inf: true}}, ""},
		{"empty", nil, "tiers"},
		{"last not open", []pricing.Tier{{UpTo: 10}}, "tiers[0].inf"},
		{"open tier in the middle", []pricing.Tier{{UpTo: 10}, inf, inf}, "tiers[1].inf"},
		{"not ascending", []pricing.Tier{{UpTo: 10}, {UpTo: 10}, inf}, "tiers[1].up_to"},
		{"descending", []pricing.Tier{{UpTo: 10}, {UpTo: 5}, inf}, "tiers[1].up_to"},
		{"zero bound", []pricing.Tier{{UpTo: 0}, inf}, "tiers[0].up_to"},
		{"too many", make([]pricing.Tier, pricing.MaxTiers+1), "tiers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tieredInput(tt.tiers...).Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if got := errs.FieldNames(err); len(got) == 0 || !contains(got, tt.wantField) {
				t.Fatalf("Validate = %v (fields %v), want a problem with %s", err, got, tt.wantField)
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

func TestUnitInputPerType(t *testing.T) {
	tests := []struct {
		name      string
		in        pricing.UnitInput
		wantField string
	}{
		{"fixed ok", pricing.UnitInput{Name: "a", Type: pricing.UnitTypeFixed, Currency: pricing.CurrencyUSD, Interval: pricing.IntervalYear}, ""},
		{"fixed without interval", pricing.UnitInput{Name: "a", Type: pricing.UnitTypeFixed, Currency: pricing.CurrencyUSD}, "recurring_interval"},
		{"usage without meter", pricing.UnitInput{Name: "a", Type: pricing.UnitTypeUsage, Currency: pricing.CurrencyUSD}, "metering_unit_name"},
		{"usage with bad aggregate", pricing.UnitInput{Name: "a", Type: pricing.UnitTypeUsage, Currency: pricing.CurrencyUSD, MeterName: "m", AggregateUsage: "avg"}, "aggregate_usage"},
		{"unknown type", pricing.UnitInput{Name: "a", Type: "flat", Currency: pricing.CurrencyUSD}, "type"},
		{"unknown currency", pricing.UnitInput{Name: "a", Type: pricing.UnitTypeFixed, Currency: "EUR", Interval: pricing.IntervalMonth}, "currency"},
		{"blank name", pricing.UnitInput{Name: "  ", Type: pricing.UnitTypeFixed, Currency: pricing.CurrencyUSD, Interval: pricing.IntervalMonth}, "name"},
		{"long display name", pricing.UnitInput{Name: "a", DisplayName: strings.Repeat("é", 256), Type: pricing.UnitTypeFixed, Currency: pricing.CurrencyUSD, Interval: pricing.IntervalMonth}, "display_name"},
		{"invalid utf-8", pricing.UnitInput{Name: "a\xff", Type: pricing.UnitTypeFixed, Currency: pricing.CurrencyUSD, Interval: pricing.IntervalMonth}, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if !contains(errs.FieldNames(err), tt.wantField) {
				t.Fatalf("Validate = %v, want a problem with %s", err, tt.wantField)
			}
		})
	}
}

func TestMeterNames(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"api_calls", true}, {"storage-gb.v2", true}, {"日本語", true},
		{"date", false}, {"month", false}, {"a/b", false}, {"a b", false}, {"a?b", false}, {"a%2F", false}, {"", false},
	} {
		err := pricing.MeterInput{Name: tt.name}.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("meter name %q: Validate = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestNormalizePercentage(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"10", "10", true}, {"8.5", "8.5", true}, {"8.50", "8.5", true}, {"1e1", "10", true}, {"0", "0", true},
		{"100", "100", true}, {"0.0001", "0.0001", true}, {"12.3456", "12.3456", true}, {"1E-4", "0.0001", true},
		{"100.0001", "", false}, {"1e999999", "", false}, {"010", "", false}, {"+1", "", false}, {"-1", "", false}, {"0.00001", "", false}, {"abc", "", false}, {"", "", false}, {"1/2", "", false},
	}
	for _, tt := range tests {
		got, err := pricing.NormalizePercentage(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("NormalizePercentage(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// Accepted percentages are exact: the normal form denotes the same number,
// lies in [0, 100], carries no exponent and is a fixed point.
func FuzzNormalizePercentage(f *testing.F) {
	for _, s := range []string{"10", "8.50", "1e1", "-0", "100.00001", "0.1234", "99.99999", "1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := pricing.NormalizePercentage(s)
		if err != nil {
			return
		}
		in, ok1 := new(big.Rat).SetString(s)
		out, ok2 := new(big.Rat).SetString(got)
		if !ok1 || !ok2 || in.Cmp(out) != 0 {
			t.Fatalf("NormalizePercentage(%q) = %q: not the same number", s, got)
		}
		if out.Sign() < 0 || out.Cmp(big.NewRat(100, 1)) > 0 || strings.ContainsAny(got, "eE") {
			t.Fatalf("NormalizePercentage(%q) = %q: out of range or not plain decimal", s, got)
		}
		if again, err := pricing.NormalizePercentage(got); err != nil || again != got {
			t.Fatalf("NormalizePercentage is not idempotent on %q: %q, %v", got, again, err)
		}
	})
}
