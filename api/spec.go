// Package apispec embeds saasplane's own OpenAPI documents, written in our
// own words, describing the API families that saasplane serves.
package apispec

import _ "embed"

// Pricing is the OpenAPI document of the /v1/pricing catalog.
//
//go:embed pricing.yaml
var Pricing []byte
