package jobs

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

// ReportAWSUsage closes the finished hours of AWS-linked meters and sends
// the pending reports through BatchMeterUsage (aws.Service.ReportUsage).
// A report is written once per buyer, dimension and hour, and a resend is
// the same record to AWS, so a rerun never counts usage twice.
type ReportAWSUsage struct{}

// Kind implements river.JobArgs.
func (ReportAWSUsage) Kind() string { return "aws.report_usage" }

// ReconcileAzure reconciles every Azure-linked subscription with the
// marketplace, recovering lost webhooks (azure.Service.ReconcileAllAzure).
// It converges on the marketplace's state, so a rerun changes nothing.
type ReconcileAzure struct{}

// Kind implements river.JobArgs.
func (ReconcileAzure) Kind() string { return "azure.reconcile" }

// ReportAzureUsage closes the finished hours of Azure-linked meters and
// sends them to the metering API (azure.Service.ReportAzureUsage), once
// per subscription, dimension and hour.
type ReportAzureUsage struct{}

// Kind implements river.JobArgs.
func (ReportAzureUsage) Kind() string { return "azure.report_usage" }

// The kinds a domain write enqueues are declared by their domain package
// (the domain never imports River): awsemu.DeliverSNS
// ("awsemu.deliver_sns"), azemu.DeliverWebhooks ("azemu.deliver_webhooks")
// and the periodic azemu.SettleDue ("azemu.settle_due"), all in
// QueueEmulators. internal/app registers them (EmulatorJobs).
