// Package idgen is where random ids, tokens and secrets of the emulators
// and the marketplace integrations come from: a Source injected into each
// service. Production uses
// Crypto (crypto/rand, ids as google/uuid version 4 UUIDs); tests may use
// Seeded, so that a run's ids are the same every time.
package idgen

import (
	"crypto/rand"
	"encoding/binary"
	"io"
	mrand "math/rand/v2"
	"sync"

	"github.com/google/uuid"
)

// Source draws random bytes and ids. It is safe for concurrent use.
type Source struct {
	mu sync.Mutex
	r  io.Reader
}

// Crypto returns the production source: crypto/rand.
func Crypto() *Source { return &Source{r: rand.Reader} }

// Seeded returns a deterministic source for tests: the same seed gives the
// same sequence (ChaCha8). Never use it for secrets that matter.
func Seeded(seed uint64) *Source {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	return &Source{r: mrand.NewChaCha8(key)}
}

// Read fills p with random bytes (io.Reader, e.g. for key generation).
func (s *Source) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return io.ReadFull(s.r, p)
}

// Bytes returns n random bytes.
func (s *Source) Bytes(n int) []byte {
	b := make([]byte, n)
	if _, err := s.Read(b); err != nil {
		panic("idgen: random source failed: " + err.Error()) // crypto/rand does not fail on Linux
	}
	return b
}

// UUID returns a random (version 4) UUID, as google/uuid writes it.
func (s *Source) UUID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := uuid.NewRandomFromReader(s.r)
	if err != nil {
		panic("idgen: random source failed: " + err.Error())
	}
	return id.String()
}
