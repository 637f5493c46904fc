package app

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/metering"
)

// usageRow is one data row of a usage file: an update of the entry of a
// tenant's meter at one second.
type usageRow struct {
	line      int // the file's line the row starts on (1 is the header)
	tenantID  string
	meter     string
	timestamp int64 // Unix seconds
	method    string
	count     int64
}

// entry is the counter entry a row changes; rows of one entry are sent
// one after the other in file order, so their outcome is the file's.
func (r usageRow) entry() string {
	return r.tenantID + "\x00" + r.meter + "\x00" + strconv.FormatInt(r.timestamp, 10)
}

// rowError is a problem of the file at a line.
type rowError struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// usageColumns are the columns of a usage file; method is optional.
var usageColumns = []string{"tenant_id", "metering_unit_name", "timestamp", "method", "count"}

// maxFuture is how far ahead of the clock the API takes a timestamp.
const maxUsageFuture = 24 * time.Hour

// parseUsageCSV reads a whole usage file and checks every row against
// what the metering API takes, with now as the clock. It returns the rows
// and every problem found, by line; a file that is not CSV at all stops
// at the first line that is not.
func parseUsageCSV(data []byte, now time.Time) ([]usageRow, []rowError) {
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a BOM, as spreadsheets write
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1 // checked here, with a better message
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, []rowError{{Line: 1, Message: "the file is empty: it needs a header row (" + strings.Join(usageColumns, ",") + ")"}}
	}
	if err != nil {
		return nil, []rowError{csvError(err)}
	}
	col, errs := usageHeader(header)
	if len(errs) > 0 {
		return nil, errs
	}
	var rows []usageRow
	latest := now.Add(maxUsageFuture).Unix()
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rows, append(errs, csvError(err))
		}
		line, _ := r.FieldPos(0)
		if len(rec) != len(header) {
			errs = append(errs, rowError{line, fmt.Sprintf("has %d fields, the header has %d", len(rec), len(header))})
			continue
		}
		row, problems := usageRowOf(rec, col, latest)
		row.line = line
		if len(problems) > 0 {
			errs = append(errs, rowError{line, strings.Join(problems, "; ")})
			continue
		}
		rows = append(rows, row)
	}
	return rows, errs
}

// usageHeader maps each known column to its index (-1: absent).
func usageHeader(header []string) (map[string]int, []rowError) {
	col := map[string]int{}
	for _, c := range usageColumns {
		col[c] = -1
	}
	var problems []string
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch j, known := col[h]; {
		case !known:
			problems = append(problems, fmt.Sprintf("unknown column %q", h))
		case j >= 0:
			problems = append(problems, fmt.Sprintf("column %q twice", h))
		default:
			col[h] = i
		}
	}
	for _, c := range usageColumns {
		if col[c] < 0 && c != "method" {
			problems = append(problems, fmt.Sprintf("no column %q", c))
		}
	}
	if len(problems) > 0 {
		return nil, []rowError{{1, "header: " + strings.Join(problems, "; ") + " (the columns are " + strings.Join(usageColumns, ", ") + "; method is optional)"}}
	}
	return col, nil
}

// usageRowOf checks one record's fields.
func usageRowOf(rec []string, col map[string]int, latest int64) (usageRow, []string) {
	field := func(c string) string {
		if col[c] < 0 {
			return ""
		}
		return strings.TrimSpace(rec[col[c]])
	}
	var row usageRow
	var problems []string
	if row.tenantID = field("tenant_id"); row.tenantID == "" {
		problems = append(problems, "tenant_id: is empty")
	}
	if row.meter = field("metering_unit_name"); row.meter == "" {
		problems = append(problems, "metering_unit_name: is empty")
	}
	ts, err := parseTime(field("timestamp"))
	switch {
	case err != nil:
		problems = append(problems, "timestamp: "+err.Error())
	case ts < 0:
		problems = append(problems, fmt.Sprintf("timestamp: %d is before 1970", ts))
	case ts > latest:
		problems = append(problems, fmt.Sprintf("timestamp: %s is more than 24 hours ahead of now", formatUnix(ts)))
	}
	row.timestamp = ts
	switch row.method = strings.ToLower(field("method")); row.method {
	case "":
		row.method = string(metering.MethodAdd)
	case string(metering.MethodAdd), string(metering.MethodSub), string(metering.MethodDirect):
	default:
		problems = append(problems, fmt.Sprintf("method: %q is not add, sub or direct", field("method")))
	}
	n, err := strconv.ParseInt(field("count"), 10, 64)
	if err != nil || n < 0 || n > metering.MaxCount {
		problems = append(problems, fmt.Sprintf("count: %q is not an integer from 0 to %d", field("count"), int64(metering.MaxCount)))
	}
	row.count = n
	return row, problems
}

func csvError(err error) rowError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return rowError{pe.Line, "not CSV: " + pe.Err.Error()}
	}
	return rowError{0, err.Error()}
}

// sortRowErrors orders problems by line, as people read a file.
func sortRowErrors(es []rowError) {
	slices.SortStableFunc(es, func(a, b rowError) int { return a.Line - b.Line })
}
