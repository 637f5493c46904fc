package apitest

import (
	"hash/fnv"
	"os"
	"sync"
	"testing"

	"github.com/saasplane/saasplane/internal/idgen"
)

var idSeeds struct {
	sync.Mutex
	n map[string]uint64 // test name -> sources made for it so far
}

// SeededIDs returns a seeded id source for one emulator service of a test: the
// same test draws the same ids on every run, while every source of the
// test binary (several servers, or "nodes", of one test included) has a
// seed of its own, so that ids never collide on a shared database.
func SeededIDs(t testing.TB) *idgen.Source {
	idSeeds.Lock()
	defer idSeeds.Unlock()
	if idSeeds.n == nil {
		idSeeds.n = map[string]uint64{}
	}
	idSeeds.n[t.Name()]++
	h := fnv.New64a()
	h.Write([]byte(os.Args[0] + "\x00" + t.Name()))
	return idgen.Seeded(h.Sum64() + idSeeds.n[t.Name()])
}
