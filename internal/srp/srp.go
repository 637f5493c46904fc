// Package srp is the arithmetic of Cognito's USER_SRP_AUTH, the Secure
// Remote Password flow (SRP-6a) that the SaaSus Auth API's POST /sign-in
// and POST /sign-in/challenge carry: both sides, as pure functions, so
// that internal/identity (the server) and the saasus client package (the
// user's app) share one copy that is checked against AWS's own client
// (testdata/vectors.json, made by amazon-cognito-identity-js).
//
// The group is RFC 5054's 3072-bit prime with generator 2, hashes are
// SHA-256, and numbers are hashed in Cognito's hex form (PadHex). With the
// pool name P, the user id U for SRP and a password:
//
//	x = H(PadHex(salt) ‖ H(P ‖ U ‖ ":" ‖ password))    v = g^x      (the stored verifier)
//	A = g^a                                           B = k·v + g^b (k = H(PadHex(N) ‖ PadHex(g)))
//	u = H(PadHex(A) ‖ PadHex(B))
//	S = (B − k·g^x)^(a + u·x) = (A·v^u)^b
//	K = HKDF-SHA256(ikm = PadHex(S), salt = PadHex(u), info = "Caldera Derived Key"), 16 bytes
//	signature = HMAC-SHA256(K, P ‖ U ‖ secret block ‖ timestamp)
//
// Nothing here reads a clock or a random source: callers pass a, b and
// the salt in.
package srp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"time"
)

// nHex is RFC 5054's 3072-bit group prime (appendix A), the one Cognito uses.
const nHex = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
	"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
	"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D" +
	"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D" +
	"670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9" +
	"DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64" +
	"ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B" +
	"F12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31" +
	"43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

var (
	n, _ = new(big.Int).SetString(nHex, 16)
	g    = big.NewInt(2)
	k    = hashHex(PadHex(n) + PadHex(g))
)

// TimestampLayout is the form of the TIMESTAMP the client signs, as
// Cognito writes it: "Mon Dec 7 09:38:06 UTC 2026" (day not padded).
const TimestampLayout = "Mon Jan 2 15:04:05 UTC 2006"

// Timestamp is t in TimestampLayout, in UTC.
func Timestamp(t time.Time) string { return t.UTC().Format(TimestampLayout) }

// SecretLen is the length of a random a or b: 256 bits, as Cognito's
// client draws them.
const SecretLen = 32

// ErrBadPublic is a public value (A or B) that is 0 mod N: it would fix
// the session key whatever the password, so it is refused.
var ErrBadPublic = errors.New("srp: public value is 0 mod N")

// PadHex is Cognito's hex form of a non-negative number: lower-case,
// even length, with "00" in front when the first byte's high bit is set
// (so that it reads as positive in two's complement).
func PadHex(x *big.Int) string {
	h := x.Text(16)
	if len(h)%2 == 1 {
		h = "0" + h
	}
	if strings.IndexByte("89abcdef", h[0]) >= 0 {
		h = "00" + h
	}
	return h
}

// ParseHex reads a number the other side sent in hex (any case, any
// length up to that of N's hex form twice, leading zeros allowed).
func ParseHex(s string) (*big.Int, bool) {
	if s == "" || len(s) > 2*len(nHex) {
		return nil, false
	}
	x, ok := new(big.Int).SetString(s, 16)
	if !ok || x.Sign() < 0 {
		return nil, false
	}
	return x, true
}

// Verifier is v = g^x, what the server stores for a password instead of
// the password.
func Verifier(pool, userID, password string, salt *big.Int) *big.Int {
	return new(big.Int).Exp(g, x(pool, userID, password, salt), n)
}

func x(pool, userID, password string, salt *big.Int) *big.Int {
	inner := sha256.Sum256([]byte(pool + userID + ":" + password))
	return hashHex(PadHex(salt) + hex.EncodeToString(inner[:]))
}

// PublicA is the client's A = g^a.
func PublicA(a *big.Int) *big.Int { return new(big.Int).Exp(g, a, n) }

// PublicB is the server's B = k·v + g^b mod N.
func PublicB(v, b *big.Int) *big.Int {
	kv := new(big.Int).Mul(k, v)
	kv.Add(kv, new(big.Int).Exp(g, b, n))
	return kv.Mod(kv, n)
}

// ValidPublic reports whether a public value (A or B) may be used: it is
// not 0 mod N.
func ValidPublic(x *big.Int) bool { return new(big.Int).Mod(x, n).Sign() != 0 }

// ServerKey is the server's session key K for the client's A: ErrBadPublic
// when A (or u) is 0 mod N.
func ServerKey(A, B, v, b *big.Int) ([]byte, error) {
	if !ValidPublic(A) {
		return nil, ErrBadPublic
	}
	u := hashHex(PadHex(A) + PadHex(B))
	if u.Sign() == 0 {
		return nil, ErrBadPublic
	}
	s := new(big.Int).Exp(v, u, n)
	s.Mul(s, A).Mod(s, n)
	s.Exp(s, b, n)
	return hkdf(s, u), nil
}

// ClientKey is the client's session key K for the server's B and salt:
// ErrBadPublic when B (or u) is 0 mod N.
func ClientKey(pool, userID, password string, salt, a, A, B *big.Int) ([]byte, error) {
	if !ValidPublic(B) {
		return nil, ErrBadPublic
	}
	u := hashHex(PadHex(A) + PadHex(B))
	if u.Sign() == 0 {
		return nil, ErrBadPublic
	}
	xv := x(pool, userID, password, salt)
	base := new(big.Int).Exp(g, xv, n)
	base.Mul(base, k)
	base.Sub(B, base).Mod(base, n) // Mod is Euclidean: never negative
	e := new(big.Int).Mul(u, xv)
	e.Add(e, a)
	return hkdf(base.Exp(base, e, n), u), nil
}

// Signature is the PASSWORD_CLAIM_SIGNATURE: HMAC-SHA256 under K of the
// pool name, the user id, the secret block (decoded) and the timestamp.
func Signature(key []byte, pool, userID string, secretBlock []byte, timestamp string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(pool))
	m.Write([]byte(userID))
	m.Write(secretBlock)
	m.Write([]byte(timestamp))
	return m.Sum(nil)
}

// hkdf is HKDF-SHA256 with one block of output, cut to 16 bytes as
// Cognito cuts it.
func hkdf(s, u *big.Int) []byte {
	prk := hmac.New(sha256.New, hexBytes(PadHex(u)))
	prk.Write(hexBytes(PadHex(s)))
	okm := hmac.New(sha256.New, prk.Sum(nil))
	okm.Write([]byte("Caldera Derived Key\x01"))
	return okm.Sum(nil)[:16]
}

// hashHex is the SHA-256 of the bytes a hex string spells, as a number.
func hashHex(h string) *big.Int {
	sum := sha256.Sum256(hexBytes(h))
	return new(big.Int).SetBytes(sum[:])
}

// hexBytes decodes hex this package made itself (always even, valid).
func hexBytes(h string) []byte {
	b, err := hex.DecodeString(h)
	if err != nil {
		panic("srp: internal hex " + h)
	}
	return b
}
