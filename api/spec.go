// Package apispec embeds saasplane's own OpenAPI documents, written in our
// own words, describing the API families that saasplane serves.
package apispec

import _ "embed"

// Pricing is the OpenAPI document of the /v1/pricing catalog.
//
//go:embed pricing.yaml
var Pricing []byte

// Auth is the OpenAPI document of the tenant subset of /v1/auth.
//
//go:embed auth.yaml
var Auth []byte

// APILog is the OpenAPI document of /v1/apilog.
//
//go:embed apilog.yaml
var APILog []byte

// AWSMarketplace is the OpenAPI document of /v1/awsmarketplace.
//
//go:embed awsmarketplace.yaml
var AWSMarketplace []byte

// AzureMarketplace is the OpenAPI document of /v1/azuremarketplace,
// saasplane's own Azure Marketplace integration.
//
//go:embed azuremarketplace.yaml
var AzureMarketplace []byte

// Mail is the OpenAPI document of /v1/mail, saasplane's own outbox of
// mail to the SaaSes' users.
//
//go:embed mail.yaml
var Mail []byte

// Billing is the OpenAPI document of /v1/billing, saasplane's invoices.
//
//go:embed billing.yaml
var Billing []byte

// Communication is the OpenAPI document of /v1/communication, the users'
// feedback, its comments and votes.
//
//go:embed communication.yaml
var Communication []byte

// Events is the OpenAPI document of /v1/events, saasplane's outbound
// events: webhook endpoints, deliveries and dead letters.
//
//go:embed events.yaml
var Events []byte

// Integration is the OpenAPI document of /v1/integration, each SaaS's
// Amazon EventBridge settings and the events sent there.
//
//go:embed integration.yaml
var Integration []byte

// Background is the OpenAPI document of /v1/background, the background
// jobs done for the calling SaaS.
//
//go:embed background.yaml
var Background []byte

// Documents maps each API prefix to its document.
var Documents = map[string][]byte{"/v1/pricing": Pricing, "/v1/auth": Auth, "/v1/apilog": APILog, "/v1/awsmarketplace": AWSMarketplace,
	"/v1/azuremarketplace": AzureMarketplace, "/v1/mail": Mail, "/v1/billing": Billing, "/v1/communication": Communication,
	"/v1/events": Events, "/v1/integration": Integration,
	"/v1/background": Background}
