package events_test

import (
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/events"
)

// TestSignatureVerifies: a receiver accepts what Sign made, and refuses a
// changed body, another secret, a stale or future timestamp and garbage.
func TestSignatureVerifies(t *testing.T) {
	at := time.Unix(1_800_000_000, 0)
	body := []byte(`{"id":"e1"}`)
	sig := events.Sign("whsec_a", at, body)
	ts := "1800000000"
	for _, tc := range []struct {
		name            string
		secret, ts, sig string
		body            string
		now             time.Time
		want            bool
	}{
		{"as signed", "whsec_a", ts, sig, `{"id":"e1"}`, at, true},
		{"among others", "whsec_a", ts, "v1=00, " + sig, `{"id":"e1"}`, at.Add(time.Minute), true},
		{"another body", "whsec_a", ts, sig, `{"id":"e2"}`, at, false},
		{"another secret", "whsec_b", ts, sig, `{"id":"e1"}`, at, false},
		{"stale", "whsec_a", ts, sig, `{"id":"e1"}`, at.Add(6 * time.Minute), false},
		{"from the future", "whsec_a", ts, sig, `{"id":"e1"}`, at.Add(-6 * time.Minute), false},
		{"another timestamp", "whsec_a", "1800000001", sig, `{"id":"e1"}`, at, false},
		{"no timestamp", "whsec_a", "", sig, `{"id":"e1"}`, at, false},
		{"no signature", "whsec_a", ts, "", `{"id":"e1"}`, at, false},
	} {
		if got := events.Verify(tc.secret, tc.ts, tc.sig, []byte(tc.body), tc.now, 5*time.Minute); got != tc.want {
			t.Errorf("%s: Verify = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestBackoffGrowsToAnHour: 10 s doubling, capped at an hour.
func TestBackoffGrowsToAnHour(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 10 * time.Second, 2: 20 * time.Second, 3: 40 * time.Second,
		9: 2560 * time.Second, 10: time.Hour, 40: time.Hour} {
		if got := events.DefaultBackoff(n); got != want {
			t.Errorf("DefaultBackoff(%d) = %v, want %v", n, got, want)
		}
	}
}
