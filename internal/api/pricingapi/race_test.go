package pricingapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestDeleteRacesReference: deleting an object while another request makes
// something reference it must end in one of the two documented outcomes
// (the delete wins and the reference is a 400, or the reference wins and
// the delete is a 409), never a 500, and never a dangling reference.
func TestDeleteRacesReference(t *testing.T) {
	t.Parallel()
	const rounds = 25
	onEveryBackend(t, func(t *testing.T, srv *apitest.Server) {
		t.Run("meter vs unit", func(t *testing.T) {
			t.Parallel()
			c := srv.NewSaaS(t)
			for i := range rounds {
				name := fmt.Sprintf("m%d", i)
				meter := createID(t, c, "/metering/units", meterBody(name))
				var del, ref *apitest.Response
				apitest.Race(func() { del = c.Do(t, http.MethodDelete, P+"/metering/units/"+meter, nil) },
					func() { ref = c.Do(t, http.MethodPost, P+"/units", usageUnit("u"+name, name)) })
				wantRaceOutcome(t, del, ref)
			}
		})
		t.Run("unit vs menu", func(t *testing.T) {
			t.Parallel()
			c := srv.NewSaaS(t)
			for range rounds {
				unit := createID(t, c, "/units", fixedUnit("u"))
				var del, ref *apitest.Response
				apitest.Race(func() { del = c.Do(t, http.MethodDelete, P+"/units/"+unit, nil) },
					func() { ref = c.Do(t, http.MethodPost, P+"/menus", menuBody("m", unit)) })
				wantRaceOutcome(t, del, ref)
			}
		})
		t.Run("menu vs plan", func(t *testing.T) {
			t.Parallel()
			c := srv.NewSaaS(t)
			for range rounds {
				menu := createID(t, c, "/menus", menuBody("m"))
				var del, ref *apitest.Response
				apitest.Race(func() { del = c.Do(t, http.MethodDelete, P+"/menus/"+menu, nil) },
					func() { ref = c.Do(t, http.MethodPost, P+"/plans", planBody("p", menu)) })
				wantRaceOutcome(t, del, ref)
			}
		})
	})
}

// TestMarkUsedRacesUpdate: PATCH /plans/used racing a PATCH of a unit,
// menu, plan or meter under the plan must leave everything used. Either
// the mark wins (the PATCH is refused with 409 if it changes pricing) or
// the PATCH wins and the mark follows; the PATCH must never write back the
// used flag it read before the mark committed.
func TestMarkUsedRacesUpdate(t *testing.T) {
	t.Parallel()
	const rounds = 15
	onEveryBackend(t, func(t *testing.T, srv *apitest.Server) {
		targets := []struct {
			name, path string
			body       func(x ids, i int) any
			read       func(t *testing.T, c apitest.Client, x ids) obj
		}{
			{"unit", "/units/{fixed}", func(x ids, i int) any { return apitest.With(fixedUnit("base"), "display_name", fmt.Sprint(i)) },
				func(t *testing.T, c apitest.Client, x ids) obj { return get(t, c, "/units/"+x["fixed"]) }},
			{"menu", "/menus/{menu}", func(x ids, i int) any {
				return menuBody(fmt.Sprint(i), x["fixed"], x["usage"], x["tiered"], x["tiered_usage"])
			}, func(t *testing.T, c apitest.Client, x ids) obj { return get(t, c, "/menus/"+x["menu"]) }},
			{"plan", "/plans/{plan}", func(x ids, i int) any { return planBody(fmt.Sprint(i), x["menu"]) },
				func(t *testing.T, c apitest.Client, x ids) obj { return get(t, c, "/plans/"+x["plan"]) }},
			{"meter", "/metering/units/{meter}", func(x ids, i int) any { return apitest.With(meterBody("calls"), "description", fmt.Sprint(i)) },
				func(t *testing.T, c apitest.Client, x ids) obj {
					return apitest.Find(list(t, c, "/metering/units", "units"), x["meter"])
				}},
		}
		for _, tg := range targets {
			t.Run(tg.name, func(t *testing.T) {
				t.Parallel()
				for i := range rounds {
					c := srv.NewSaaS(t)
					x := catalog(t, c)
					var mark, patch *apitest.Response
					apitest.Race(func() { mark = c.Do(t, http.MethodPatch, P+"/plans/used", obj{"plan_ids": []string{x["plan"]}}) },
						func() { patch = c.Do(t, http.MethodPatch, P+x.Expand(tg.path), tg.body(x, i)) })
					if mark.Status != http.StatusOK || patch.Status != http.StatusOK {
						t.Fatalf("round %d:\n  %s\n  %s", i, mark, patch)
					}
					if got := tg.read(t, c, x); got["used"] != true {
						t.Fatalf("round %d: the %s is %v after PATCH /plans/used answered 200: the PATCH wrote back the stale used flag", i, tg.name, got)
					}
				}
			})
		}
	})
}

func wantRaceOutcome(t *testing.T, del, ref *apitest.Response) {
	t.Helper()
	switch {
	case del.Status == http.StatusOK && ref.Status == http.StatusBadRequest:
	case del.Status == http.StatusConflict && ref.Status == http.StatusCreated:
	default:
		t.Errorf("delete and reference raced to:\n  %s\n  %s", del, ref)
	}
}
