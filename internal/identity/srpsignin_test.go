package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/store/storetest"
	"github.com/saasplane/saasplane/saasus"
)

// srpSignIn runs both steps of an SRP sign-in of login with password,
// the app's side computed by saasus.SRPSignIn, at the clock's time.
func srpSignIn(t *testing.T, s *identity.Service, c *apitest.Clock, saasID, login, password string) (identity.SignInResult, error) {
	t.Helper()
	ctx := context.Background()
	app, err := saasus.NewSRPSignIn(saasID, password)
	if err != nil {
		t.Fatal(err)
	}
	start, err := s.StartSRPSignIn(ctx, saasID, login, app.PublicA())
	if err != nil {
		return identity.SignInResult{}, err
	}
	resp, err := app.Answer(map[string]string{"SALT": start.Salt, "SRP_B": start.PublicB, "SECRET_BLOCK": start.SecretBlock,
		"USER_ID_FOR_SRP": start.UserIDForSRP}, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	return s.AnswerSRP(ctx, saasID, identity.SRPProof{Session: start.Session, Username: resp["USERNAME"],
		SecretBlock: resp["PASSWORD_CLAIM_SECRET_BLOCK"], Signature: resp["PASSWORD_CLAIM_SIGNATURE"], Timestamp: resp["TIMESTAMP"]})
}

// TestSRPSignIn: the proof signs in by email or sign-in id; wrong proofs
// count toward the same lock as wrong passwords; an email change keeps
// the verifier good; a password stored without a verifier (before
// saasplane kept them) is refused until a hosted sign-in stores one; a
// started sign-in expires and is purged; a proof late by more than the
// clock skew is refused.
func TestSRPSignIn(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			const a = "5d1c2d3e-4f50-4617-8829-3a4b5c6d7e8f"
			db, c, s := newPool(t, b, a)
			ann, _, err := s.CreateUser(ctx, a, identity.NewUser{Email: "Ann@example.com", Password: ptr("Sup3r-secret")})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.CreateUser(ctx, a, identity.NewUser{SignInID: "bob_01", Password: ptr("B0b-secret!")}); err != nil {
				t.Fatal(err)
			}
			signsIn := func(what, login, pw string) {
				t.Helper()
				res, err := srpSignIn(t, s, c, a, login, pw)
				if err != nil || res.Tokens.IDToken == "" {
					t.Fatalf("%s: %+v, %v", what, res, err)
				}
			}
			fails := func(what, login, pw, typ string) {
				t.Helper()
				_, err := srpSignIn(t, s, c, a, login, pw)
				wantKind(t, what, err, map[string]errs.Kind{identity.TypeSignInFailed: errs.KindUnauthorized, identity.TypeLocked: errs.KindRateLimited}[typ], typ)
			}
			signsIn("by email, any case", "ANN@example.com", "Sup3r-secret")
			signsIn("by sign-in id", "Bob_01", "B0b-secret!")

			for range 4 {
				fails("wrong proofs 1-4", "ann@example.com", "Wr0ng", identity.TypeSignInFailed)
			}
			// The hosted page and the API count together.
			if _, err := s.SignIn(ctx, a, "ann@example.com", "Wr0ng"); errs.KindOf(err) != errs.KindRateLimited {
				t.Errorf("the fifth failure, on the hosted page: %v, want locked", err)
			}
			_, err = s.StartSRPSignIn(ctx, a, "ann@example.com", "0a")
			wantKind(t, "starting while locked", err, errs.KindRateLimited, identity.TypeLocked)
			for range 4 {
				fails("an unknown login, 1-4", "zed@example.com", "x", identity.TypeSignInFailed)
			}
			fails("an unknown login locks alike", "zed@example.com", "x", identity.TypeLocked)
			c.Add(16 * time.Minute)

			if err := s.SetEmail(ctx, a, ann.ID, "ann@new.example.com"); err != nil {
				t.Fatal(err)
			}
			signsIn("after an email change", "ann@new.example.com", "Sup3r-secret")
			fails("the old email", "ann@example.com", "Sup3r-secret", identity.TypeSignInFailed)

			// A password stored before verifiers: refused, then stored at
			// the next hosted sign-in.
			if err := db.Identity().WriteTx(ctx, func(tx identity.Tx) error {
				old := identity.Password{Hash: storedHash(t, db, a, "bob_01")}
				u, err := tx.UserByLogin(ctx, a, "", "bob_01")
				if err != nil {
					return err
				}
				return tx.SetPassword(ctx, a, u.ID, old)
			}); err != nil {
				t.Fatal(err)
			}
			fails("no verifier yet", "bob_01", "B0b-secret!", identity.TypeSignInFailed)
			if _, err := s.SignIn(ctx, a, "bob_01", "B0b-secret!"); err != nil {
				t.Fatal(err)
			}
			signsIn("after a hosted sign-in", "bob_01", "B0b-secret!")

			// A started sign-in waits 3 minutes, then is purged.
			app, _ := saasus.NewSRPSignIn(a, "Sup3r-secret")
			start, err := s.StartSRPSignIn(ctx, a, "ann@new.example.com", app.PublicA())
			if err != nil {
				t.Fatal(err)
			}
			c.Add(identity.SRPChallengeTTL + time.Second)
			resp, _ := app.Answer(map[string]string{"SALT": start.Salt, "SRP_B": start.PublicB, "SECRET_BLOCK": start.SecretBlock,
				"USER_ID_FOR_SRP": start.UserIDForSRP}, c.Now())
			_, err = s.AnswerSRP(ctx, a, identity.SRPProof{Username: resp["USERNAME"], SecretBlock: resp["PASSWORD_CLAIM_SECRET_BLOCK"],
				Signature: resp["PASSWORD_CLAIM_SIGNATURE"], Timestamp: resp["TIMESTAMP"]})
			wantKind(t, "an expired sign-in", err, errs.KindUnauthorized, identity.TypeInvalidSession)
			if _, err := s.StartSRPSignIn(ctx, a, "ann@new.example.com", app.PublicA()); err != nil {
				t.Fatal(err)
			}
			c.Add(identity.SRPChallengeTTL + time.Second)
			if n, err := s.PurgeTempCodes(ctx); err != nil || n != 1 {
				t.Errorf("PurgeTempCodes = %d, %v; want the one unanswered sign-in", n, err)
			}

			// A proof signed more than the skew away from the server's clock.
			start, err = s.StartSRPSignIn(ctx, a, "ann@new.example.com", app.PublicA())
			if err != nil {
				t.Fatal(err)
			}
			resp, _ = app.Answer(map[string]string{"SALT": start.Salt, "SRP_B": start.PublicB, "SECRET_BLOCK": start.SecretBlock,
				"USER_ID_FOR_SRP": start.UserIDForSRP}, c.Now().Add(-identity.SRPClockSkew-time.Second))
			_, err = s.AnswerSRP(ctx, a, identity.SRPProof{Username: resp["USERNAME"], SecretBlock: resp["PASSWORD_CLAIM_SECRET_BLOCK"],
				Signature: resp["PASSWORD_CLAIM_SIGNATURE"], Timestamp: resp["TIMESTAMP"]})
			wantKind(t, "a stale timestamp", err, errs.KindInvalid, "")
		})
	}
}
