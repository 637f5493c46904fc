package meteringapi_test

import (
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestConcurrentAdds: 64 clients each send 10 signed PUT .../now add 1 to
// one counter at the same time. Every update applies exactly once, in some
// order: the answers are exactly the counts 1..640, one each, and the day
// holds 640.
func TestConcurrentAdds(t *testing.T) {
	t.Parallel()
	const clients, each = 64, 10
	onEveryBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		meters(t, e)
		counts := make([][]int64, clients)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for range each {
					r := e.c.Do(t, http.MethodPut, nowPath(e.tenant, "calls"), upd("add", 1))
					if r.Status != http.StatusOK {
						t.Errorf("%s: want 200", r)
						return
					}
					var body struct {
						Timestamp int64 `json:"timestamp"`
						Count     int64 `json:"count"`
					}
					r.Decode(t, &body)
					if body.Timestamp != now0 {
						t.Errorf("%s: timestamp %d, want %d", r, body.Timestamp, now0)
					}
					counts[i] = append(counts[i], body.Count)
				}
			}()
		}
		close(start)
		wg.Wait()
		if t.Failed() {
			return
		}
		var all []int64
		for _, c := range counts {
			all = append(all, c...)
		}
		slices.Sort(all)
		for i, n := range all {
			if n != int64(i+1) {
				t.Fatalf("answers sorted: position %d is %d, want %d (each of 1..%d exactly once)", i, n, i+1, clients*each)
			}
		}
		wantCount(t, "day", e.day(t, "calls", "2026-03-15"), clients*each)
		wantCount(t, "month", e.month(t, "calls", "2026-03"), clients*each)
		wantBody(t, "entries", e.everything(t, "calls"), entries("calls", now0, clients*each))
	})
}

// TestConcurrentMixed: concurrent add, sub and direct on two seconds of a
// max meter and adds on a sum meter leave roll-ups that agree with the
// entries.
func TestConcurrentMixed(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		seed(entry{"peak", dayStart, 1000}, entry{"peak", morning, 1000})(t, e)
		var wg sync.WaitGroup
		for i := range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ts := []int64{dayStart, morning}[i%2]
				for j := range 5 {
					switch (i + j) % 3 {
					case 0:
						e.put(t, "peak", ts, "add", 3).Want(t, http.StatusOK)
					case 1:
						e.put(t, "peak", ts, "sub", 2).Want(t, http.StatusOK)
					default:
						e.put(t, "calls", ts, "add", 1).Want(t, http.StatusOK)
					}
				}
			}()
		}
		wg.Wait()
		var period struct {
			Counts []struct{ Timestamp, Count int64 }
		}
		e.get(t, "/peak/date-period?start_timestamp=0&end_timestamp="+s(limit)).Decode(t, &period)
		var largest int64
		for _, c := range period.Counts {
			largest = max(largest, c.Count)
		}
		wantCount(t, "peak's day (max of the entries)", e.day(t, "peak", "2026-03-15"), largest)
		var calls struct {
			Counts []struct{ Timestamp, Count int64 }
		}
		e.get(t, "/calls/date-period?start_timestamp=0&end_timestamp="+s(limit)).Decode(t, &calls)
		var sum int64
		for _, c := range calls.Counts {
			sum += c.Count
		}
		wantCount(t, "calls' day (sum of the entries)", e.day(t, "calls", "2026-03-15"), sum)
	})
}

// TestDeleteMeterRacesUpdate: deleting a meter while counts are recorded
// on it ends one of two ways: the delete wins (the update is a 404) or the
// update wins (the delete is a 409, the meter now has usage). Updates of
// other counters committed in the same group are never affected.
func TestDeleteMeterRacesUpdate(t *testing.T) {
	t.Parallel()
	const rounds, bystanders = 20, 4
	onEveryBackend(t, func(t *testing.T, b apitest.Backend) {
		e := newEnv(t, b)
		meter(t, e.c, "calls", "sum")
		var deleteWon int
		for i := range rounds {
			name := "m" + s(int64(i))
			id := meter(t, e.c, name, "sum")
			var del, put *apitest.Response
			others := make([]*apitest.Response, bystanders)
			var wg sync.WaitGroup
			start := make(chan struct{})
			run := func(fn func()) {
				wg.Add(1)
				go func() { defer wg.Done(); <-start; fn() }()
			}
			run(func() { del = e.c.Do(t, http.MethodDelete, P+"/metering/units/"+id, nil) })
			run(func() { put = e.c.Do(t, http.MethodPut, nowPath(e.tenant, name), upd("add", 1)) })
			for j := range bystanders {
				run(func() { others[j] = e.c.Do(t, http.MethodPut, nowPath(e.tenant, "calls"), upd("add", 1)) })
			}
			close(start)
			wg.Wait()
			switch {
			case del.Status == http.StatusOK && put.Status == http.StatusNotFound:
				deleteWon++
			case del.Status == http.StatusConflict && put.Status == http.StatusOK:
			default:
				t.Errorf("round %d: delete and update raced to:\n  %s\n  %s", i, del, put)
			}
			for _, r := range others {
				if r.Status != http.StatusOK {
					t.Errorf("round %d: an update of another counter failed with the race: %s", i, r)
				}
			}
		}
		wantCount(t, "calls", e.day(t, "calls", "2026-03-15"), rounds*bystanders)
		t.Logf("the delete won %d of %d rounds", deleteWon, rounds)
	})
}
