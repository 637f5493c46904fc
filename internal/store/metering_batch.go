package store

import (
	"context"
	"database/sql"
	"fmt"
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

// On PostgreSQL each statement takes its rows as arrays (unnest), so a
// batch of any size is one statement and one round trip, always the same
// text, prepared once.
const pgReadEntriesSQL = `WITH r AS (SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[])
		AS r (i, saas_id, tenant_id, meter_id, ts, day))
	SELECT r.i, e.count, d.sum, d.max, d.entries FROM r
	LEFT JOIN metering_entries e ON e.saas_id = r.saas_id AND e.tenant_id = r.tenant_id AND e.meter_id = r.meter_id AND e.ts = r.ts
	LEFT JOIN metering_days d ON d.saas_id = r.saas_id AND d.tenant_id = r.tenant_id AND d.meter_id = r.meter_id AND d.day = r.day`

// pgUpsertEntries and pgUpsertDays are the upserts of entries and of days,
// their arrays from parameter $p on.
func pgUpsertEntries(p int) string {
	return fmt.Sprintf(`INSERT INTO metering_entries (saas_id, tenant_id, meter_id, ts, count)
	SELECT * FROM unnest($%d::text[], $%d::text[], $%d::text[], $%d::bigint[], $%d::bigint[])
	ON CONFLICT (saas_id, tenant_id, meter_id, ts) DO UPDATE SET count = excluded.count`, p, p+1, p+2, p+3, p+4)
}

func pgUpsertDays(p int) string {
	return fmt.Sprintf(`INSERT INTO metering_days (saas_id, tenant_id, meter_id, day, sum, max, entries)
	SELECT * FROM unnest($%d::text[], $%d::text[], $%d::text[], $%d::text[], $%d::bigint[], $%d::bigint[], $%d::bigint[])
	ON CONFLICT (saas_id, tenant_id, meter_id, day) DO UPDATE SET sum = excluded.sum, max = excluded.max, entries = excluded.entries`,
		p, p+1, p+2, p+3, p+4, p+5, p+6)
}

var (
	pgPutEntriesSQL = pgUpsertEntries(1)
	pgPutDaysSQL    = pgUpsertDays(1)
	// pgPutEntriesAndDaysSQL writes a batch's entries and its days in one
	// statement (a data-modifying WITH: both happen, against the same
	// snapshot, and no row is in both tables).
	pgPutEntriesAndDaysSQL = `WITH e AS (` + pgUpsertEntries(1) + `) ` + pgUpsertDays(6)
)

func (t *Tx) ReadEntries(ctx context.Context, refs []metering.EntryRef) ([]metering.EntryRead, error) {
	out := make([]metering.EntryRead, len(refs))
	if t.db.dialect == Postgres {
		if len(refs) == 0 {
			return out, nil
		}
		n := len(refs)
		is := make([]int32, n)
		saas, tenants, meters, days := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		tss := make([]int64, n)
		for i, r := range refs {
			is[i], saas[i], tenants[i], meters[i], tss[i], days[i] = int32(i), r.Key.SaaSID, r.Key.TenantID, r.Key.MeterID, r.TS, string(r.Day)
		}
		rows, err := t.query(ctx, pgReadEntriesSQL, is, saas, tenants, meters, tss, days)
		return out, scanEntryReads(rows, err, refs, out)
	}
	err := chunks(len(refs), func(start, size int) error {
		args := make([]any, 0, size*6)
		for i, r := range refs[start : start+size] {
			args = append(args, start+i, r.Key.SaaSID, r.Key.TenantID, r.Key.MeterID, r.TS, string(r.Day))
		}
		rows, err := t.query(ctx, readEntriesSQL[size], args...)
		return scanEntryReads(rows, err, refs, out)
	})
	return out, err
}

// scanEntryReads puts each row of an entries read (index, count, day
// roll-up) into out at its index; err is the query's own.
func scanEntryReads(rows *sql.Rows, err error, refs []metering.EntryRef, out []metering.EntryRead) error {
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
}

// On PostgreSQL, PutEntries only keeps the rows: they are written with
// the next PutDays in one statement (the committer writes a batch's days
// right after its entries), or before any other statement of the
// transaction, or before it commits (flushEntries), so that the
// transaction reads its own writes as ever.
func (t *Tx) PutEntries(ctx context.Context, es []metering.KeyedEntry) error {
	if t.db.dialect == Postgres {
		t.pendingEntries = append(t.pendingEntries, es...)
		return nil
	}
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
	if t.db.dialect == Postgres {
		if len(ds) == 0 {
			return nil
		}
		n := len(ds)
		saas, tenants, meters, days := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		sums, maxes, entries := make([]int64, n), make([]int64, n), make([]int64, n)
		for i, d := range ds {
			saas[i], tenants[i], meters[i], days[i] = d.Key.SaaSID, d.Key.TenantID, d.Key.MeterID, string(d.Date)
			sums[i], maxes[i], entries[i] = d.Sum, d.Max, d.Entries
		}
		if len(t.pendingEntries) == 0 {
			_, err := t.exec(ctx, pgPutDaysSQL, saas, tenants, meters, days, sums, maxes, entries)
			return err
		}
		es := pgEntryArrays(t.pendingEntries)
		t.pendingEntries = nil // written here, with the days
		_, err := t.exec(ctx, pgPutEntriesAndDaysSQL, es[0], es[1], es[2], es[3], es[4],
			saas, tenants, meters, days, sums, maxes, entries)
		return err
	}
	return chunks(len(ds), func(start, size int) error {
		args := make([]any, 0, size*7)
		for _, d := range ds[start : start+size] {
			args = append(args, d.Key.SaaSID, d.Key.TenantID, d.Key.MeterID, string(d.Date), d.Sum, d.Max, d.Entries)
		}
		_, err := t.exec(ctx, putDaysSQL[size], args...)
		return err
	})
}

// pgEntryArrays is the columns of entries as arrays, for unnest.
func pgEntryArrays(es []metering.KeyedEntry) [5]any {
	n := len(es)
	saas, tenants, meters := make([]string, n), make([]string, n), make([]string, n)
	tss, counts := make([]int64, n), make([]int64, n)
	for i, e := range es {
		saas[i], tenants[i], meters[i], tss[i], counts[i] = e.Key.SaaSID, e.Key.TenantID, e.Key.MeterID, e.Timestamp, e.Count
	}
	return [5]any{saas, tenants, meters, tss, counts}
}

// flushEntries writes the entries PutEntries kept (PostgreSQL).
func (t *Tx) flushEntries(ctx context.Context) error {
	if len(t.pendingEntries) == 0 {
		return nil
	}
	es := pgEntryArrays(t.pendingEntries)
	t.pendingEntries = nil // before exec, which flushes first
	_, err := t.exec(ctx, pgPutEntriesSQL, es[0], es[1], es[2], es[3], es[4])
	return err
}
