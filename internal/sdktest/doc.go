// Package sdktest proves that user code written against a SaaSus Pricing API
// client works unchanged against saasplane.
//
// Its test generates a Go client from the upstream pricingapi.yml (in
// ../shared/upstream-openapi, next to the repository) with oapi-codegen, the
// generator the official SaaSus Go SDK uses, pinned as a tool in go.mod. It
// writes a small program (testdata/roundtrip.go.txt) next to the generated
// client, inside a temporary testdata/gen-* directory that is never
// committed, and runs it with `go run` against a real saasplane started
// in-process. The program signs every request with SAASUSSIGV1 exactly as
// the SDK does and walks the whole pricing catalog. The package has no
// non-test code.
package sdktest
