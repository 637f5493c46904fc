package identity_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

func ptr(s string) *string { return &s }

func wantKind(t *testing.T, what string, err error, kind errs.Kind, typ string) {
	t.Helper()
	e, ok := err.(*errs.Error)
	if errs.KindOf(err) != kind || (typ != "" && (!ok || e.Type != typ)) {
		t.Errorf("%s: %v, want kind %v type %q", what, err, kind, typ)
	}
}

// TestUsersAndSessions follows users through creation, sign-in sessions,
// token checks, refresh, a password change and deletion, on every
// backend: every token of an ended session, an expired one, another
// SaaS's, or of the wrong use is refused as Unauthorized.
func TestUsersAndSessions(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			c := apitest.NewClock(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
			s := newNode(t, db, c)
			const a, other = "0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f", "1c2d3e4f-5061-4728-9930-4b5c6d7e8f90"
			newSaaS(t, db, a)
			newSaaS(t, db, other)

			ann, gen, err := s.CreateUser(ctx, a, identity.NewUser{Email: "Ann@example.com", Password: ptr("Sup3r-secret")})
			if err != nil || gen != "" || ann.Email != "Ann@example.com" || ann.SignInID != "" {
				t.Fatalf("CreateUser(email) = %+v, %q, %v", ann, gen, err)
			}
			_, _, err = s.CreateUser(ctx, a, identity.NewUser{Email: "ann@EXAMPLE.com", Password: ptr("Sup3r-secret")})
			wantKind(t, "the same email in other case", err, errs.KindInvalid, "duplicate_name")
			if _, _, err := s.CreateUser(ctx, other, identity.NewUser{Email: "ann@example.com", Password: ptr("Sup3r-secret")}); err != nil {
				t.Errorf("the same email in another SaaS: %v", err)
			}
			bob, gen, err := s.CreateUser(ctx, a, identity.NewUser{SignInID: "bob_01"})
			if err != nil || identity.DefaultPasswordPolicy.Check("password", gen) != nil {
				t.Fatalf("CreateUser(sign-in id, no password) = %+v, %q, %v: want a generated password meeting the policy", bob, gen, err)
			}
			_, _, err = s.CreateUser(ctx, a, identity.NewUser{SignInID: "BOB_01"})
			wantKind(t, "the same sign-in id in other case", err, errs.KindInvalid, "duplicate_name")
			for name, in := range map[string]identity.NewUser{
				"neither":        {Password: ptr("Sup3r-secret")},
				"both":           {Email: "c@example.com", SignInID: "c", Password: ptr("Sup3r-secret")},
				"weak password":  {Email: "c@example.com", Password: ptr("password")},
				"bad email":      {Email: "Carol <c@example.com>", Password: ptr("Sup3r-secret")},
				"bad sign-in id": {SignInID: "c d", Password: ptr("Sup3r-secret")},
			} {
				_, _, err := s.CreateUser(ctx, a, in)
				wantKind(t, name, err, errs.KindInvalid, "")
			}
			if us, err := s.Users(ctx, a); err != nil || len(us) != 2 || us[0].ID != ann.ID || us[1].ID != bob.ID {
				t.Errorf("Users = %v, %v; want ann then bob", us, err)
			}

			tok, err := s.StartSession(ctx, a, ann.ID)
			if err != nil || tok.RefreshToken == "" || tok.ExpiresIn != time.Hour {
				t.Fatalf("StartSession = %+v, %v", tok, err)
			}
			if u, err := s.UserOfToken(ctx, a, tok.IDToken, identity.UseID); err != nil || u.ID != ann.ID {
				t.Fatalf("UserOfToken(ID token) = %+v, %v", u, err)
			}
			_, err = s.UserOfToken(ctx, a, tok.AccessToken, identity.UseID)
			wantKind(t, "an access token as an ID token", err, errs.KindUnauthorized, "invalid_token")
			_, err = s.UserOfToken(ctx, other, tok.IDToken, identity.UseID)
			wantKind(t, "the token at another SaaS", err, errs.KindUnauthorized, "invalid_token")

			c.Add(59 * time.Minute)
			fresh, err := s.Refresh(ctx, a, tok.RefreshToken)
			if err != nil || fresh.RefreshToken != "" {
				t.Fatalf("Refresh = %+v, %v", fresh, err)
			}
			c.Add(2 * time.Minute) // the first ID token has expired, the refreshed one has not
			_, err = s.UserOfToken(ctx, a, tok.IDToken, identity.UseID)
			wantKind(t, "an expired ID token", err, errs.KindUnauthorized, "invalid_token")
			if _, err := s.UserOfToken(ctx, a, fresh.IDToken, identity.UseID); err != nil {
				t.Errorf("the refreshed ID token: %v", err)
			}
			_, err = s.Refresh(ctx, other, tok.RefreshToken)
			wantKind(t, "the refresh token at another SaaS", err, errs.KindUnauthorized, "invalid_token")
			_, err = s.Refresh(ctx, a, strings.Repeat("A", 43))
			wantKind(t, "an unknown refresh token", err, errs.KindUnauthorized, "invalid_token")

			// A password change ends every session.
			if err := s.SetPassword(ctx, a, ann.ID, "An0ther-secret", false); err != nil {
				t.Fatal(err)
			}
			_, err = s.UserOfToken(ctx, a, fresh.IDToken, identity.UseID)
			wantKind(t, "a token after the password changed", err, errs.KindUnauthorized, "invalid_token")
			_, err = s.Refresh(ctx, a, tok.RefreshToken)
			wantKind(t, "a refresh after the password changed", err, errs.KindUnauthorized, "invalid_token")
			wantKind(t, "a weak new password", s.SetPassword(ctx, a, ann.ID, "short", false), errs.KindInvalid, "")
			wantKind(t, "a new password for nobody", s.SetPassword(ctx, a, "nobody", "An0ther-secret", false), errs.KindNotFound, "")

			// The refresh token's end is the session's.
			bt, err := s.StartSession(ctx, a, bob.ID)
			if err != nil {
				t.Fatal(err)
			}
			c.Add(30*day + time.Second)
			_, err = s.Refresh(ctx, a, bt.RefreshToken)
			wantKind(t, "an expired refresh token", err, errs.KindUnauthorized, "invalid_token")

			// Deleting a user ends their sessions and answers what it deleted.
			bt, _ = s.StartSession(ctx, a, bob.ID)
			gone, err := s.DeleteUser(ctx, a, bob.ID)
			if err != nil || gone.User.ID != bob.ID || gone.User.SignInID != "bob_01" || len(gone.Tenants) != 0 {
				t.Fatalf("DeleteUser = %+v, %v", gone, err)
			}
			_, err = s.UserOfToken(ctx, a, bt.IDToken, identity.UseID)
			wantKind(t, "a token of a deleted user", err, errs.KindUnauthorized, "invalid_token")
			_, err = s.DeleteUser(ctx, a, bob.ID)
			wantKind(t, "deleting again", err, errs.KindNotFound, "")
			_, err = s.StartSession(ctx, a, bob.ID)
			wantKind(t, "a session for a deleted user", err, errs.KindNotFound, "")
		})
	}
}

