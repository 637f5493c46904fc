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
