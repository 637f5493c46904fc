// Package testenv locates what tests need outside the Go package they run
// in: the repository root and the SaaSus reference files in ../shared
// beside it (present in CI, absent from a user's clone).
package testenv

import (
	"errors"
	"os"
	"path/filepath"
)

// RepoRoot walks up from the working directory to the one holding go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Shared returns the path of a file under ../shared beside the repository
// root, and whether it exists.
func Shared(elem ...string) (string, bool) {
	root, err := RepoRoot()
	if err != nil {
		return "", false
	}
	p := filepath.Join(append([]string{root, "..", "shared"}, elem...)...)
	_, err = os.Stat(p)
	return p, err == nil
}
