package identity

import (
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"slices"
	"testing"
	"time"
)

func TestRotationPlan(t *testing.T) {
	r := Rotation{Every: 30 * 24 * time.Hour, PublishAhead: 24 * time.Hour}
	const signed = time.Hour
	day := 24 * time.Hour
	k := func(id string, created, active time.Duration) KeyTimes {
		return KeyTimes{ID: id, CreatedAt: t0.Add(created), ActiveAt: t0.Add(active)}
	}
	k1 := k("k1", 0, 0)
	k2 := k("k2", 29*day, 30*day) // k1's successor, published a day ahead
	k3 := k("k3", 59*day, 60*day)
	tests := []struct {
		name     string
		keys     []KeyTimes
		now      time.Duration // after t0
		signing  string
		publish  []string
		drop     []string
		generate bool
		next     time.Duration // NextActiveAt after t0, when generate
	}{
		{"no keys: one that signs at once", nil, 0, "", nil, nil, true, 0},
		{"a fresh key signs alone", []KeyTimes{k1}, day, "k1", []string{"k1"}, nil, false, 0},
		{"just before the successor is due", []KeyTimes{k1}, 29*day - time.Second, "k1", []string{"k1"}, nil, false, 0},
		{"successor due a day ahead", []KeyTimes{k1}, 29 * day, "k1", []string{"k1"}, nil, true, 30 * day},
		{"server was down: successor still published ahead", []KeyTimes{k1}, 45 * day, "k1", []string{"k1"}, nil, true, 46 * day},
		{"successor published, not signing yet", []KeyTimes{k1, k2}, 29*day + time.Hour, "k1", []string{"k2", "k1"}, nil, false, 0},
		{"successor signs; old key kept for its tokens", []KeyTimes{k2, k1}, 30*day + 30*time.Minute, "k2", []string{"k2", "k1"}, nil, false, 0},
		{"old key kept through the grace", []KeyTimes{k1, k2}, 30*day + signed + RetireGrace - time.Second, "k2", []string{"k2", "k1"}, nil, false, 0},
		{"old key dropped once no token can need it", []KeyTimes{k1, k2}, 30*day + signed + RetireGrace, "k2", []string{"k2"}, []string{"k1"}, false, 0},
		{"three generations", []KeyTimes{k1, k2, k3}, 60*day + time.Minute, "k3", []string{"k3", "k2"}, []string{"k1"}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := r.Plan(tt.keys, t0.Add(tt.now), signed)
			if p.Signing != tt.signing || !slices.Equal(p.Publish, tt.publish) || !slices.Equal(p.Drop, tt.drop) || p.Generate != tt.generate {
				t.Fatalf("Plan = %+v\nwant signing %q, publish %v, drop %v, generate %v", p, tt.signing, tt.publish, tt.drop, tt.generate)
			}
			if tt.generate && !p.NextActiveAt.Equal(t0.Add(tt.next)) {
				t.Errorf("NextActiveAt = %v, want %v", p.NextActiveAt, t0.Add(tt.next))
			}
		})
	}
}

func TestRotationValidate(t *testing.T) {
	for _, tt := range []struct {
		r  Rotation
		ok bool
	}{
		{DefaultRotation, true},
		{Rotation{Every: time.Hour, PublishAhead: 0}, true},
		{Rotation{Every: time.Minute}, false},
		{Rotation{Every: 2 * time.Hour, PublishAhead: 2 * time.Hour}, false},
		{Rotation{Every: 2 * time.Hour, PublishAhead: -time.Second}, false},
	} {
		if err := tt.r.Validate(); (err == nil) != tt.ok {
			t.Errorf("%+v.Validate() = %v, want ok %v", tt.r, err, tt.ok)
		}
	}
}

func TestKeysAndJWK(t *testing.T) {
	k := testKeys()["a1"]
	if k.Private.N.BitLen() != KeyBits {
		t.Errorf("key of %d bits, want %d", k.Private.N.BitLen(), KeyBits)
	}
	id, err := KeyID(&k.Private.PublicKey)
	if err != nil || id != k.ID || len(id) != 22 {
		t.Errorf("KeyID = %q, %v; key has %q", id, err, k.ID)
	}
	if other := testKeys()["a2"]; other.ID == k.ID {
		t.Error("two keys share a kid")
	}
	j := PublicJWK(k.ID, &k.Private.PublicKey)
	if j.Kty != "RSA" || j.Use != "sig" || j.Alg != "RS256" || j.Kid != k.ID || j.E != "AQAB" {
		t.Errorf("JWK = %+v", j)
	}
	n, err := base64.RawURLEncoding.DecodeString(j.N)
	if err != nil {
		t.Fatal(err)
	}
	back := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537}
	if !back.Equal(&k.Private.PublicKey) {
		t.Error("the JWK's modulus is not the key's")
	}
}
