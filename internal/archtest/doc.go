// Package archtest holds tests that keep the codebase's shape: every package
// documented, and the dependency rules between layers respected.
package archtest
