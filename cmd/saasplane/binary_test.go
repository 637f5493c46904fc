package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// built is the saasplane binary, built once per test run for the tests
// that run it as a child process.
var built struct {
	once      sync.Once
	dir, path string
	err       error
	out       []byte
}

// binary builds the real binary (once) and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "saasplane-test-bin"); built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "saasplane")
		built.out, built.err = exec.Command("go", "build", "-o", built.path, ".").CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}
