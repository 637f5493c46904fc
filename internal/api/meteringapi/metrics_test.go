package meteringapi_test

import (
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// The committer's work shows on /metrics: every update (refused ones too)
// is carried by some batch, and no batch failed.
func TestCommitterMetrics(t *testing.T) {
	e := newEnv(t, apitest.Backends(t)[0])
	meter(t, e.c, "calls", "")
	for i := range 5 {
		e.set(t, "calls", at(3, 15, 9, 0, i), "add", 2, 2)
	}
	e.put(t, "nope", at(3, 15, 9, 0, 0), "add", 1).Want(t, http.StatusNotFound)

	body := string(e.srv.Raw(t, "GET", "/metrics", nil, nil).Want(t, 200).Body)
	metric := func(name string) float64 {
		t.Helper()
		m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("/metrics lacks %s", name)
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	if got := metric("saasplane_metering_updates_total"); got != 6 {
		t.Errorf("updates_total = %v, want 6", got)
	}
	if got := metric("saasplane_metering_batches_total"); got < 1 || got > 6 {
		t.Errorf("batches_total = %v, want 1..6", got)
	}
	if got := metric("saasplane_metering_failed_batches_total"); got != 0 {
		t.Errorf("failed_batches_total = %v, want 0", got)
	}
	if got := metric("saasplane_metering_commit_seconds_total"); got <= 0 {
		t.Errorf("commit_seconds_total = %v, want > 0", got)
	}
}