// TestPurgeTempCodes: codes that expired unused go with their tokens, on
// every backend; live ones stay and still exchange.
func TestPurgeTempCodes(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			c := apitest.NewClock(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
			s := newNode(t, db, c)
			const a = "2d3e4f50-6172-4839-8a41-5c6d7e8f9a01"
			newSaaS(t, db, a)
			u, _, err := s.CreateUser(ctx, a, identity.NewUser{SignInID: "ann"})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := s.StartSession(ctx, a, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.IssueCode(ctx, a, tok); err != nil {
				t.Fatal(err)
			}
			c.Add(30 * time.Second)
			live, err := s.IssueCode(ctx, a, tok)
			if err != nil {
				t.Fatal(err)
			}
			c.Add(30 * time.Second) // the first code has just expired
			if n, err := s.PurgeTempCodes(ctx); n != 1 || err != nil {
				t.Errorf("PurgeTempCodes = %d, %v; want the expired code only", n, err)
			}
			if n, _ := s.PurgeTempCodes(ctx); n != 0 {
				t.Errorf("a second purge deleted %d", n)
			}
			if got, err := s.ExchangeCode(ctx, a, live); err != nil || got.RefreshToken != tok.RefreshToken {
				t.Errorf("the live code after the purge: %+v, %v", got, err)
			}
		})
	}
}
