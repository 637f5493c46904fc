package identity_test

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/idgen"
)

// BenchmarkSignIn measures whole sign-ins on SQLite, on every core at
// once: the login's failures and password read, argon2id at
// DefaultArgon2, the session written, and an ID and an access token
// signed. The baseline is checking the password alone, in the same run
// and on as many goroutines: ratio = sign-ins/s over password checks/s.
//
//	go test -run '^$' -bench BenchmarkSignIn -benchtime 200x -count 3 ./internal/identity/
func BenchmarkSignIn(b *testing.B) {
	db := apitest.OpenSQLite(b)
	s, err := identity.NewService(db.Identity(), identity.Config{IssuerBase: "https://id.example.com/identity/",
		Now: time.Now, Random: idgen.Crypto(), NewID: uuid.NewString})
	if err != nil {
		b.Fatal(err)
	}
	const saasID = "0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f"
	newSaaS(b, db, saasID)
	const users = 64
	for i := range users {
		if _, _, err := s.CreateUser(b.Context(), saasID, identity.NewUser{SignInID: "user" + strconv.Itoa(i), Password: ptr("Sup3r-secret")}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.SignIn(b.Context(), saasID, "user0", "Sup3r-secret"); err != nil { // makes the SaaS's key
		b.Fatal(err)
	}
	hash, err := identity.HashPassword(idgen.Crypto(), "Sup3r-secret", identity.DefaultArgon2)
	if err != nil {
		b.Fatal(err)
	}
	var baseline float64
	b.Run("password-only", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := identity.VerifyPassword(hash, "Sup3r-secret"); err != nil {
					b.Error(err)
				}
			}
		})
		baseline = float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(baseline, "checks/s")
	})
	b.Run("sign-in", func(b *testing.B) {
		var n atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				login := "user" + strconv.FormatInt(n.Add(1)%users, 10)
				if _, err := s.SignIn(b.Context(), saasID, login, "Sup3r-secret"); err != nil {
					b.Error(err)
				}
			}
		})
		rate := float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(rate, "sign-ins/s")
		if baseline > 0 {
			b.ReportMetric(rate/baseline, "ratio")
		}
	})
}
