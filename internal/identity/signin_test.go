package identity_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

// TestSignIn: the right password signs in by email or sign-in id in any
// case; a wrong password and an unknown login fail alike; five failures
// in the window lock a login, known or not, whatever the password, until
// the lock ends; a success forgets the failures; a hash at old settings
// is replaced; and the hosted flow needs a callback URL.
func TestSignIn(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db := b.Open(t)
			c := apitest.NewClock(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
			s := newNode(t, db, c)
			const a = "0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f"
			newSaaS(t, db, a)
			ann, _, err := s.CreateUser(ctx, a, identity.NewUser{Email: "Ann@example.com", Password: ptr("Sup3r-secret")})
			if err != nil {
				t.Fatal(err)
			}
			bob, _, err := s.CreateUser(ctx, a, identity.NewUser{SignInID: "bob_01", Password: ptr("B0b-secret!")})
			if err != nil {
				t.Fatal(err)
			}
			for login, uid := range map[string]string{"ann@EXAMPLE.com": ann.ID, " Ann@example.com ": ann.ID, "BOB_01": bob.ID} {
				pw := "Sup3r-secret"
				if uid == bob.ID {
					pw = "B0b-secret!"
				}
				tok, err := s.SignIn(ctx, a, login, pw)
				if err != nil {
					t.Fatalf("SignIn(%q): %v", login, err)
				}
				if u, err := s.UserOfToken(ctx, a, tok.Tokens.IDToken, identity.UseID); err != nil || u.ID != uid {
					t.Errorf("SignIn(%q) gave a token of %+v, %v", login, u, err)
				}
			}

			wrong := func(what, login, pw string, typ string) {
				t.Helper()
				_, err := s.SignIn(ctx, a, login, pw)
				wantKind(t, what, err, map[string]errs.Kind{identity.TypeSignInFailed: errs.KindUnauthorized, identity.TypeLocked: errs.KindRateLimited}[typ], typ)
			}
			wrong("a wrong password", "ann@example.com", "Wr0ng-secret", identity.TypeSignInFailed)
			wrong("an unknown login", "zed@example.com", "Sup3r-secret", identity.TypeSignInFailed)
			wrong("an empty login", "", "Sup3r-secret", identity.TypeSignInFailed)
			// A success forgets ann's failure: four more do not lock her.
			if _, err := s.SignIn(ctx, a, "ann@example.com", "Sup3r-secret"); err != nil {
				t.Fatal(err)
			}
			for range 4 {
				wrong("failures 1-4", "ann@example.com", "Wr0ng-secret", identity.TypeSignInFailed)
			}
			wrong("the fifth failure", "ANN@example.com", "Wr0ng-secret", identity.TypeLocked)
			wrong("the right password while locked", "ann@example.com", "Sup3r-secret", identity.TypeLocked)
			for range 3 {
				wrong("an unknown login, failures 2-4", "zed@example.com", "x", identity.TypeSignInFailed)
			}
			wrong("an unknown login locks alike", "zed@example.com", "x", identity.TypeLocked)
			if _, err := s.SignIn(ctx, a, "bob_01", "B0b-secret!"); err != nil {
				t.Errorf("another login is not locked: %v", err)
			}
			c.Add(15*time.Minute + time.Second)
			if _, err := s.SignIn(ctx, a, "ann@example.com", "Sup3r-secret"); err != nil {
				t.Errorf("after the lock: %v", err)
			}
			// Failures spread over more than the window never lock.
			for range 6 {
				wrong("spread failures", "bob_01", "x", identity.TypeSignInFailed)
				c.Add(4 * time.Minute)
			}
			if n, err := s.PurgeSignInFailures(ctx); err != nil || n != 1 {
				t.Errorf("PurgeSignInFailures = %d, %v; want zed's record only (bob's window is live)", n, err)
			}

			// A hash made at other settings is replaced at sign-in.
			stronger := newNodeArgon(t, db, c, identity.Argon2Params{MemoryKiB: 128, Time: 1, Threads: 1})
			if _, err := stronger.SignIn(ctx, a, "bob_01", "B0b-secret!"); err != nil {
				t.Fatal(err)
			}
			if _, err := stronger.SignIn(ctx, a, "bob_01", "B0b-secret!"); err != nil {
				t.Fatalf("after the rehash: %v", err)
			}
			if got := storedHash(t, db, a, "bob_01"); identity.NeedsRehash(got, identity.Argon2Params{MemoryKiB: 128, Time: 1, Threads: 1}) {
				t.Errorf("stored hash %s is still at the old settings", got)
			}

			// The hosted flow: no callback URL, then the code in the callback.
			_, err = s.SignInToCallback(ctx, a, "ann@example.com", "Sup3r-secret")
			wantKind(t, "no callback URL", err, errs.KindConflict, identity.TypeNoCallback)
			if err := s.SetCallbackURL(ctx, a, "https://app.example.com/cb?x=1"); err != nil {
				t.Fatal(err)
			}
			st, err := s.SignInToCallback(ctx, a, "ann@example.com", "Sup3r-secret")
			if err != nil || st.Challenge != "" {
				t.Fatal(err, st)
			}
			u, _ := url.Parse(st.To)
			if u.Host != "app.example.com" || u.Path != "/cb" || u.Query().Get("x") != "1" {
				t.Fatalf("redirect to %s, want the callback URL with its query", st.To)
			}
			tok, err := s.ExchangeCode(ctx, a, u.Query().Get("code"))
			if err != nil {
				t.Fatalf("exchange the code of the redirect: %v", err)
			}
			if got, err := s.UserOfToken(ctx, a, tok.IDToken, identity.UseID); err != nil || got.ID != ann.ID {
				t.Errorf("the code's token is of %+v, %v", got, err)
			}
		})
	}
}
