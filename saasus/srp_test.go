package saasus

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/srp"
)

// TestSRPSignInMatchesAWSClient: for the secrets of each vector, the
// responses are those AWS's amazon-cognito-identity-js computed.
func TestSRPSignInMatchesAWSClient(t *testing.T) {
	raw, err := os.ReadFile("../internal/srp/testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []struct {
		Pool, User, Password, Salt, B, Secret, Timestamp, Signature string
		A                                                           string `json:"A"`
		SmallA                                                      string `json:"a"`
	}
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		a, _ := hex.DecodeString(v.SmallA)
		a = append(bytes.Repeat([]byte{0}, srp.SecretLen-len(a)), a...) // the reader yields a, left-padded
		c, err := newSRPSignIn(bytes.NewReader(a), v.Pool, v.Password)
		if err != nil {
			t.Fatal(err)
		}
		if c.PublicA() != v.A {
			t.Errorf("%s: SRP_A %s, want %s", v.User, c.PublicA(), v.A)
		}
		at, err := time.Parse(srp.TimestampLayout, v.Timestamp)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Answer(map[string]string{"SALT": v.Salt, "SRP_B": v.B, "SECRET_BLOCK": v.Secret, "USER_ID_FOR_SRP": v.User}, at)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"USERNAME": v.User, "PASSWORD_CLAIM_SECRET_BLOCK": v.Secret, "PASSWORD_CLAIM_SIGNATURE": v.Signature, "TIMESTAMP": v.Timestamp}
		for k, w := range want {
			if resp[k] != w {
				t.Errorf("%s: %s = %q, want %q", v.User, k, resp[k], w)
			}
		}
	}
}

func TestSRPSignInRefusesAnIncompleteChallenge(t *testing.T) {
	c, err := NewSRPSignIn("saas", "pw")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []map[string]string{
		{},
		{"SALT": "01", "SRP_B": "02", "SECRET_BLOCK": "AA=="},
		{"SALT": "01", "SRP_B": "zz", "SECRET_BLOCK": "AA==", "USER_ID_FOR_SRP": "u"},
		{"SALT": "01", "SRP_B": "00", "SECRET_BLOCK": "AA==", "USER_ID_FOR_SRP": "u"},
	} {
		if _, err := c.Answer(p, time.Now()); err == nil {
			t.Errorf("Answer(%v) succeeded", p)
		}
	}
}
