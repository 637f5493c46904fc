package jobs

import (
	"context"
	"errors"
	"testing"

	"github.com/riverqueue/river"

	"github.com/saasplane/saasplane/internal/store/storetest"
)

// saasJob is a job done for one SaaS: its arguments name it.
type saasJob struct {
	SaaSID string `json:"saas_id"`
	N      int    `json:"n"`
}

func (saasJob) Kind() string { return "test.saas" }

// The admin's view of one SaaS lists only the jobs whose arguments name
// it, and retries none of another SaaS's.
func TestAdminOfOneSaaS(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			e := startEngine(t, db, fastConfig, func(e *Engine) {
				Handle(e, func(context.Context, saasJob) error { return nil })
				Handle(e, func(context.Context, flakyJob) error { return nil })
			})
			var ids []int64
			for i, args := range []any{saasJob{"a", 1}, saasJob{"b", 2}, saasJob{"a", 3}, flakyJob{Name: "a"}} {
				id, err := e.Insert(t.Context(), args.(river.JobArgs), nil)
				if err != nil {
					t.Fatalf("insert %d: %v", i, err)
				}
				ids = append(ids, id)
			}
			a := newAdmin(t, db)
			for _, tc := range []struct {
				f    ListFilter
				want []int64
			}{
				{ListFilter{SaaSID: "a"}, []int64{ids[2], ids[0]}},
				{ListFilter{SaaSID: "b"}, []int64{ids[1]}},
				{ListFilter{SaaSID: "a'; --"}, nil},
				{ListFilter{SaaSID: "a", Kinds: []string{"test.flaky"}}, nil},
				{ListFilter{SaaSID: "a", IDs: []int64{ids[0], ids[1]}}, []int64{ids[0]}},
			} {
				js, err := a.List(t.Context(), tc.f)
				if err != nil {
					t.Fatalf("%+v: %v", tc.f, err)
				}
				var got []int64
				for _, j := range js {
					got = append(got, j.ID)
				}
				if len(got) != len(tc.want) || (len(got) > 0 && (got[0] != tc.want[0] || got[len(got)-1] != tc.want[len(tc.want)-1])) {
					t.Errorf("%+v lists %v, want %v", tc.f, got, tc.want)
				}
			}
			if _, err := a.RetryOf(t.Context(), "b", ids[0]); !errors.Is(err, ErrNoJob) {
				t.Errorf("SaaS b retried SaaS a's job: %v", err)
			}
			if j, err := a.RetryOf(t.Context(), "a", ids[0]); err != nil || j.ID != ids[0] {
				t.Errorf("SaaS a's retry of its job = %+v, %v", j, err)
			}
		})
	}
}
