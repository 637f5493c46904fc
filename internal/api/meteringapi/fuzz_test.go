package meteringapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// integerLiteral is a JSON number without fraction or exponent.
var integerLiteral = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

// parseUpdate decides, from the contract alone, whether body is a valid
// update: exactly one JSON object whose "method" (that exact key) is
// add, sub or direct and whose "count" is an integer from 0 to 2^40.
func parseUpdate(body []byte) (method string, n int64, ok bool) {
	trimmed := bytes.Trim(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return "", 0, false
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &m); err != nil {
		return "", 0, false
	}
	if err := json.Unmarshal(m["method"], &method); err != nil {
		return "", 0, false
	}
	switch method {
	case "add", "sub", "direct":
	default:
		return "", 0, false
	}
	raw := string(m["count"])
	if !integerLiteral.MatchString(raw) {
		return "", 0, false
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 || n > maxCount {
		return "", 0, false
	}
	return method, n, true
}

// FuzzUpdateBody sends arbitrary bytes as the body of PUT .../now through
// the real handler stack (SQLite). The clock stands still, so every update
// lands on one entry, whose value the test models. A response is never a
// 5xx; a valid update is answered exactly as the model says (200 with the
// entry's new count, 400 when it would exceed 2^40, 409 when it would go
// below zero); anything else is a 4xx.
func FuzzUpdateBody(f *testing.F) {
	for _, s := range []string{
		`{"method":"add","count":1}`,
		`{"method":"sub","count":1}`,
		`{"method":"direct","count":7}`,
		`{"method":"add","count":0}`,
		`{"count":3,"method":"add"}`,
		` {"method":"add","count":2} `,
		`{"method":"direct","count":1099511627776}`,
		`{"method":"add","count":1099511627777}`,
		`{"method":"add","count":-1}`,
		`{"method":"add","count":1.5}`,
		`{"method":"add","count":1e3}`,
		`{"method":"add","count":"5"}`,
		`{"method":"add","count":9223372036854775808}`,
		`{"method":"mul","count":1}`,
		`{"method":"ADD","count":1}`,
		`{"Method":"add","Count":1}`,
		`{"method":"add","count":1,"Count":5}`,
		`{"method":"add","count":1,"METHOD":"direct"}`,
		`{"method":"add","count":1,"count":2}`,
		`{"\u006dethod":"add","count":1}`,
		`{"method":"add"}`,
		`{"count":1}`,
		`{}`,
		`[]`,
		`null`,
		`{"method":"add","count":1}{}`,
		`{"method":"add","count":`,
		"",
		"\x00\xff",
	} {
		f.Add([]byte(s))
	}
	e := newEnv(f, apitest.Backend{Name: "sqlite", DB: apitest.OpenSQLite(f)})
	meter(f, e.c, "calls", "sum")
	path := nowPath(e.tenant, "calls")
	var value int64 // the entry at now0, as the model has it

	f.Fuzz(func(t *testing.T, body []byte) {
		r := e.c.Do(t, http.MethodPut, path, body)
		if r.Status >= 500 {
			t.Fatalf("%s: a 5xx for body %q", r, body)
		}
		method, n, ok := parseUpdate(body)
		if !ok {
			if r.Status < 400 {
				t.Fatalf("%s: accepted body %q, which is not {method, count} with a valid method and count 0..2^40 (entry was %d)", r, body, value)
			}
			return
		}
		want, wantStatus, wantType := value, http.StatusOK, ""
		switch method {
		case "add":
			if n > maxCount-value {
				wantStatus, wantType = http.StatusBadRequest, "invalid_request"
			} else {
				want = value + n
			}
		case "sub":
			if n > value {
				wantStatus, wantType = http.StatusConflict, "negative_count"
			} else {
				want = value - n
			}
		case "direct":
			want = n
		}
		// A key that differs from "method" or "count" only in case is
		// refused as a whole (field names are case-sensitive).
		if r.Status == http.StatusBadRequest && strings.Contains(string(r.Body), "case-sensitive") {
			return
		}
		if r.Status >= 400 {
			if wantStatus == http.StatusOK {
				t.Fatalf("%s: body %q (%s %d on an entry of %d) wants 200", r, body, method, n, value)
			}
			r.WantError(t, wantStatus, wantType, "count")
			return
		}
		var got struct {
			Name      string `json:"metering_unit_name"`
			Timestamp int64  `json:"timestamp"`
			Count     int64  `json:"count"`
		}
		r.Decode(t, &got)
		if wantStatus != http.StatusOK || got.Name != "calls" || got.Timestamp != now0 || got.Count != want {
			t.Errorf("%s: body %q means %s %d on an entry of %d: want %d %q, count %d at %d",
				r, body, method, n, value, wantStatus, wantType, want, now0)
			value = got.Count // follow the server, so that one bug does not fail every later input
			return
		}
		value = want
	})
}
