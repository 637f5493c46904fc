package apilog

import (
	"strconv"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Page sizes of ListLogs.
const (
	DefaultLimit = 200 // upstream: "with no parameters, returns 200 entries for the current day"
	MaxLimit     = 1000
)

// maxUnixSeconds is 9999-12-31T23:59:59Z: later instants would overflow
// the stored microseconds long before they mean anything.
const maxUnixSeconds = 253402300799

// ListLogsInput holds the query parameters of GET /v1/apilog/logs exactly as
// sent; an empty string means the parameter is absent.
//
// Which entries are considered, by precedence:
//   - start_at and/or end_at (Unix seconds): created in [start_at, end_at],
//     both ends inclusive at the second; a missing end is open. They cannot
//     be combined with created_at, and they override created_date.
//   - created_at (RFC 3339): created within that second, [t, t+1s).
//   - created_date (YYYY-MM-DD): created on that UTC day.
//   - nothing: created on the current UTC day.
//
// Entries come newest first, limit (1 to MaxLimit, default DefaultLimit)
// per page; cursor continues where the previous page ended.
type ListLogsInput struct {
	CreatedDate string
	CreatedAt   string
	StartAt     string
	EndAt       string
	Limit       string
	Cursor      string
}

type query struct {
	filter Filter
	after  *Cursor
	limit  int
}

// query validates the input, reporting every bad parameter at once, and
// turns it into a store query as of now.
func (in ListLogsInput) query(saasID string, now time.Time) (query, error) {
	var fe errs.FieldErrors
	q := query{filter: Filter{SaaSID: saasID, LiveAt: now}, limit: DefaultLimit}

	var day, at time.Time
	if in.CreatedDate != "" {
		d, err := time.Parse(time.DateOnly, in.CreatedDate)
		if err != nil {
			fe.Add("created_date", "must be a date in the form YYYY-MM-DD, e.g. 2026-01-31")
		}
		day = d
	}
	if in.CreatedAt != "" {
		t, err := time.Parse(time.RFC3339Nano, in.CreatedAt)
		if err != nil {
			fe.Add("created_at", "must be an RFC 3339 date-time, e.g. 2026-01-31T09:30:00Z")
		}
		at = t
	}
	start, hasStart := unixSeconds(&fe, "start_at", in.StartAt)
	end, hasEnd := unixSeconds(&fe, "end_at", in.EndAt)
	if in.CreatedAt != "" && (in.StartAt != "" || in.EndAt != "") {
		fe.Add("created_at", "cannot be combined with start_at or end_at")
	}
	if hasStart && hasEnd && end < start {
		fe.Add("end_at", "must not be before start_at")
	}
	if in.Limit != "" {
		n, err := strconv.Atoi(in.Limit)
		if err != nil || n < 1 || n > MaxLimit {
			fe.Add("limit", "must be an integer from 1 to %d", MaxLimit)
		}
		q.limit = n
	}
	if in.Cursor != "" {
		c, err := DecodeCursor(in.Cursor)
		if err != nil {
			fe.Add("cursor", "is not a cursor this server issued: send back the cursor of the previous page unchanged")
		}
		q.after = &c
	}
	if err := fe.Err(); err != nil {
		return query{}, err
	}

	switch {
	case hasStart || hasEnd:
		if hasStart {
			q.filter.From = time.Unix(start, 0).UTC()
		}
		if hasEnd {
			q.filter.To = time.Unix(end+1, 0).UTC()
		}
	case !at.IsZero():
		q.filter.From = at.UTC().Truncate(time.Second)
		q.filter.To = q.filter.From.Add(time.Second)
	default:
		if day.IsZero() {
			y, m, d := now.UTC().Date()
			day = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		}
		q.filter.From = day
		q.filter.To = day.AddDate(0, 0, 1)
	}
	return q, nil
}

// unixSeconds parses an optional epoch-seconds parameter.
func unixSeconds(fe *errs.FieldErrors, name, s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > maxUnixSeconds {
		fe.Add(name, "must be Unix seconds: an integer from 0 to %d", int64(maxUnixSeconds))
		return 0, false
	}
	return n, true
}
