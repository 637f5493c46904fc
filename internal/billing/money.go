package billing

import (
	"math"
	"math/bits"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/pricing"
)

// MaxAmount is the largest amount a line, a tax or a total may reach: the
// largest int64, so every amount is a JSON integer that any client reads
// exactly in a signed 64-bit field.
const MaxAmount = math.MaxInt64

// Rounding says how an exact fraction of a currency's minor unit becomes a
// whole one. Negative values round symmetrically (a credit of -0.5 rounds
// as 0.5 does, with the sign kept).
type Rounding int

// The rounding rules, one per currency (RoundingOf).
const (
	// RoundDown drops the fraction (toward zero): 10.9 yen is 10 yen.
	RoundDown Rounding = iota
	// RoundHalfUp rounds half away from zero: 10.5 cents is 11 cents,
	// 10.49 cents 10 cents.
	RoundHalfUp
)

// RoundingOf returns the one rounding rule of a currency (docs/money.md):
// JPY rounds down to the yen, the rule most Japanese issuers apply to
// consumption tax on a qualified invoice; USD rounds half up to the cent.
func RoundingOf(c pricing.Currency) Rounding {
	if c == pricing.CurrencyJPY {
		return RoundDown
	}
	return RoundHalfUp
}

func (r Rounding) String() string {
	if r == RoundDown {
		return "down"
	}
	return "half_up"
}

// errTooLarge is the error of an amount beyond MaxAmount.
func errTooLarge(what string) error {
	return errs.Conflict("%s: the amount would exceed %d in the currency's smallest unit", what, int64(MaxAmount)).WithType("amount_too_large")
}

// mulDiv returns a × b / den rounded by r, exactly (128-bit intermediate),
// and false when the result exceeds MaxAmount in magnitude. den must be
// positive.
func mulDiv(a int64, b, den uint64, r Rounding) (int64, bool) {
	neg := a < 0
	ua := uint64(a)
	if neg {
		ua = uint64(-(a + 1)) + 1 // |a| without overflowing on MinInt64
	}
	hi, lo := bits.Mul64(ua, b)
	if hi >= den {
		return 0, false
	}
	q, rem := bits.Div64(hi, lo, den)
	if q > MaxAmount {
		return 0, false // checked before rounding up, which would wrap at 2^64 − 1
	}
	if r == RoundHalfUp && rem >= den-rem {
		q++
	}
	if q > MaxAmount {
		return 0, false
	}
	if neg {
		return -int64(q), true
	}
	return int64(q), true
}

// mulAmount returns a × b, and false beyond MaxAmount.
func mulAmount(a, b uint64) (uint64, bool) {
	hi, lo := bits.Mul64(a, b)
	return lo, hi == 0 && lo <= MaxAmount
}

// addAmount returns a + b, and false beyond MaxAmount.
func addAmount(a, b uint64) (uint64, bool) {
	s, carry := bits.Add64(a, b, 0)
	return s, carry == 0 && s <= MaxAmount
}

// addSigned returns a + b, and false when the sum leaves the int64 range
// or exceeds MaxAmount in magnitude.
func addSigned(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) || s == math.MinInt64 {
		return 0, false
	}
	return s, true
}
