package saasus

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/saasplane/saasplane/internal/srp"
)

// SRPSignIn is the app's side of signing a user in through the Auth API
// (POST /v1/auth/sign-in with sign_in_flow USER_SRP_AUTH, then POST
// /v1/auth/sign-in/challenge with PASSWORD_VERIFIER), so that the
// password never leaves the app:
//
//	c, err := saasus.NewSRPSignIn(saasID, password)
//	// POST /sign-in {"sign_in_flow": "USER_SRP_AUTH",
//	//   "sign_in_parameters": {"USERNAME": login, "SRP_A": c.PublicA()}}
//	responses, err := c.Answer(result.ChallengeParameters, time.Now())
//	// POST /sign-in/challenge {"challenge_name": "PASSWORD_VERIFIER",
//	//   "challenge_responses": responses, "session": result.Session}
//
// It is Cognito's protocol, which saasplane serves with the SaaS's id as
// the pool name; a Cognito client library does the same when configured
// with the user pool id "saasplane_" + saasID. One SRPSignIn serves one
// sign-in.
type SRPSignIn struct {
	saasID, password string
	a, bigA          *big.Int
}

// NewSRPSignIn draws the secret of one sign-in from crypto/rand.
func NewSRPSignIn(saasID, password string) (*SRPSignIn, error) {
	return newSRPSignIn(rand.Reader, saasID, password)
}

func newSRPSignIn(random io.Reader, saasID, password string) (*SRPSignIn, error) {
	b := make([]byte, srp.SecretLen)
	if _, err := io.ReadFull(random, b); err != nil {
		return nil, fmt.Errorf("saasus: SRP secret: %w", err)
	}
	a := new(big.Int).SetBytes(b)
	return &SRPSignIn{saasID: saasID, password: password, a: a, bigA: srp.PublicA(a)}, nil
}

// PublicA is the sign_in_parameters' SRP_A.
func (c *SRPSignIn) PublicA() string { return srp.PadHex(c.bigA) }

// Answer turns the challenge_parameters of a PASSWORD_VERIFIER challenge
// into its challenge_responses, signed at now.
func (c *SRPSignIn) Answer(params map[string]string, now time.Time) (map[string]string, error) {
	salt, ok1 := srp.ParseHex(params["SALT"])
	bigB, ok2 := srp.ParseHex(params["SRP_B"])
	block, err := base64.StdEncoding.DecodeString(params["SECRET_BLOCK"])
	userID := params["USER_ID_FOR_SRP"]
	if !ok1 || !ok2 || err != nil || userID == "" {
		return nil, errors.New("saasus: the challenge lacks SALT, SRP_B, SECRET_BLOCK or USER_ID_FOR_SRP")
	}
	key, err := srp.ClientKey(c.saasID, userID, c.password, salt, c.a, c.bigA, bigB)
	if err != nil {
		return nil, fmt.Errorf("saasus: %w", err)
	}
	ts := srp.Timestamp(now)
	return map[string]string{
		"USERNAME":                    userID,
		"PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
		"PASSWORD_CLAIM_SIGNATURE":    base64.StdEncoding.EncodeToString(srp.Signature(key, c.saasID, userID, block, ts)),
		"TIMESTAMP":                   ts,
	}, nil
}
