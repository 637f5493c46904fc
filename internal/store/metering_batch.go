package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/saasplane/saasplane/internal/metering"
)

// The metering committer reads and writes a batch's entries and roll-ups
// with multi-row statements. Their texts exist for a few row counts only
// (chunkSizes), so a handful of statements, each prepared once, serve
// every batch, and a batch of 16 counters costs 3 statements, not 48.
var chunkSizes = []int{64, 16, 4, 1}

// chunks calls fn for consecutive [start, start+size) ranges covering n
// rows, largest sizes first.
func chunks(n int, fn func(start, size int) error) error {
	for start := 0; start < n; {
		size := 1
		for _, c := range chunkSizes {
			if n-start >= c {
				size = c
				break
			}
		}
		if err := fn(start, size); err != nil {
			return err
		}
		start += size
	}
	return nil
}

// multiRow is one statement text per chunk size: head, then size copies of
// row separated by commas, then tail.
type multiRow map[int]string

func newMultiRow(head, row, tail string) multiRow {
	m := multiRow{}
	for _, n := range chunkSizes {
		m[n] = head + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") + tail
	}
	return m
}

var (
	// The ids and timestamps are cast so that PostgreSQL knows the types
	// of the VALUES columns; SQLite gives them integer affinity.
	readEntriesSQL = newMultiRow(`WITH r (i, saas_id, tenant_id, meter_id, ts, day) AS (VALUES `,
		`(CAST(? AS BIGINT), ?, ?, ?, CAST(? AS BIGINT), ?)`,
		`)
		SELECT r.i, e.count, d.sum, d.max, d.entries FROM r
		LEFT JOIN metering_entries e ON e.saas_id = r.saas_id AND e.tenant_id = r.tenant_id AND e.meter_id = r.meter_id AND e.ts = r.ts
		LEFT JOIN metering_days d ON d.saas_id = r.saas_id AND d.tenant_id = r.tenant_id AND d.meter_id = r.meter_id AND d.day = r.day`)
	putEntriesSQL = newMultiRow(`INSERT INTO metering_entries (saas_id, tenant_id, meter_id, ts, count) VALUES `,
		`(?, ?, ?, ?, ?)`,
		` ON CONFLICT (saas_id, tenant_id, meter_id, ts) DO UPDATE SET count = excluded.count`)
	putDaysSQL = newMultiRow(`INSERT INTO metering_days (saas_id, tenant_id, meter_id, day, sum, max, entries) VALUES `,
		`(?, ?, ?, ?, ?, ?, ?)`,
		` ON CONFLICT (saas_id, tenant_id, meter_id, day) DO UPDATE SET sum = excluded.sum, max = excluded.max, entries = excluded.entries`)
)

func (t *Tx) ReadEntries(ctx context.Context, refs []metering.EntryRef) ([]metering.EntryRead, error) {
	out := make([]metering.EntryRead, len(refs))
	err := chunks(len(refs), func(start, size int) error {
		args := make([]any, 0, size*6)
		for i, r := range refs[start : start+size] {
			args = append(args, start+i, r.Key.SaaSID, r.Key.TenantID, r.Key.MeterID, r.TS, string(r.Day))
		}
		rows, err := t.query(ctx, readEntriesSQL[size], args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var i int
			var n, sum, mx, entries sql.NullInt64
			if err := rows.Scan(&i, &n, &sum, &mx, &entries); err != nil {
				return err
			}
			out[i] = metering.EntryRead{
				Count: n.Int64, OK: n.Valid,
				Day: metering.Day{Date: refs[i].Day, Sum: sum.Int64, Max: mx.Int64, Entries: entries.Int64},
			}
		}
		return rows.Err()
	})
	return out, err
}

func (t *Tx) PutEntries(ctx context.Context, es []metering.KeyedEntry) error {
	return chunks(len(es), func(start, size int) error {
		args := make([]any, 0, size*5)
		for _, e := range es[start : start+size] {
			args = append(args, e.Key.SaaSID, e.Key.TenantID, e.Key.MeterID, e.Timestamp, e.Count)
		}
		_, err := t.exec(ctx, putEntriesSQL[size], args...)
		return err
	})
}

func (t *Tx) PutDays(ctx context.Context, ds []metering.KeyedDay) error {
	return chunks(len(ds), func(start, size int) error {
		args := make([]any, 0, size*7)
		for _, d := range ds[start : start+size] {
			args = append(args, d.Key.SaaSID, d.Key.TenantID, d.Key.MeterID, string(d.Date), d.Sum, d.Max, d.Entries)
		}
		_, err := t.exec(ctx, putDaysSQL[size], args...)
		return err
	})
}
