package identity_test

import (
	"context"
	"testing"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

// TestPasswordResetRules: a reset is pending for every login asked for,
// known or not, and only a known email user's code works; it expires
// after ResetCodeTTL and is purged with the temporary codes; a self
// sign-up needs the SaaS to allow it.
func TestPasswordResetRules(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			const a = "6e1c2d3e-4f50-4617-8829-3a4b5c6d7e8f"
			_, c, s := newPool(t, b, a)
			if _, _, err := s.CreateUser(ctx, a, identity.NewUser{Email: "ann@example.com", Password: ptr("Sup3r-secret")}); err != nil {
				t.Fatal(err)
			}
			err := s.RequestPasswordReset(ctx, a, "")
			wantKind(t, "an empty login", err, errs.KindInvalid, "")
			for _, login := range []string{"ann@example.com", "zed@example.com"} {
				if err := s.RequestPasswordReset(ctx, a, login); err != nil {
					t.Fatal(err)
				}
			}
			err = s.ResetPasswordWithCode(ctx, a, "zed@example.com", "123456", "N3w-secret!")
			wantKind(t, "an unknown login's reset", err, errs.KindInvalid, "")
			err = s.ResetPasswordWithCode(ctx, a, "ann@example.com", "123456", "short")
			wantKind(t, "a password off the policy", err, errs.KindInvalid, "")
			c.Add(identity.ResetCodeTTL)
			if n, err := s.PurgeTempCodes(ctx); err != nil || n != 2 {
				t.Errorf("PurgeTempCodes = %d, %v; want both expired resets", n, err)
			}
			err = s.SelfSignUp(ctx, a, "new@example.com")
			wantKind(t, "a closed sign-up", err, errs.KindConflict, identity.TypeSignUpClosed)
		})
	}
}
