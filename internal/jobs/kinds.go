package jobs

import "github.com/riverqueue/river"

// The kinds of background work, one type each: a job's arguments are its
// type's JSON. A kind's name is stored with every job, so it never
// changes once released.

// ApplyReservations applies the plan reservations that have fallen due
// (tenant.Service.ApplyDue). Each reservation is applied exactly once,
// whichever node or read gets there first.
type ApplyReservations struct{}

// Kind implements river.JobArgs.
func (ApplyReservations) Kind() string { return "tenant.apply_reservations" }

// PurgeIdempotencyKeys deletes the metering Idempotency-Keys past their
// retention (metering.Service.PurgeExpired).
type PurgeIdempotencyKeys struct{}

// Kind implements river.JobArgs.
func (PurgeIdempotencyKeys) Kind() string { return "metering.purge_idempotency_keys" }

// PurgeAPILog deletes the API log entries past their retention
// (apilog.Purger).
type PurgeAPILog struct{}

// Kind implements river.JobArgs.
func (PurgeAPILog) Kind() string { return "apilog.purge" }

// PurgeTempCodes deletes the user pools' temporary codes that expired
// unused, with the token sets they held (identity.Service.PurgeTempCodes).
type PurgeTempCodes struct{}

// Kind implements river.JobArgs.
func (PurgeTempCodes) Kind() string { return "identity.purge_temp_codes" }

// PurgeSignInFailures deletes the records of failed sign-ins whose
// window and lock have both passed (identity.Service.PurgeSignInFailures).
type PurgeSignInFailures struct{}

// Kind implements river.JobArgs.
func (PurgeSignInFailures) Kind() string { return "identity.purge_sign_in_failures" }

// ReportAWSUsage is the periodic fan-out of AWS usage reporting: it
// enqueues a ReportAWSUsageOf for every SaaS with AWS-linked meters that
// has none queued.
type ReportAWSUsage struct{}

// Kind implements river.JobArgs.
func (ReportAWSUsage) Kind() string { return "aws.report_usage" }

// ReportAWSUsageOf is one SaaS's round of AWS usage reporting
// (aws.Service.ReportUsageOf): it closes the finished hours of AWS-linked
// meters and sends the pending reports through BatchMeterUsage. It is a
// call (CallOpts): the periodic fan-out and POST
// /v1/awsmarketplace/usage-reports/run both run it, and a SaaS never has
// two rounds at once, on any node. A report is written once per buyer,
// dimension and hour, and a resend is the same record to AWS, so a rerun
// never counts usage twice.
type ReportAWSUsageOf struct {
	SaaSID string `json:"saas_id"`
}

// Kind implements river.JobArgs.
func (ReportAWSUsageOf) Kind() string { return "aws.report_usage_of" }

// InsertOpts makes the kind a call's: unique per SaaS.
func (ReportAWSUsageOf) InsertOpts() river.InsertOpts { return CallOpts() }

// ReconcileAzure reconciles every Azure-linked subscription with the
// marketplace, recovering lost webhooks (azure.Service.ReconcileAllAzure).
// It converges on the marketplace's state, so a rerun changes nothing.
type ReconcileAzure struct{}

// Kind implements river.JobArgs.
func (ReconcileAzure) Kind() string { return "azure.reconcile" }

// ReportAzureUsage is the periodic fan-out of Azure usage reporting: it
// enqueues a ReportAzureUsageOf for every SaaS with Azure-linked meters
// that has none queued.
type ReportAzureUsage struct{}

// Kind implements river.JobArgs.
func (ReportAzureUsage) Kind() string { return "azure.report_usage" }

// ReportAzureUsageOf is one SaaS's round of Azure usage reporting
// (azure.Service.ReportAzureUsageOf): it closes the finished hours of
// Azure-linked meters and sends them to the metering API, once per
// subscription, dimension and hour. Like ReportAWSUsageOf it is a call,
// run by the fan-out and by POST /v1/azuremarketplace/usage-reports/run,
// never twice at once for one SaaS.
type ReportAzureUsageOf struct {
	SaaSID string `json:"saas_id"`
}

// Kind implements river.JobArgs.
func (ReportAzureUsageOf) Kind() string { return "azure.report_usage_of" }

// InsertOpts makes the kind a call's: unique per SaaS.
func (ReportAzureUsageOf) InsertOpts() river.InsertOpts { return CallOpts() }

// The kinds a domain write enqueues are declared by their domain package
// (the domain never imports River): awsemu.DeliverSNS
// ("awsemu.deliver_sns"), azemu.DeliverWebhooks ("azemu.deliver_webhooks")
// and the periodic azemu.SettleDue ("azemu.settle_due"), all in
// QueueEmulators. internal/app registers them (EmulatorJobs).

// CloseBillingPeriods is the periodic close of billing periods
// (billing.Service.CloseAllDue): for every SaaS, it starts the invoice
// run of each month and year that ended at least the grace ago and has
// none. A period is run once, ever, on any number of nodes.
type CloseBillingPeriods struct{}

// Kind implements river.JobArgs.
func (CloseBillingPeriods) Kind() string { return "billing.close_periods" }
