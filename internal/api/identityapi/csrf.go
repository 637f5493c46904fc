package identityapi

import "crypto/rand"

// randText is a CSRF token: 26 base32 letters, 128 random bits.
func randText() string { return rand.Text() }

// wellFormedToken reports whether s could be a token randText made.
func wellFormedToken(s string) bool {
	if len(s) != 26 {
		return false
	}
	for _, c := range s {
		if (c < 'A' || c > 'Z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}
