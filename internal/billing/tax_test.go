package billing

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/pricing"
)

func TestParseRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pct  string
		want uint64
	}{
		{"0", 0},
		{"10", 100_000},
		{"8", 80_000},
		{"8.5", 85_000},
		{"8.50", 85_000},
		{"0.0001", 1},
		{"99.9999", 999_999},
		{"100", 1_000_000},
		{"100.0000", 1_000_000},
		{"010", 100_000},
	}
	for _, tc := range tests {
		t.Run(tc.pct, func(t *testing.T) {
			for _, incl := range []bool{false, true} {
				got, err := ParseRate(pricing.TaxRate{ID: "tax-1", Percentage: tc.pct, Inclusive: incl})
				if err != nil {
					t.Fatalf("ParseRate(%q) error %v", tc.pct, err)
				}
				if want := (Rate{Millionths: tc.want, Inclusive: incl}); got != want {
					t.Errorf("ParseRate(%q, inclusive %v) = %+v, want %+v", tc.pct, incl, got, want)
				}
			}
		})
	}
}

func TestParseRateRefusals(t *testing.T) {
	t.Parallel()
	for _, pct := range []string{
		"", "-1", "-0", "+5", "100.0001", "101", "256", "1000", "0.00001", "1e1", "abc",
		".5", "8,5", "8.5.1", " 10", "10 ", "0x10", "1_0", "8.-5", "8.+5", "18446744073709551626",
	} {
		t.Run(pct, func(t *testing.T) {
			_, err := ParseRate(pricing.TaxRate{ID: "tax-bad", Percentage: pct})
			if err == nil {
				t.Fatalf("ParseRate(%q) accepted it", pct)
			}
			if k := errs.KindOf(err); k != errs.KindInvalid {
				t.Errorf("ParseRate(%q) kind %v, want Invalid", pct, k)
			}
			var e *errs.Error
			if !errors.As(err, &e) || !strings.Contains(e.Message, "tax-bad") {
				t.Errorf("ParseRate(%q) = %v: the message should name the tax rate", pct, err)
			}
		})
	}
}

func TestTax(t *testing.T) {
	t.Parallel()
	jpy, usd := pricing.CurrencyJPY, pricing.CurrencyUSD
	excl := func(m uint64) Rate { return Rate{Millionths: m} }
	incl := func(m uint64) Rate { return Rate{Millionths: m, Inclusive: true} }
	const ten, eightHalf, hundred = 100_000, 85_000, 1_000_000
	tests := []struct {
		name string
		base int64
		rate Rate
		c    pricing.Currency
		want int64
	}{
		{"zero base", 0, excl(ten), jpy, 0},
		{"zero rate", 12345, excl(0), usd, 0},
		{"exclusive 10% exact", 1000, excl(ten), jpy, 100},
		{"exclusive 10% JPY .9 rounds down", 1009, excl(ten), jpy, 100},
		{"exclusive 10% JPY .5 rounds down", 1005, excl(ten), jpy, 100},
		{"exclusive 10% USD .4 rounds down", 1004, excl(ten), usd, 100},
		{"exclusive 10% USD .5 rounds up", 1005, excl(ten), usd, 101},
		{"exclusive 10% USD .9 rounds up", 1009, excl(ten), usd, 101},
		{"exclusive 8.5% JPY", 100, excl(eightHalf), jpy, 8},
		{"exclusive 8.5% USD .5", 100, excl(eightHalf), usd, 9},
		{"exclusive 0.0001% one whole unit", 1_000_000, excl(1), jpy, 1},
		{"exclusive 0.0001% USD half", 500_000, excl(1), usd, 1},
		{"exclusive 0.0001% USD just below half", 499_999, excl(1), usd, 0},
		{"exclusive 0.0001% JPY just below one", 999_999, excl(1), jpy, 0},
		{"exclusive 100%", 1234, excl(hundred), jpy, 1234},
		{"inclusive 10% exact", 1100, incl(ten), jpy, 100},
		{"inclusive 10% JPY", 1109, incl(ten), jpy, 100},
		{"inclusive 10% USD 100.4545 rounds down", 1105, incl(ten), usd, 100},
		{"inclusive 10% USD 100.5454 rounds up", 1106, incl(ten), usd, 101},
		{"inclusive 10% JPY 100.5454 rounds down", 1106, incl(ten), jpy, 100},
		{"inclusive 8% JPY", 1080, incl(80_000), jpy, 80},
		{"inclusive 100% .5 JPY rounds down", 1001, incl(hundred), jpy, 500},
		{"inclusive 100% .5 USD rounds up", 1001, incl(hundred), usd, 501},
		{"inclusive 100% exact", 1000, incl(hundred), usd, 500},
		// Credits round as their positive would, with the sign kept.
		{"credit exclusive JPY .5", -1005, excl(ten), jpy, -100},
		{"credit exclusive JPY .9", -1009, excl(ten), jpy, -100},
		{"credit exclusive USD .5", -1005, excl(ten), usd, -101},
		{"credit exclusive USD .4", -1004, excl(ten), usd, -100},
		{"credit inclusive 100% USD .5", -1001, incl(hundred), usd, -501},
		{"credit inclusive 10% USD", -1106, incl(ten), usd, -101},
		{"credit of one yen", -1, excl(ten), jpy, 0},
		// Large bases: 128-bit intermediate, no wrap.
		{"MaxAmount exclusive 10% JPY", math.MaxInt64, excl(ten), jpy, 922337203685477580},
		{"MaxAmount exclusive 10% USD", math.MaxInt64, excl(ten), usd, 922337203685477581},
		{"MaxAmount exclusive 100%", math.MaxInt64, excl(hundred), usd, math.MaxInt64},
		{"MaxAmount inclusive 100%", math.MaxInt64, incl(hundred), usd, 4611686018427387904},
		{"-MaxAmount exclusive 100%", -math.MaxInt64, excl(hundred), jpy, -math.MaxInt64},
		{"MinInt64 exclusive 10% USD", math.MinInt64, excl(ten), usd, -922337203685477581},
		{"MinInt64 exclusive 10% JPY", math.MinInt64, excl(ten), jpy, -922337203685477580},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Tax(tc.base, tc.rate, tc.c)
			if !ok || got != tc.want {
				t.Errorf("Tax(%d, %+v, %s) = %d, %v; want %d, true", tc.base, tc.rate, tc.c, got, ok, tc.want)
			}
			if tc.base != math.MinInt64 {
				neg, ok := Tax(-tc.base, tc.rate, tc.c)
				if !ok || neg != -got {
					t.Errorf("Tax(%d) = %d, %v; want %d (symmetric to Tax(%d))", -tc.base, neg, ok, -got, tc.base)
				}
			}
		})
	}
}

