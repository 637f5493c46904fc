package srp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"testing"
	"time"
)

// vector is one case of testdata/vectors.json: AWS's client computed A,
// the key and the signature for these fixed secrets.
type vector struct {
	Pool, User, Password, Salt, A, B, Secret, Timestamp string
	SmallA                                              string `json:"a"`
	SmallB                                              string `json:"b"`
	Verifier                                            string
	Key                                                 string
	Signature                                           string
}

func vectors(t *testing.T) []vector {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	return vs
}

func num(t *testing.T, h string) *big.Int {
	t.Helper()
	x, ok := ParseHex(h)
	if !ok {
		t.Fatalf("bad hex %q", h)
	}
	return x
}

// Both sides agree with amazon-cognito-identity-js on every value.
func TestVectorsOfAWSClient(t *testing.T) {
	for _, v := range vectors(t) {
		t.Run(v.User, func(t *testing.T) {
			salt, a, b := num(t, v.Salt), num(t, v.SmallA), num(t, v.SmallB)
			ver := Verifier(v.Pool, v.User, v.Password, salt)
			if got := PadHex(ver); got != v.Verifier {
				t.Errorf("verifier %s, want %s", got, v.Verifier)
			}
			A := PublicA(a)
			if got := PadHex(A); got != v.A {
				t.Errorf("A %s, want %s", got, v.A)
			}
			B := PublicB(ver, b)
			if got := PadHex(B); got != v.B {
				t.Errorf("B %s, want %s", got, v.B)
			}
			server, err := ServerKey(A, B, ver, b)
			if err != nil {
				t.Fatal(err)
			}
			client, err := ClientKey(v.Pool, v.User, v.Password, salt, a, A, B)
			if err != nil {
				t.Fatal(err)
			}
			for side, key := range map[string][]byte{"server": server, "client": client} {
				if got := hex.EncodeToString(key); got != v.Key {
					t.Errorf("%s key %s, want %s", side, got, v.Key)
				}
			}
			block, _ := base64.StdEncoding.DecodeString(v.Secret)
			sig := base64.StdEncoding.EncodeToString(Signature(server, v.Pool, v.User, block, v.Timestamp))
			if sig != v.Signature {
				t.Errorf("signature %s, want %s", sig, v.Signature)
			}
			if _, err := time.Parse(TimestampLayout, v.Timestamp); err != nil {
				t.Errorf("AWS's timestamp %q does not parse with TimestampLayout: %v", v.Timestamp, err)
			}
		})
	}
}

// A wrong password gives another key, so another signature.
func TestWrongPasswordGivesAnotherKey(t *testing.T) {
	v := vectors(t)[0]
	salt, a, b := num(t, v.Salt), num(t, v.SmallA), num(t, v.SmallB)
	ver := Verifier(v.Pool, v.User, v.Password, salt)
	A, B := PublicA(a), PublicB(ver, b)
	server, _ := ServerKey(A, B, ver, b)
	for _, c := range []struct{ pool, user, password string }{
		{v.Pool, v.User, v.Password + "x"},
		{v.Pool + "x", v.User, v.Password},
		{v.Pool, v.User + "x", v.Password},
	} {
		client, err := ClientKey(c.pool, c.user, c.password, salt, a, A, B)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(client, server) {
			t.Errorf("%+v: same key as the right password", c)
		}
	}
}

// A public value of 0 mod N (0, N, 2N) would fix the key: refused.
func TestZeroPublicValuesAreRefused(t *testing.T) {
	v := vectors(t)[0]
	salt, b := num(t, v.Salt), num(t, v.SmallB)
	ver := Verifier(v.Pool, v.User, v.Password, salt)
	B := PublicB(ver, b)
	for _, bad := range []*big.Int{big.NewInt(0), new(big.Int).Set(n), new(big.Int).Lsh(n, 1)} {
		if _, err := ServerKey(bad, B, ver, b); err != ErrBadPublic {
			t.Errorf("ServerKey(A=%s…): %v, want ErrBadPublic", bad.Text(16)[:1], err)
		}
		if _, err := ClientKey(v.Pool, v.User, v.Password, salt, big.NewInt(1), PublicA(big.NewInt(1)), bad); err != ErrBadPublic {
			t.Errorf("ClientKey(B=0 mod N): %v, want ErrBadPublic", err)
		}
	}
}

func TestPadHex(t *testing.T) {
	for _, c := range []struct {
		in   int64
		want string
	}{{0, "00"}, {20, "14"}, {56, "38"}, {127, "7f"}, {128, "0080"}, {200, "00c8"}, {236, "00ec"}, {0x1ff, "01ff"}, {0x8000, "008000"}} {
		if got := PadHex(big.NewInt(c.in)); got != c.want {
			t.Errorf("PadHex(%d) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestParseHex(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{{"00ff", true}, {"FF", true}, {"", false}, {"-1", false}, {"0x10", false}, {"zz", false}, {string(bytes.Repeat([]byte("f"), 2*len(nHex)+1)), false}} {
		if _, ok := ParseHex(c.in); ok != c.ok {
			t.Errorf("ParseHex(%q) ok = %v, want %v", c.in, ok, c.ok)
		}
	}
}

// FuzzServerKey: any A the network sends is refused or keyed, never a panic.
func FuzzServerKey(f *testing.F) {
	f.Add("01")
	f.Add(nHex)
	f.Add("00")
	f.Fuzz(func(t *testing.T, aHex string) {
		A, ok := ParseHex(aHex)
		if !ok {
			return
		}
		ver := Verifier("p", "u", "pw", big.NewInt(7))
		b := big.NewInt(99)
		if _, err := ServerKey(A, PublicB(ver, b), ver, b); err != nil && err != ErrBadPublic {
			t.Fatal(err)
		}
	})
}
