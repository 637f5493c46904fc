// Package marketplace holds what saasplane's AWS and Azure Marketplace
// integrations share: the tenant port through which a subscription moves
// a tenant's plan, the part of a transaction both read of the rest of a
// SaaS (pricing plans, meters and their usage), the links from meters to
// marketplace dimensions, and the hours and rounds of usage reporting.
//
// Each marketplace is a package of its own, internal/marketplace/aws and
// internal/marketplace/azure, with its own Service and Store; they import
// this package and never each other. Their clients of the marketplaces
// are the adapters internal/marketplace/awsmp and .../azuremp.
package marketplace
