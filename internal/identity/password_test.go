package identity

import (
	"errors"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/idgen"
)

// cheap keeps the tests fast; the production cost is DefaultArgon2.
var cheap = Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}

func TestPasswordHashing(t *testing.T) {
	src := idgen.Seeded(1)
	h, err := HashPassword(src, "correct horse battery staple", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %q is not a PHC argon2id string", h)
	}
	if err := VerifyPassword(h, "correct horse battery staple"); err != nil {
		t.Errorf("the right password: %v", err)
	}
	for _, wrong := range []string{"", "correct horse battery stapl", "Correct horse battery staple", strings.Repeat("x", MaxPasswordBytes+1)} {
		if err := VerifyPassword(h, wrong); !errors.Is(err, ErrPasswordMismatch) {
			t.Errorf("VerifyPassword(%.20q) = %v, want ErrPasswordMismatch", wrong, err)
		}
	}
	if again, _ := HashPassword(src, "correct horse battery staple", cheap); again == h {
		t.Error("two hashes of one password are equal: the salt is not fresh")
	}
	if _, err := HashPassword(src, strings.Repeat("x", MaxPasswordBytes+1), cheap); err == nil {
		t.Error("a password over the limit was hashed")
	}
	if NeedsRehash(h, cheap) || !NeedsRehash(h, DefaultArgon2) || !NeedsRehash("junk", cheap) {
		t.Error("NeedsRehash does not follow the parameters")
	}
	if err := VerifyPassword(DummyHash, "no user has this password"); !errors.Is(err, ErrPasswordMismatch) {
		t.Errorf("DummyHash matched its own seed: %v", err)
	}
	if NeedsRehash(DummyHash, DefaultArgon2) {
		t.Error("DummyHash is not at the default cost, so it would not cost what a real check costs")
	}
}

func TestVerifyPasswordRefusesBadHashes(t *testing.T) {
	good, _ := HashPassword(idgen.Seeded(2), "pw", cheap)
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for _, h := range []string{
		"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		with(1, "argon2d"), with(2, "v=16"),
		with(3, "m=64,t=1"), with(3, "t=1,m=64,p=1"), with(3, "m=64,t=1,p=1,x=2"), with(3, "m=064,t=1,p=1"),
		with(3, "m=64,t=0,p=1"), with(3, "m=64,t=99,p=1"), with(3, "m=4,t=1,p=1"), with(3, "m=9999999999,t=1,p=1"),
		with(3, "m=64,t=1,p=0"), with(3, "m=64,t=1,p=256"), with(3, "m=-1,t=1,p=1"),
		with(4, "c2Fsd"), with(4, "!!!!"), with(5, ""), with(5, "a2V5"), good + "$",
	} {
		if err := VerifyPassword(h, "pw"); !errors.Is(err, ErrBadHash) {
			t.Errorf("VerifyPassword(%q) = %v, want ErrBadHash", h, err)
		}
	}
}

// FuzzParsePHC: no stored string makes a check panic or cost more than
// the limits allow.
func FuzzParsePHC(f *testing.F) {
	good, _ := HashPassword(idgen.Seeded(3), "pw", cheap)
	f.Add(good)
	f.Add(DummyHash)
	f.Add("$argon2id$v=19$m=1048577,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parsePHC(s)
		if err != nil {
			return
		}
		if h.params.check() != nil || len(h.salt) < 8 || len(h.salt) > 64 || len(h.key) < 16 || len(h.key) > 64 {
			t.Fatalf("parsePHC(%q) accepted %+v", s, h)
		}
	})
}

func TestPolicyDescribe(t *testing.T) {
	for _, c := range []struct {
		p    PasswordPolicy
		want string
	}{
		{DefaultPasswordPolicy, "At least 8 characters, with a lower-case and an upper-case letter, a digit and a symbol."},
		{PasswordPolicy{MinLength: 12}, "At least 12 characters."},
		{PasswordPolicy{MinLength: 6, Uppercase: true}, "At least 6 characters, with an upper-case letter."},
		{PasswordPolicy{MinLength: 10, Lowercase: true, Numbers: true}, "At least 10 characters, with a lower-case letter and a digit."},
		{PasswordPolicy{MinLength: 8, Symbols: true, Numbers: true}, "At least 8 characters, with a digit and a symbol."},
	} {
		if got := c.p.Describe(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.p, got, c.want)
		}
	}
}
