package pricing

import (
	"errors"
	"math/big"
	"strings"
)

// MaxPercentageDecimals bounds the precision of a tax percentage.
const MaxPercentageDecimals = 4

var hundred = big.NewRat(100, 1)

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
	r, ok := new(big.Rat).SetString(s)
	if !ok || strings.ContainsAny(s, "/") {
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
