package identity_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/idgen"
	"github.com/saasplane/saasplane/internal/saas"
	"github.com/saasplane/saasplane/internal/store"
	"github.com/saasplane/saasplane/internal/store/storetest"
)

const day = 24 * time.Hour

func newNode(t *testing.T, db *store.DB, c *apitest.Clock) *identity.Service {
	t.Helper()
	return newNodeArgon(t, db, c, identity.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}) // fast; the cost is measured in BENCHMARKS.md
}

func newNodeArgon(t *testing.T, db *store.DB, c *apitest.Clock, p identity.Argon2Params) *identity.Service {
	t.Helper()
	s, err := identity.NewService(db.Identity(), identity.Config{
		IssuerBase: "https://id.example.com/identity/", Now: c.Now, Random: idgen.Crypto(), NewID: uuid.NewString,
		Rotation: identity.Rotation{Every: 30 * day, PublishAhead: day},
		Argon2:   p,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// storedHash reads the password hash of the user with a sign-in id.
func storedHash(t *testing.T, db *store.DB, saasID, signInID string) string {
	t.Helper()
	var p identity.Password
	if err := db.Identity().ReadTx(t.Context(), func(tx identity.Tx) (err error) {
		_, p, err = tx.UserCredentials(t.Context(), saasID, "", signInID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return p.Hash
}

// newPool is a fresh store of b with the SaaS saasID, and an identity
// node on it whose clock starts at 1 December 2026.
func newPool(t *testing.T, b storetest.Backend, saasID string) (*store.DB, *apitest.Clock, *identity.Service) {
	t.Helper()
	db := b.Open(t)
	c := apitest.NewClock(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	s := newNode(t, db, c)
	newSaaS(t, db, saasID)
	return db, c, s
}

func newSaaS(t testing.TB, db *store.DB, id string) {
	t.Helper()
	if err := db.InsertSaaS(t.Context(), saas.SaaS{ID: id, Name: "identity test", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

func token(c *apitest.Clock) identity.Token {
	return identity.Token{Use: identity.UseID, UserID: "u1", SessionID: "s1", Email: "ann@example.com", ID: "j",
		IssuedAt: c.Now(), TTL: time.Hour}
}

func kids(t *testing.T, s *identity.Service, saasID string) []string {
	t.Helper()
	set, err := s.JWKS(context.Background(), saasID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.Kid)
	}
	return out
}

// storedKeys counts the SaaS's signing keys in the database.
func storedKeys(t *testing.T, db *store.DB, saasID string) int {
	t.Helper()
	var n int
	err := db.Identity().ReadTx(context.Background(), func(tx identity.Tx) error {
		ks, err := tx.SigningKeys(context.Background(), saasID)
		n = len(ks)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func kidOf(t *testing.T, raw string) string {
	t.Helper()
	tok, _, err := jwt.NewParser().ParseUnverified(raw, &identity.Claims{})
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := tok.Header["kid"].(string)
	return kid
}

// TestServiceRotatesKeys follows one SaaS's keys through a rotation on
// a test clock: the first key is made by the first signature, the
// successor is published a day before it signs, tokens of the old key
// verify until they have expired, and then the old key goes.
func TestServiceRotatesKeys(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := t.Context()
			db := b.Open(t)
			c := apitest.NewClock(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
			s := newNode(t, db, c)
			const id = "9a1f3c2e-4b5d-4e6f-8a7b-0c1d2e3f4a5b"
			newSaaS(t, db, id)

			if _, err := s.JWKS(ctx, "b0b0b0b0-0000-4000-8000-000000000000"); errs.KindOf(err) != errs.KindNotFound {
				t.Fatalf("JWKS of an unknown SaaS = %v, want NotFound", err)
			}
			if got := kids(t, s, id); len(got) != 0 {
				t.Fatalf("before any signature the JWKS has %v, want none", got)
			}
			first, err := s.SignToken(ctx, id, token(c))
			if err != nil {
				t.Fatal(err)
			}
			k1 := kidOf(t, first)
			if got := kids(t, s, id); len(got) != 1 || got[0] != k1 {
				t.Fatalf("after the first signature the JWKS has %v, want [%s]", got, k1)
			}
			if cl, err := s.VerifyToken(ctx, id, first, identity.UseID); err != nil || cl.Issuer != s.Issuer(id) || cl.Audience[0] != id {
				t.Fatalf("VerifyToken = %+v, %v", cl, err)
			}

			c.Add(29 * day) // the successor is due: published, not signing
			if got := kids(t, s, id); len(got) != 2 || got[1] != k1 {
				t.Fatalf("a day before the rotation the JWKS has %v, want [successor %s]", got, k1)
			}
			k2 := kids(t, s, id)[0]
			c.Add(day - 30*time.Minute) // 30 minutes before the successor signs
			late, err := s.SignToken(ctx, id, token(c))
			if err != nil || kidOf(t, late) != k1 {
				t.Fatalf("before the rotation the token is signed by %s (%v), want %s", kidOf(t, late), err, k1)
			}
			c.Add(30 * time.Minute)
			now, _ := s.SignToken(ctx, id, token(c))
			if kidOf(t, now) != k2 {
				t.Fatalf("after the rotation the token is signed by %s, want %s", kidOf(t, now), k2)
			}
			if _, err := s.VerifyToken(ctx, id, late, identity.UseID); err != nil {
				t.Errorf("a live token of the replaced key: %v", err)
			}
			if got := kids(t, s, id); len(got) != 2 {
				t.Errorf("while its tokens live, the replaced key is published: JWKS %v", got)
			}

			c.Add(time.Hour + identity.RetireGrace) // every token of k1 has expired
			if got := kids(t, s, id); len(got) != 1 || got[0] != k2 {
				t.Errorf("after its tokens expired the JWKS has %v, want [%s]", got, k2)
			}
			stored := storedKeys(t, db, id)
			if stored != 1 {
				t.Errorf("%d keys stored, want 1: the replaced key is deleted", stored)
			}
		})
	}
}

// TestServiceNodesAgree: nodes over one database that sign a SaaS's first
// tokens at once make one key between them, and each verifies the
// others' tokens, even one that read the SaaS's (empty) keys just before.
func TestServiceNodesAgree(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := t.Context()
			db := b.Open(t)
			c := apitest.NewClock(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
			const id = "3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a99"
			newSaaS(t, db, id)
			nodes := []*identity.Service{newNode(t, db, c), newNode(t, db, c), newNode(t, db, c)}
			if got := kids(t, nodes[2], id); len(got) != 0 { // node 2 caches "no keys"
				t.Fatal(got)
			}
			var wg sync.WaitGroup
			tokens := make([]string, 2*4)
			errc := make(chan error, len(tokens))
			for i := range tokens {
				wg.Go(func() {
					raw, err := nodes[i%2].SignToken(ctx, id, token(c))
					tokens[i] = raw
					errc <- err
				})
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				if err != nil {
					t.Fatal(err)
				}
			}
			stored := storedKeys(t, db, id)
			if stored != 1 {
				t.Fatalf("%d keys stored by nodes signing at once, want 1", stored)
			}
			for i, raw := range tokens {
				for n, node := range nodes {
					if _, err := node.VerifyToken(ctx, id, raw, identity.UseID); err != nil {
						t.Errorf("node %d refuses token %d: %v", n, i, err)
					}
				}
			}
			if _, err := nodes[0].VerifyToken(ctx, id, tokens[0], identity.UseAccess); errs.KindOf(err) != errs.KindUnauthorized {
				t.Errorf("an ID token as an access token: %v, want Unauthorized", err)
			}
		})
	}
}
