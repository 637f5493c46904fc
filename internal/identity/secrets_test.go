package identity

import (
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/idgen"
)

func TestSecrets(t *testing.T) {
	src := idgen.Seeded(4)
	s, h, err := NewSecret(src)
	if err != nil {
		t.Fatal(err)
	}
	if !WellFormedSecret(s) || HashSecret(s) != h {
		t.Errorf("secret %q: well formed %v, hash matches %v", s, WellFormedSecret(s), HashSecret(s) == h)
	}
	if s2, h2, _ := NewSecret(src); s2 == s || h2 == h {
		t.Error("two secrets are equal")
	}
	for _, bad := range []string{"", s[:42], s + "A", strings.Replace(s, s[:1], "+", 1), s[:42] + "=", strings.Repeat("é", 21) + "a"} {
		if WellFormedSecret(bad) {
			t.Errorf("WellFormedSecret(%q) = true", bad)
		}
	}
}

func TestLifetimesValidate(t *testing.T) {
	d := DefaultLifetimes()
	if err := d.Validate(); err != nil || d.ID != time.Hour || d.Access != time.Hour || d.Refresh != 30*24*time.Hour || d.Signed() != time.Hour {
		t.Fatalf("defaults %+v: %v", d, err)
	}
	edit := func(f func(*Lifetimes)) Lifetimes { l := d; f(&l); return l }
	for name, l := range map[string]Lifetimes{
		"ID token too short":    edit(func(l *Lifetimes) { l.ID = time.Minute }),
		"access token too long": edit(func(l *Lifetimes) { l.Access = 25 * time.Hour }),
		"refresh too short":     edit(func(l *Lifetimes) { l.Refresh = 30 * time.Minute }),
		"refresh not outliving": edit(func(l *Lifetimes) { l.ID, l.Refresh = 2*time.Hour, 2*time.Hour }),
		"temp code too short":   edit(func(l *Lifetimes) { l.TempCode = 5 * time.Second }),
		"temp code too long":    edit(func(l *Lifetimes) { l.TempCode = 10 * time.Minute }),
		"zero":                  {},
	} {
		if err := l.Validate(); err == nil {
			t.Errorf("%s: %+v accepted", name, l)
		}
	}
}
