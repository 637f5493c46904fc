package console_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestSignOutHoldsOnEveryNode: two nodes on one database; a session
// signed in and out on one is refused on the other too, when a copy of
// its cookie is replayed there; a session still signed in works on both.
func TestSignOutHoldsOnEveryNode(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		one, two := apitest.NewServer(t, b.DB), apitest.NewServer(t, b.DB)
		c := one.NewSaaS(t)
		a, other := newClient(t, one.URL), newClient(t, one.URL)
		want(t, a.signIn(c.SaaSID, c.APIKey, c.Secret), 200)
		want(t, other.signIn(c.SaaSID, c.APIKey, c.Secret), 200)
		// The same cookies, presented to the second node.
		copyTo := func(from *client) *client {
			cl := newClient(t, two.URL)
			u, _ := url.Parse(two.URL + "/console/session")
			cl.http.Jar.SetCookies(u, from.http.Jar.Cookies(from.reqURL("/console/session")))
			return cl
		}
		aThere, otherThere := copyTo(a), copyTo(other)
		want(t, aThere.do("GET", "/console/api/v1/pricing/metering/units", "", false), http.StatusOK)

		want(t, a.do("DELETE", "/console/session", "", true), http.StatusNoContent)
		want(t, aThere.do("GET", "/console/api/v1/pricing/metering/units", "", false), http.StatusUnauthorized)
		want(t, aThere.do("GET", "/console/session", "", false), http.StatusUnauthorized)
		want(t, otherThere.do("GET", "/console/api/v1/pricing/metering/units", "", false), http.StatusOK)
	})
}
