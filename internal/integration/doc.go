// Package integration is the domain of the SaaSus Integration API: each
// SaaS's Amazon EventBridge settings (the AWS account and region its events
// go to) and the sending of events to that account's default event bus.
//
// A SaaS has at most one EventBridgeSettings: saving replaces it, deleting
// removes it (also when there is none). Events are sent through a Sender,
// the port to EventBridge's PutEvents (internal/integration/eventbridge is
// the adapter, saasplane's AWS emulator its test fake): every entry goes
// to the bus EventBusARN of the settings, with the source Source(saasID),
// as SaaSus's partner event source does, in batches of at most
// MaxBatchEntries entries.
//
// Sending is at least once: when a batch fails after earlier ones were
// accepted, the error says so and a retry sends those again. A SaaS
// without settings gets ErrNotConfigured (kind errs.KindConflict); AWS
// unreachable, throttling or failing an entry for a transient reason is
// errs.KindUnavailable (retry later); AWS refusing the call or an entry for
// good (access denied, no such bus, a malformed entry) is
// errs.KindConflict with type eventbridge_refused (fix the settings).
//
// Every method takes the id of the SaaS the caller authenticated as, and a
// SaaS sees only its own settings. Times come from the injected clock.
package integration
