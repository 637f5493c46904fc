// Package sdktest proves that user code written against the SaaSus API
// clients works unchanged against saasplane.
//
// Its test generates Go clients from the upstream pricingapi.yml and
// authapi.yml (in ../shared/upstream-openapi, next to the repository) with
// oapi-codegen, the generator the official SaaSus Go SDK uses, pinned as a
// tool in go.mod. It writes a small program per client (testdata/*.go.txt)
// next to it, inside a temporary testdata/gen-* directory that is never
// committed, and runs each with `go run` against a real saasplane started
// in-process. The programs sign every request with SAASUSSIGV1 exactly as
// the SDK does. The pricing one walks the whole catalog; the auth one is
// built for the SDK's fixed https://api.saasus.io, reaches saasplane
// through the saasus package (one line, as docs/sdk.md tells users), and
// checks that userinfo refuses every bad token with 401, as the SDK's
// middleware needs. The package has no non-test code.
package sdktest
