// Package metering owns usage counts: per tenant, per meter, per second.
// It applies updates (add, sub, direct) exactly and durably, keeps daily
// roll-ups so day and month reads stay fast however much was recorded, and
// answers the SaaSus metering reads in the SaaS's own time zone.
//
// Time is always passed in: the package never reads the wall clock.
package metering

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Method says how an update changes the count at its second.
type Method string

// The update methods of the SaaSus API.
const (
	MethodAdd    Method = "add"    // count += n
	MethodSub    Method = "sub"    // count -= n
	MethodDirect Method = "direct" // count = n
)

// Valid reports whether m is a known method.
func (m Method) Valid() bool { return m == MethodAdd || m == MethodSub || m == MethodDirect }

// Apply returns the new value of an entry holding old after the update,
// or an error when the result would be negative or overflow.
func (m Method) Apply(old, n int64) (int64, error) {
	var v int64
	switch m {
	case MethodAdd:
		if n > MaxCount-old {
			return 0, errs.Invalid("count: the entry would exceed %d", int64(MaxCount))
		}
		v = old + n
	case MethodSub:
		if n > old {
			return 0, errs.Conflict("count: cannot subtract %d from %d: counts never go below zero", n, old).WithType("negative_count")
		}
		v = old - n
	case MethodDirect:
		v = n
	default:
		return 0, errs.Invalid("method: must be one of add, sub, direct")
	}
	return v, nil
}

// MaxCount is the largest count an entry can hold (about 1.1e12). A day
// has at most 90,000 seconds (clock changes included), so the sum of a
// month of entries stays far below the int64 limit.
const MaxCount = 1 << 40

// Bounds on timestamps: none before 1970, none more than MaxFuture ahead
// of the server's clock.
const MaxFuture = 24 * time.Hour

var (
	datePattern  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	monthPattern = regexp.MustCompile(`^\d{4}-\d{2}$`)
)

// Date is a calendar day, written YYYY-MM-DD.
type Date string

// Month is a calendar month, written YYYY-MM.
type Month string

// ParseDate checks a YYYY-MM-DD path segment.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || !datePattern.MatchString(s) || t.Year() < 1970 {
		return "", errs.Invalid("date: %q is not a date written YYYY-MM-DD (from 1970)", s)
	}
	return Date(s), nil
}

// ParseMonth checks a YYYY-MM path segment.
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || !monthPattern.MatchString(s) || t.Year() < 1970 {
		return "", errs.Invalid("month: %q is not a month written YYYY-MM (from 1970)", s)
	}
	return Month(s), nil
}

// ParseTimestamp checks a Unix-seconds timestamp against now.
func ParseTimestamp(s string, now time.Time) (int64, error) {
	ts, err := ParseSecond(s)
	if err != nil {
		return 0, err
	}
	return ts, CheckTimestamp("timestamp", ts, now)
}

// ParseSecond reads a timestamp path segment without checking its bounds;
// the service does, against its own clock.
func ParseSecond(s string) (int64, error) {
	ts, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errs.Invalid("timestamp: %q is not a whole number of Unix seconds", s)
	}
	return ts, nil
}

// CheckTimestamp rejects times before 1970 or more than MaxFuture ahead.
func CheckTimestamp(field string, ts int64, now time.Time) error {
	if ts < 0 {
		return errs.Invalid("%s: %d is before 1970", field, ts)
	}
	if limit := now.Add(MaxFuture).Unix(); ts > limit {
		return errs.Invalid("%s: %d is more than %s in the future", field, ts, MaxFuture)
	}
	return nil
}

// Location resolves a SaaS's time-zone name; "" means UTC.
func Location(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	return loc, nil
}

// DayOf returns the calendar day of ts in loc: the day bucket of an entry.
func DayOf(ts int64, loc *time.Location) Date {
	return Date(time.Unix(ts, 0).In(loc).Format(time.DateOnly))
}

// MonthOf returns the month of d.
func (d Date) Month() Month { return Month(d[:7]) }

// Bounds returns the Unix seconds [start, end) of day d in loc. Days are
// not always 24 hours long where clocks change.
func (d Date) Bounds(loc *time.Location) (start, end int64) {
	t, _ := time.ParseInLocation(time.DateOnly, string(d), loc)
	return t.Unix(), t.AddDate(0, 0, 1).Unix()
}

// Days returns the first and last day of month m.
func (m Month) Days() (first, last Date) {
	t, _ := time.Parse("2006-01", string(m))
	return Date(t.Format(time.DateOnly)), Date(t.AddDate(0, 1, -1).Format(time.DateOnly))
}

// Today returns the day of now in loc; ThisMonth its month.
func Today(now time.Time, loc *time.Location) Date { return Date(now.In(loc).Format(time.DateOnly)) }