func TestTaxBeyondMaxAmount(t *testing.T) {
	t.Parallel()
	// Only -2^63 can give a tax beyond MaxAmount (a rate is at most 100 %):
	// its 100 % is 2^63, which no int64 holds as a positive amount.
	if got, ok := Tax(math.MinInt64, Rate{Millionths: 1_000_000}, pricing.CurrencyUSD); ok {
		t.Errorf("Tax(MinInt64, 100%%) = %d, true; want ok=false", got)
	}
}

func TestMulDiv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		a      int64
		b, den uint64
		r      Rounding
		want   int64
		wantOK bool
	}{
		{"exact", 10, 3, 2, RoundDown, 15, true},
		{"down", 7, 1, 2, RoundDown, 3, true},
		{"half up", 7, 1, 2, RoundHalfUp, 4, true},
		{"below half", 7, 1, 3, RoundHalfUp, 2, true},
		{"above half", 8, 1, 3, RoundHalfUp, 3, true},
		{"negative half up", -7, 1, 2, RoundHalfUp, -4, true},
		{"negative down is toward zero", -7, 1, 2, RoundDown, -3, true},
		{"MaxAmount × 1", math.MaxInt64, 1, 1, RoundDown, math.MaxInt64, true},
		{"MaxAmount × 2 / 2 (128-bit intermediate)", math.MaxInt64, 2, 2, RoundDown, math.MaxInt64, true},
		{"MaxAmount × huge / huge", math.MaxInt64, math.MaxUint64, math.MaxUint64, RoundHalfUp, math.MaxInt64, true},
		{"MaxAmount × 3 / 2", math.MaxInt64, 3, 2, RoundDown, 0, false},
		{"2^63 exceeds MaxAmount", math.MinInt64, 1, 1, RoundDown, 0, false},
		{"MinInt64 / 2", math.MinInt64, 1, 2, RoundDown, -(1 << 62), true},
		{"quotient 2^64 rounds, does not wrap", 1190112520884487201, 31, 2, RoundHalfUp, 0, false},
		{"quotient 2^64 − 1 is too large", 1190112520884487201, 31, 2, RoundDown, 0, false},
		{"quotient ≥ 2^64", math.MaxInt64, math.MaxUint64, 1, RoundDown, 0, false},
		{"MaxAmount and .99 rounds up to 2^63: too large", math.MaxInt64, 1<<63 + 1, 1 << 63, RoundHalfUp, 0, false},
		{"MaxAmount and .99 rounded down stays MaxAmount", math.MaxInt64, 1<<63 + 1, 1 << 63, RoundDown, math.MaxInt64, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := mulDiv(tc.a, tc.b, tc.den, tc.r)
			if ok != tc.wantOK || (ok && got != tc.want) {
				t.Errorf("mulDiv(%d, %d, %d, %v) = %d, %v; want %d, %v", tc.a, tc.b, tc.den, tc.r, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestRoundingOf(t *testing.T) {
	t.Parallel()
	if got := RoundingOf(pricing.CurrencyJPY); got != RoundDown || got.String() != "down" {
		t.Errorf("RoundingOf(JPY) = %v", got)
	}
	if got := RoundingOf(pricing.CurrencyUSD); got != RoundHalfUp || got.String() != "half_up" {
		t.Errorf("RoundingOf(USD) = %v", got)
	}
}

func TestAddSigned(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b   int64
		want   int64
		wantOK bool
	}{
		{1, 2, 3, true},
		{-5, 3, -2, true},
		{math.MaxInt64, 0, math.MaxInt64, true},
		{math.MaxInt64, 1, 0, false},
		{-math.MaxInt64, -1, 0, false}, // MinInt64 exceeds MaxAmount in magnitude
		{math.MinInt64 + 1, -2, 0, false},
		{math.MaxInt64, -math.MaxInt64, 0, true},
	}
	for _, tc := range tests {
		got, ok := addSigned(tc.a, tc.b)
		if ok != tc.wantOK || (ok && got != tc.want) {
			t.Errorf("addSigned(%d, %d) = %d, %v; want %d, %v", tc.a, tc.b, got, ok, tc.want, tc.wantOK)
		}
	}
}
