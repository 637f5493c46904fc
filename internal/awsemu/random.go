package awsemu

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on Linux
	}
	return b
}

// randomFrom returns n characters drawn from alphabet: two random bytes
// per character keep the modulo bias negligible.
func randomFrom(alphabet string, n int) string {
	b := randomBytes(2 * n)
	out := make([]byte, n)
	for i := range out {
		v := int(b[2*i])<<8 | int(b[2*i+1])
		out[i] = alphabet[v%len(alphabet)]
	}
	return string(out)
}

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	digits     = "0123456789"
	base32Up   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)

func newCustomerIdentifier() string { return "X" + randomFrom(upperAlnum, 10) }

func newAccountID() string { return randomFrom("123456789", 1) + randomFrom(digits, 11) }

func newLicenseArn() string {
	return "arn:aws:license-manager::" + newAccountID() + ":license:l-" + hex.EncodeToString(randomBytes(16))
}

func newRegistrationToken() string { return base64.RawURLEncoding.EncodeToString(randomBytes(48)) }

func newAccessKeyID() string { return "ASIA" + randomFrom(base32Up, 16) }

func newSecretAccessKey() string { return base64.StdEncoding.EncodeToString(randomBytes(30)) }

func newSessionToken() string {
	return "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString(randomBytes(150))
}

func newMeteringRecordID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
