package pricing

import (
	"errors"
	"math/big"
	"regexp"
	"strings"
)

// MaxPercentageDecimals bounds the precision of a tax percentage.
const MaxPercentageDecimals = 4

var hundred = big.NewRat(100, 1)

// jsonNumber is the JSON number grammar with at most a two-digit exponent.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]{1,2})?$`)

// CheckPercentage accepts a JSON number between 0 and 100 inclusive with at
// most MaxPercentageDecimals decimal places.
func CheckPercentage(s string) error {
	_, err := NormalizePercentage(s)
	return err
}

// NormalizePercentage parses a JSON number exactly (no float rounding) and
// renders it as plain decimal text without exponent or trailing zeros:
// "8.50" -> "8.5", "1e1" -> "10".
func NormalizePercentage(s string) (string, error) {
	if s == "" {
		return "", errors.New("is required")
	}
	// A JSON number of modest size: this also keeps big.Rat from spending
	// time on exponents like 1e999999.
	if len(s) > 40 || !jsonNumber.MatchString(s) {
		return "", errors.New("must be a number like 10 or 8.5")
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return "", errors.New("must be a number")
	}
	if r.Sign() < 0 || r.Cmp(hundred) > 0 {
		return "", errors.New("must be between 0 and 100")
	}
	scaled := new(big.Rat).Mul(r, big.NewRat(10000, 1))
	if !scaled.IsInt() {
		return "", errors.New("must have at most 4 decimal places")
	}
	out := r.FloatString(MaxPercentageDecimals)
	out = strings.TrimRight(out, "0")
	out = strings.TrimSuffix(out, ".")
	return out, nil
}
