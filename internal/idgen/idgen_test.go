package idgen

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/google/uuid"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestSources(t *testing.T) {
	tests := []struct {
		name string
		a, b *Source
		same bool
	}{
		{"one seed twice: the same sequence", Seeded(7), Seeded(7), true},
		{"two seeds: different sequences", Seeded(7), Seeded(8), false},
		{"crypto: never the same", Crypto(), Crypto(), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for range 3 {
				ida, idb := tc.a.UUID(), tc.b.UUID()
				for _, id := range []string{ida, idb} {
					if !uuidV4.MatchString(id) {
						t.Fatalf("%q is not a version 4 UUID", id)
					}
					if u, err := uuid.Parse(id); err != nil || u.Version() != 4 {
						t.Fatalf("google/uuid reads %q as %v, %v", id, u.Version(), err)
					}
				}
				ba, bb := tc.a.Bytes(32), tc.b.Bytes(32)
				if (ida == idb) != tc.same || bytes.Equal(ba, bb) != tc.same {
					t.Errorf("ids %s and %s, bytes equal %v: want same %v", ida, idb, bytes.Equal(ba, bb), tc.same)
				}
			}
		})
	}
}
