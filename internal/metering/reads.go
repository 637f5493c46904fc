package metering

import (
	"context"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/pricing"
)

// MaxPeriodEntries bounds a date-period answer; a wider range is refused.
const MaxPeriodEntries = 100_000

// DayCount is a meter's count over one day.
type DayCount struct {
	MeterName string
	Date      Date
	Count     int64
}

// MonthCount is a meter's count over one month.
type MonthCount struct {
	MeterName string
	Month     Month
	Count     int64
}

// aggregate folds roll-ups with the meter's aggregate_usage: the sum of
// the entries, or the largest one.
func aggregate(m pricing.Meter, days []Day) int64 {
	var n int64
	for _, d := range days {
		if m.AggregateUsage == pricing.AggregateMax {
			n = max(n, d.Max)
		} else {
			n += d.Sum
		}
	}
	return n
}

// reader resolves what every read needs.
type reader struct {
	tx  Tx
	loc *time.Location
}

func (s *Service) read(ctx context.Context, saasID, tenantID string, fn func(r reader) error) error {
	return s.store.ReadTx(ctx, func(tx Tx) error {
		active, err := tx.TenantActive(ctx, saasID, tenantID)
		if err != nil {
			return err
		}
		if !active {
			return errs.NotFound("tenant %q not found", tenantID)
		}
		name, err := tx.TimeZone(ctx, saasID)
		if err != nil {
			return err
		}
		loc, err := Location(name)
		if err != nil {
			return err
		}
		return fn(reader{tx: tx, loc: loc})
	})
}

func meter(ctx context.Context, tx Tx, saasID, name string) (pricing.Meter, error) {
	m, err := tx.MeterByName(ctx, saasID, name)
	if errors.Is(err, errs.ErrNotExist) {
		return m, errs.NotFound("metering unit %q not found", name)
	}
	return m, err
}

// Day returns a meter's count on day d; with d empty, today's in the SaaS's
// time zone.
func (s *Service) Day(ctx context.Context, saasID, tenantID, meterName string, d Date) (DayCount, error) {
	var out DayCount
	err := s.read(ctx, saasID, tenantID, func(r reader) error {
		m, err := meter(ctx, r.tx, saasID, meterName)
		if err != nil {
			return err
		}
		if d == "" {
			d = Today(s.now(), r.loc)
		}
		days, err := r.tx.Days(ctx, saasID, tenantID, d, d, m.ID)
		if err != nil {
			return err
		}
		out = DayCount{MeterName: m.Name, Date: d, Count: aggregate(m, days[m.ID])}
		return nil
	})
	return out, err
}

// Month returns a meter's count in month mo; with mo empty, this month's.
func (s *Service) Month(ctx context.Context, saasID, tenantID, meterName string, mo Month) (MonthCount, error) {
	var out MonthCount
	err := s.read(ctx, saasID, tenantID, func(r reader) error {
		m, err := meter(ctx, r.tx, saasID, meterName)
		if err != nil {
			return err
		}
		if mo == "" {
			mo = Today(s.now(), r.loc).Month()
		}
		first, last := mo.Days()
		days, err := r.tx.Days(ctx, saasID, tenantID, first, last, m.ID)
		if err != nil {
			return err
		}
		out = MonthCount{MeterName: m.Name, Month: mo, Count: aggregate(m, days[m.ID])}
		return nil
	})
	return out, err
}

// DayAll returns every meter's count on day d, in the meters' creation
// order; meters without usage count 0.
func (s *Service) DayAll(ctx context.Context, saasID, tenantID string, d Date) ([]DayCount, error) {
	var out []DayCount
	err := s.read(ctx, saasID, tenantID, func(r reader) error {
		ms, days, err := allDays(ctx, r.tx, saasID, tenantID, d, d)
		for _, m := range ms {
			out = append(out, DayCount{MeterName: m.Name, Date: d, Count: aggregate(m, days[m.ID])})
		}
		return err
	})
	return out, err
}

// MonthAll returns every meter's count in month mo.
func (s *Service) MonthAll(ctx context.Context, saasID, tenantID string, mo Month) ([]MonthCount, error) {
	var out []MonthCount
	first, last := mo.Days()
	err := s.read(ctx, saasID, tenantID, func(r reader) error {
		ms, days, err := allDays(ctx, r.tx, saasID, tenantID, first, last)
		for _, m := range ms {
			out = append(out, MonthCount{MeterName: m.Name, Month: mo, Count: aggregate(m, days[m.ID])})
		}
		return err
	})
	return out, err
}

func allDays(ctx context.Context, tx Tx, saasID, tenantID string, from, to Date) ([]pricing.Meter, map[string][]Day, error) {
	ms, err := tx.Meters(ctx, saasID)
	if err != nil {
		return nil, nil, err
	}
	days, err := tx.Days(ctx, saasID, tenantID, from, to)
	return ms, days, err
}

// Period returns the entries of a meter with from <= timestamp <= to. A
// missing from means the start of the current month (SaaS time zone), a
// missing to means now.
func (s *Service) Period(ctx context.Context, saasID, tenantID, meterName string, from, to *int64) (string, []Entry, error) {
	var name string
	var out []Entry
	err := s.read(ctx, saasID, tenantID, func(r reader) error {
		m, err := meter(ctx, r.tx, saasID, meterName)
		if err != nil {
			return err
		}
		name = m.Name
		now := s.now()
		lo, hi := now.Unix(), now.Unix()
		if from != nil {
			lo = *from
		} else {
			first, _ := Today(now, r.loc).Month().Days()
			lo, _ = first.Bounds(r.loc)
		}
		if to != nil {
			hi = *to
		}
		if lo > hi {
			return errs.Invalid("start_timestamp: %d is after end_timestamp %d", lo, hi)
		}
		out, err = r.tx.Entries(ctx, Key{SaaSID: saasID, TenantID: tenantID, MeterID: m.ID}, lo, hi, MaxPeriodEntries+1)
		if err != nil {
			return err
		}
		if len(out) > MaxPeriodEntries {
			return errs.Invalid("the range holds more than %d entries: narrow start_timestamp..end_timestamp", MaxPeriodEntries)
		}
		return nil
	})
	return name, out, err
}
