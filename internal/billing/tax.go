package billing

import (
	"strconv"
	"strings"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/pricing"
)

// percentScale is the denominator of a Rate: tax percentages carry at most
// pricing.MaxPercentageDecimals (4) decimals, so 8.5 % is 85,000 / 10^6.
const percentScale = 1_000_000

// Rate is a tax percentage as an exact fraction: Millionths / 10^6 of the
// base (10 % is 100,000).
type Rate struct {
	Millionths uint64
	Inclusive  bool
}

// ParseRate reads a tax rate's stored percentage ("10", "8.5", at most
// four decimals, 0 to 100) exactly.
func ParseRate(r pricing.TaxRate) (Rate, error) {
	whole, frac, _ := strings.Cut(r.Percentage, ".")
	if len(frac) > pricing.MaxPercentageDecimals {
		return Rate{}, errs.Invalid("tax rate %q: percentage %q has more than %d decimals", r.ID, r.Percentage, pricing.MaxPercentageDecimals)
	}
	frac += strings.Repeat("0", pricing.MaxPercentageDecimals-len(frac))
	w, err1 := strconv.ParseUint(whole, 10, 8)
	f, err2 := strconv.ParseUint(frac, 10, 16)
	if err1 != nil || err2 != nil || w > 100 || (w == 100 && f != 0) {
		return Rate{}, errs.Invalid("tax rate %q: percentage %q is not a number from 0 to 100", r.ID, r.Percentage)
	}
	return Rate{Millionths: w*10_000 + f, Inclusive: r.Inclusive}, nil
}

// Tax returns the tax of base at rate, rounded once by the currency's rule:
// on top of the base for an exclusive rate (base × p), extracted from it
// for an inclusive one (base × p / (1 + p)). A negative base (a credit)
// gives a negative tax of the same size its positive would. ok is false
// beyond MaxAmount.
func Tax(base int64, rate Rate, c pricing.Currency) (int64, bool) {
	den := uint64(percentScale)
	if rate.Inclusive {
		den += rate.Millionths
	}
	return mulDiv(base, rate.Millionths, den, RoundingOf(c))
}
