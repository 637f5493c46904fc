package tenant

import "time"

// Interval is the length of a billing period.
type Interval int

// Billing period lengths.
const (
	Monthly Interval = iota
	Yearly
)

// Period returns the billing period [start, end) that contains now, for a
// plan applied at anchor and renewed every interval. Periods start on the
// anchor's day of month and time of day (in UTC); in months without that
// day, on the month's last day (an anchor on 31 January gives 28 or 29
// February, then 31 March), as card subscriptions do. Before the anchor,
// the first period is returned.
func Period(anchor time.Time, every Interval, now time.Time) (start, end time.Time) {
	anchor, now = anchor.UTC(), now.UTC()
	step := 1
	if every == Yearly {
		step = 12
	}
	// Estimate the number of whole periods, then correct by one either way.
	months := (now.Year()-anchor.Year())*12 + int(now.Month()-anchor.Month())
	k := months / step
	if k < 0 {
		k = 0
	}
	for k > 0 && addMonths(anchor, k*step).After(now) {
		k--
	}
	for !addMonths(anchor, (k+1)*step).After(now) {
		k++
	}
	return addMonths(anchor, k*step), addMonths(anchor, (k+1)*step)
}

// addMonths adds n months to t, clamping the day to the target month's
// length instead of overflowing into the next month.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return first.AddDate(0, 0, d-1)
}
