package billing

import (
	"fmt"
	"regexp"
	"sort"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/tenant"
)

// Period is one billing period of a SaaS: a calendar month ("2026-10") or
// a calendar year ("2026") in the SaaS's time zone, [Start, End).
type Period struct {
	Key    string
	Yearly bool
	Start  time.Time
	End    time.Time
}

var periodPattern = regexp.MustCompile(`^[0-9]{4}(-[0-9]{2})?$`)

// ParsePeriod reads YYYY-MM (a month) or YYYY (a year) in loc.
func ParsePeriod(s string, loc *time.Location) (Period, error) {
	if !periodPattern.MatchString(s) {
		return Period{}, errs.Invalid("period: %q is not a month written YYYY-MM or a year written YYYY", s)
	}
	var y, m int
	yearly := len(s) == 4
	if yearly {
		fmt.Sscanf(s, "%4d", &y)
		m = 1
	} else {
		fmt.Sscanf(s, "%4d-%2d", &y, &m)
	}
	if y < 1970 || y > 9998 || m < 1 || m > 12 {
		return Period{}, errs.Invalid("period: %q is not a month or year from 1970 to 9998", s)
	}
	return periodAt(y, time.Month(m), yearly, loc), nil
}

func periodAt(y int, m time.Month, yearly bool, loc *time.Location) Period {
	start := time.Date(y, m, 1, 0, 0, 0, 0, loc)
	if yearly {
		return Period{Key: fmt.Sprintf("%04d", y), Yearly: true, Start: start, End: start.AddDate(1, 0, 0)}
	}
	return Period{Key: fmt.Sprintf("%04d-%02d", y, m), Start: start, End: start.AddDate(0, 1, 0)}
}

// PeriodOf returns the month (or year) that contains t in loc.
func PeriodOf(t time.Time, yearly bool, loc *time.Location) Period {
	t = t.In(loc)
	if yearly {
		return periodAt(t.Year(), time.January, true, loc)
	}
	return periodAt(t.Year(), t.Month(), false, loc)
}

// Next returns the period that follows p.
func (p Period) Next() Period { return PeriodOf(p.End, p.Yearly, p.Start.Location()) }

// Months is the period's length in months: 1 or 12.
func (p Period) Months() int {
	if p.Yearly {
		return 12
	}
	return 1
}

// Seconds is the period's length; months differ, and so do days where
// clocks change.
func (p Period) Seconds() int64 { return p.End.Unix() - p.Start.Unix() }

// Segment is a part of a period during which one plan was the tenant's,
// [From, To), with the tax rate its assignment named.
type Segment struct {
	PlanID    string
	TaxRateID string
	From, To  time.Time
}

// Segments cuts [start, end) by the plan history: each entry's plan holds
// from its AppliedAt until the next entry (entries at the same instant: the
// last one wins). A cancellation (empty plan id) holds nothing, so charges
// stop there; so does the time before the first entry, and the time after
// stop, when not zero (a deleted tenant's deletion). The history is only
// read; entries need not be sorted.
func Segments(history []tenant.PlanHistory, start, end, stop time.Time) []Segment {
	if !stop.IsZero() && stop.Before(end) {
		end = stop
	}
	hs := make([]tenant.PlanHistory, len(history))
	copy(hs, history)
	sort.SliceStable(hs, func(i, j int) bool { return hs[i].AppliedAt.Before(hs[j].AppliedAt) })
	var out []Segment
	for i, h := range hs {
		if i+1 < len(hs) && !hs[i+1].AppliedAt.After(h.AppliedAt) {
			continue // replaced at the same instant
		}
		from, to := h.AppliedAt, end
		if i+1 < len(hs) {
			to = hs[i+1].AppliedAt
		}
		if from.Before(start) {
			from = start
		}
		if to.After(end) {
			to = end
		}
		if h.PlanID == "" || !from.Before(to) {
			continue
		}
		out = append(out, Segment{PlanID: h.PlanID, TaxRateID: h.TaxRateID, From: from, To: to})
	}
	return out
}
