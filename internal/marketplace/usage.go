package marketplace

import (
	"context"
	"time"
)

// What AWS and Azure usage reporting share: which hours a round may close,
// how reports are retried, and what a round did.
// Each marketplace writes each buyer's hour once to an outbox of its own
// when the hour closes, then sends it until the marketplace answers.

// UsageGrace is how long after an hour ends saasplane waits before closing
// it, so that updates sent a little late are counted.
const UsageGrace = 10 * time.Minute

// UsageWindow is how far back the marketplaces accept usage: 24 hours.
// saasplane closes hours at most 23 hours old, leaving an hour to send
// them.
const (
	UsageWindow    = 24 * time.Hour
	closableWindow = 23 * time.Hour
)

// ReportStatus is where an hour's report stands.
type ReportStatus string

const (
	ReportPending ReportStatus = "pending" // to send
	ReportSent    ReportStatus = "sent"    // the marketplace answered; Result has its verdict
	ReportEmpty   ReportStatus = "empty"   // no usage in that hour: nothing to send
	ReportExpired ReportStatus = "expired" // could not be sent within the marketplace's 24 hours
	ReportFailed  ReportStatus = "failed"  // refused for good (LastError says why)
)

// ReportRound is what one round of usage reporting did for one SaaS.
type ReportRound struct {
	Closed  int `json:"closed"`  // reports written for hours that closed (empty ones included)
	Sent    int `json:"sent"`    // reports the marketplace answered
	Pending int `json:"pending"` // reports still to send (the marketplace unreachable, or unprocessed)
	Expired int `json:"expired"` // reports that could no longer be sent
	Failed  int `json:"failed"`  // reports the marketplace refused for good
}

// RoundRunner runs one SaaS's usage round now and returns what it did. The
// composition root makes it a job of the jobs engine, unique per SaaS, so
// a round asked for through the API never overlaps the periodic one, on
// any node.
type RoundRunner func(ctx context.Context, saasID string) (ReportRound, error)

// ClosableHours returns the starts of the first and last hour a round may
// close at now: the last ended at least UsageGrace ago, the first is at
// most closableWindow old, so that it can still be sent within the
// marketplaces' 24 hours.
func ClosableHours(now time.Time) (first, last time.Time) {
	last = now.Add(-UsageGrace).Truncate(time.Hour).Add(-time.Hour)
	first = now.Add(-closableWindow).Truncate(time.Hour)
	if first.Before(now.Add(-closableWindow)) {
		first = first.Add(time.Hour)
	}
	return first, last
}

// RetryDelay is the wait before a pending report is tried again: 1, 2,
// 4... minutes, at most 30.
func RetryDelay(attempts int) time.Duration {
	return min(time.Minute<<min(attempts-1, 5), 30*time.Minute)
}
