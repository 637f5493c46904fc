package awsemu

import (
	"encoding/base64"
	"encoding/hex"
)

// The emulator's random ids and secrets, drawn from the service's injected
// source (idgen.Crypto in production, idgen.Seeded in tests).

// randomFrom returns n characters drawn from alphabet: two random bytes
// per character keep the modulo bias negligible.
func (s *Service) randomFrom(alphabet string, n int) string {
	b := s.ids.Bytes(2 * n)
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

func (s *Service) newCustomerIdentifier() string { return "X" + s.randomFrom(upperAlnum, 10) }

func (s *Service) newAccountID() string {
	return s.randomFrom("123456789", 1) + s.randomFrom(digits, 11)
}

func (s *Service) newLicenseArn() string {
	return "arn:aws:license-manager::" + s.newAccountID() + ":license:l-" + hex.EncodeToString(s.ids.Bytes(16))
}

func (s *Service) newRegistrationToken() string {
	return base64.RawURLEncoding.EncodeToString(s.ids.Bytes(48))
}

func (s *Service) newAccessKeyID() string { return "ASIA" + s.randomFrom(base32Up, 16) }

func (s *Service) newSecretAccessKey() string {
	return base64.StdEncoding.EncodeToString(s.ids.Bytes(30))
}

func (s *Service) newSessionToken() string {
	return "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString(s.ids.Bytes(150))
}

// newMeteringRecordID is a version 4 UUID, as AWS's record ids are.
func (s *Service) newMeteringRecordID() string { return s.ids.UUID() }
