package marketplace

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// What AWS and Azure usage reporting share: which hours a round may close,
// how reports are claimed and retried, and running a round for every SaaS.
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

// ReportClaim is how long a sender holds claimed reports.
const ReportClaim = 2 * time.Minute

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
	Closed  int // reports written for hours that closed (empty ones included)
	Sent    int // reports the marketplace answered
	Pending int // reports still to send (the marketplace unreachable, or unprocessed)
	Expired int // reports that could no longer be sent
	Failed  int // reports the marketplace refused for good
}

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

// EachSaaS runs round for every SaaS that ids lists in a transaction of
// read, going on after a failure; the failures are returned together.
func EachSaaS[T any](ctx context.Context, read TxFunc[T], ids func(T) ([]string, error), round func(saasID string) error) error {
	var list []string
	if err := read(ctx, func(tx T) (err error) {
		list, err = ids(tx)
		return err
	}); err != nil {
		return err
	}
	var failed []error
	for _, id := range list {
		if err := round(id); err != nil {
			failed = append(failed, fmt.Errorf("SaaS %s: %w", id, err))
		}
	}
	return errors.Join(failed...)
}
