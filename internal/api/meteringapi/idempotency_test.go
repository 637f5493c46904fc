package meteringapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// withKey sends an update with an Idempotency-Key header.
func withKey(t testing.TB, c apitest.Client, key, path string, body any) *apitest.Response {
	t.Helper()
	return c.Send(t, apitest.Request{Method: http.MethodPut, Path: path, Body: body, Header: http.Header{"Idempotency-Key": {key}}})
}

// TestIdempotency: a retry with the same Idempotency-Key and the same
// request answers the first response and applies nothing; the same key
// with another request is a 409; keys are per SaaS and kept 48 hours.
func TestIdempotency(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Run("retry of now answers the first response", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			meters(t, e)
			first := withKey(t, e.c, "k-1", nowPath(e.tenant, "calls"), upd("add", 3)).Want(t, http.StatusOK)
			wantJSON(t, first, tsc("calls", now0, 3))
			e.clk.Set(T0.Add(10 * time.Second)) // the retry comes later: still the first second
			again := withKey(t, e.c, "k-1", nowPath(e.tenant, "calls"), upd("add", 3)).Want(t, http.StatusOK)
			if !bytes.Equal(again.Body, first.Body) {
				t.Errorf("retry answered %s, first answer was %s", again.Body, first.Body)
			}
			wantBody(t, "entries", e.everything(t, "calls"), entries("calls", now0, 3))
			wantCount(t, "today", e.day(t, "calls", "2026-03-15"), 3)
		})
		t.Run("retry of timestamp answers the first response", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			seed(entry{"calls", morning, 10})(t, e)
			path := tsPath(e.tenant, "calls", morning)
			first := withKey(t, e.c, "k-2", path, upd("add", 5)).Want(t, http.StatusOK)
			wantJSON(t, first, tsc("calls", morning, 15))
			// Another update in between: the retry still answers 15.
			e.set(t, "calls", morning, "add", 1, 16)
			again := withKey(t, e.c, "k-2", path, upd("add", 5)).Want(t, http.StatusOK)
			wantJSON(t, again, tsc("calls", morning, 15))
			wantCount(t, "day", e.day(t, "calls", "2026-03-15"), 16)
			// Without the key the same request applies again.
			e.set(t, "calls", morning, "add", 5, 21)
		})
		t.Run("the length limit counts characters", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			meters(t, e)
			for i, key := range []string{
				strings.Repeat("k", 255), // at the limit
				strings.Repeat("é", 255), // 255 characters, 510 bytes
				strings.Repeat("鍵", 255), // 765 bytes
				strings.Repeat("🔑", 255), // 1,020 bytes
			} {
				withKey(t, e.c, key, nowPath(e.tenant, "calls"), upd("add", 1)).Want(t, http.StatusOK)
				// The whole key is kept: a retry is answered, not applied.
				withKey(t, e.c, key, nowPath(e.tenant, "calls"), upd("add", 1)).Want(t, http.StatusOK)
				wantBody(t, "calls", e.everything(t, "calls"), entries("calls", now0, int64(i+1)))
			}
		})
		t.Run("same key for another request", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			meters(t, e)
			withKey(t, e.c, "k-3", nowPath(e.tenant, "calls"), upd("add", 3)).Want(t, http.StatusOK)
			other := newTenant(t, e.c, "other")
			for _, tc := range []struct {
				name, path string
				body       any
			}{
				{"another count", nowPath(e.tenant, "calls"), upd("add", 4)},
				{"another method", nowPath(e.tenant, "calls"), upd("direct", 3)},
				{"another meter", nowPath(e.tenant, "peak"), upd("add", 3)},
				{"another tenant", nowPath(other, "calls"), upd("add", 3)},
				{"the timestamp route", tsPath(e.tenant, "calls", now0), upd("add", 3)},
			} {
				withKey(t, e.c, "k-3", tc.path, tc.body).WantError(t, http.StatusConflict, "idempotency_key_reused", "Idempotency-Key")
			}
			wantBody(t, "calls", e.everything(t, "calls"), entries("calls", now0, 3))
			wantBody(t, "peak", e.everything(t, "peak"), entries("peak"))
			// The original request is still answered.
			wantJSON(t, withKey(t, e.c, "k-3", nowPath(e.tenant, "calls"), upd("add", 3)).Want(t, http.StatusOK), tsc("calls", now0, 3))
		})
		t.Run("keys are per SaaS", func(t *testing.T) {
			t.Parallel()
			a := newEnv(t, b)
			meters(t, a)
			bc := a.srv.NewSaaS(t)
			bt := newTenant(t, bc, "acme")
			meter(t, bc, "calls", "sum")
			wantJSON(t, withKey(t, a.c, "shared", nowPath(a.tenant, "calls"), upd("add", 3)).Want(t, http.StatusOK), tsc("calls", now0, 3))
			wantJSON(t, withKey(t, bc, "shared", nowPath(bt, "calls"), upd("add", 7)).Want(t, http.StatusOK), tsc("calls", now0, 7))
			wantJSON(t, withKey(t, bc, "shared", nowPath(bt, "calls"), upd("add", 7)).Want(t, http.StatusOK), tsc("calls", now0, 7))
			wantJSON(t, withKey(t, a.c, "shared", nowPath(a.tenant, "calls"), upd("add", 3)).Want(t, http.StatusOK), tsc("calls", now0, 3))
			wantCount(t, "A's day", a.day(t, "calls", "2026-03-15"), 3)
			be := &env{srv: a.srv, clk: a.clk, c: bc, tenant: bt}
			wantCount(t, "B's day", be.day(t, "calls", "2026-03-15"), 7)
		})
		t.Run("kept 48 hours", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			meters(t, e)
			path := nowPath(e.tenant, "calls")
			wantJSON(t, withKey(t, e.c, "k-4", path, upd("add", 1)).Want(t, http.StatusOK), tsc("calls", now0, 1))
			e.clk.Set(T0.Add(48*time.Hour - time.Second))
			wantJSON(t, withKey(t, e.c, "k-4", path, upd("add", 1)).Want(t, http.StatusOK), tsc("calls", now0, 1))
			later := T0.Add(48*time.Hour + time.Second)
			e.clk.Set(later)
			wantJSON(t, withKey(t, e.c, "k-4", path, upd("add", 1)).Want(t, http.StatusOK), tsc("calls", later.Unix(), 1))
			wantBody(t, "entries", e.everything(t, "calls"), entries("calls", now0, 1, later.Unix(), 1))
			wantCount(t, "this month", e.month(t, "calls", "2026-03"), 2)
		})
		t.Run("concurrent retries apply once", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			meters(t, e)
			const n = 16
			got := make([]*apitest.Response, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i] = withKey(t, e.c, "k-5", nowPath(e.tenant, "calls"), upd("add", 2))
				}()
			}
			wg.Wait()
			for _, r := range got {
				if r.Status != http.StatusOK {
					t.Errorf("%s: want 200", r)
					continue
				}
				wantJSON(t, r, tsc("calls", now0, 2))
			}
			wantCount(t, "day", e.day(t, "calls", "2026-03-15"), 2)
		})
	})
}
