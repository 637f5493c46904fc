// Package azure is saasplane's Azure Marketplace integration, the ISV
// side: what a SaaS selling through Microsoft's commercial marketplace
// configures (its Entra app and the Fulfillment API's base URL), the
// links from Azure plan ids to pricing plans, the SaaS subscriptions
// linked to tenants, which the landing page activates and the webhook and
// reconciliation keep in step with the marketplace, and the hourly usage
// reports sent to the metering API.
//
// Calls to Microsoft go through the Marketplace port, which
// internal/marketplace/azuremp implements against Microsoft or
// saasplane's own emulator alike; storage is reached only through the
// Store interface.
package azure
