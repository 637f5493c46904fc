// Package aws is saasplane's AWS Marketplace integration, the seller's
// side of a SaaS: the settings the seller pastes in (role, topics, queue),
// the listing status, the links from AWS plan names (contract dimensions)
// to pricing plans, the CloudFormation template and quick-create link
// that create the seller-side resources, the buyers that the fulfillment
// URL and registration tokens link to tenants, the SNS notifications that
// change their subscriptions, and the hourly usage reports sent with
// BatchMeterUsage.
//
// It calls AWS through the Marketplace port, which
// internal/marketplace/awsmp implements, and reaches storage only through
// the Store interface.
package aws
