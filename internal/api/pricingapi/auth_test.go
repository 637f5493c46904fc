package pricingapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/saasplane/saasplane/internal/api/apitest"
	"github.com/saasplane/saasplane/internal/sigv1"
)

func ptr(s string) *string { return &s }

// awayFromMinuteBoundary waits, when the next UTC minute is less than two
// seconds away, until it has begun: a request signed at a minute offset
// must be verified within the same minute to keep that offset.
func awayFromMinuteBoundary() {
	now := time.Now()
	next := now.Truncate(time.Minute).Add(time.Minute)
	if next.Sub(now) < 2*time.Second {
		time.Sleep(next.Sub(now) + 50*time.Millisecond)
	}
}

// TestAuth: only a SAASUSSIGV1 signature by an active key of the SaaS
// named in the header, over this method, host, path, query and body, dated
// within one minute of now, gets in. Everything else is 401 unauthorized.
func TestAuth(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, func(t *testing.T, srv *apitest.Server) {
		a, b := srv.NewSaaS(t), srv.NewSaaS(t)
		units := P + "/units"
		getUnits := apitest.Request{Method: http.MethodGet, Path: units}
		with := func(r apitest.Request, edit func(*apitest.Request)) apitest.Request { edit(&r); return r }

		// A header built by hand, as a lenient parser must accept it.
		handmade := func(format func(sig string) string) func(*apitest.Request) {
			return func(r *apitest.Request) {
				sig := sigv1.Sign([]byte(a.Secret), time.Now(), a.APIKey, r.Method, a.Server.Host+r.Path, nil)
				r.Authorization = ptr(format(sig))
			}
		}
		revoked := a
		revokedCreds, err := srv.SaaS.CreateKey(context.Background(), a.SaaSID)
		if err != nil {
			t.Fatal(err)
		}
		revoked.APIKey, revoked.Secret = revokedCreds.APIKey, revokedCreds.SecretKey
		if err := srv.SaaS.RevokeKey(context.Background(), a.SaaSID, revoked.APIKey); err != nil {
			t.Fatal(err)
		}
		second := a
		secondCreds, err := srv.SaaS.CreateKey(context.Background(), a.SaaSID)
		if err != nil {
			t.Fatal(err)
		}
		second.APIKey, second.Secret = secondCreds.APIKey, secondCreds.SecretKey

		unknownKey, wrongSecret, crossSaaS := a, a, a
		unknownKey.APIKey = "sp_00000000000000000000000000000000"
		wrongSecret.Secret = b.Secret
		crossSaaS.SaaSID = b.SaaSID

		cases := []struct {
			name   string
			client apitest.Client
			req    apitest.Request
			status int
		}{
			{"signed", a, getUnits, 200},
			{"signed with a query", a, with(getUnits, func(r *apitest.Request) { r.Path = units + "?a=1&b=%20x" }), 200},
			{"second key", second, getUnits, 200},
			{"one minute ahead", a, with(getUnits, func(r *apitest.Request) { r.SignedAt = time.Now().Add(time.Minute) }), 200},
			{"lower-case scheme, no spaces, other order", a, with(getUnits, handmade(func(sig string) string {
				return "saasusSigV1 APIKey=" + a.APIKey + ",SaaSID=" + a.SaaSID + ",Sig=" + sig
			})), 200},
			{"upper-case hex", a, with(getUnits, handmade(func(sig string) string {
				return sigv1.Header{Sig: strings.ToUpper(sig), SaaSID: a.SaaSID, APIKey: a.APIKey}.Format()
			})), 200},

			{"no Authorization", a, with(getUnits, func(r *apitest.Request) { r.Authorization = ptr("") }), 401},
			{"Bearer token", a, with(getUnits, func(r *apitest.Request) { r.Authorization = ptr("Bearer " + a.Secret) }), 401},
			{"scheme only", a, with(getUnits, func(r *apitest.Request) { r.Authorization = ptr("SAASUSSIGV1") }), 401},
			{"no APIKey", a, with(getUnits, func(r *apitest.Request) { r.Authorization = ptr("SAASUSSIGV1 Sig=00, SaaSID=" + a.SaaSID) }), 401},
			{"unknown parameter", a, with(getUnits, handmade(func(sig string) string {
				return sigv1.Header{Sig: sig, SaaSID: a.SaaSID, APIKey: a.APIKey}.Format() + ", Extra=1"
			})), 401},
			{"signature not hex", a, with(getUnits, func(r *apitest.Request) {
				r.Authorization = ptr(sigv1.Header{Sig: "not-hex", SaaSID: a.SaaSID, APIKey: a.APIKey}.Format())
			}), 401},
			{"signature truncated", a, with(getUnits, handmade(func(sig string) string {
				return sigv1.Header{Sig: sig[:62], SaaSID: a.SaaSID, APIKey: a.APIKey}.Format()
			})), 401},
			{"unknown key", unknownKey, getUnits, 401},
			{"revoked key", revoked, getUnits, 401},
			{"wrong secret", wrongSecret, getUnits, 401},
			{"key of A with SaaSID of B", crossSaaS, getUnits, 401},
			{"signature over another body", a, apitest.Request{Method: http.MethodPost, Path: P + "/metering/units",
				Body: meterBody("sneaky"), SignBody: apitest.Encode(t, meterBody("calls"))}, 401},
			{"body sent, empty body signed", a, apitest.Request{Method: http.MethodPost, Path: P + "/metering/units",
				Body: meterBody("sneaky"), SignBody: []byte{}}, 401},
			{"signature over another path", a, with(getUnits, func(r *apitest.Request) { r.SignPath = P + "/menus" }), 401},
			{"query not signed", a, with(getUnits, func(r *apitest.Request) { r.Path, r.SignPath = units+"?a=1", units }), 401},
			{"query signed reordered", a, with(getUnits, func(r *apitest.Request) { r.Path, r.SignPath = units+"?a=1&b=2", units+"?b=2&a=1" }), 401},
			{"three minutes old", a, with(getUnits, func(r *apitest.Request) { r.SignedAt = time.Now().Add(-3 * time.Minute) }), 401},
			{"two minutes old", a, with(getUnits, func(r *apitest.Request) { r.SignedAt = time.Now().Add(-2 * time.Minute) }), 401},
			{"three minutes ahead", a, with(getUnits, func(r *apitest.Request) { r.SignedAt = time.Now().Add(3 * time.Minute) }), 401},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				r := tc.client.Send(t, tc.req)
				if tc.status == 401 {
					r.WantError(t, 401, "unauthorized")
				} else {
					r.Want(t, tc.status)
				}
			})
		}
		t.Run("one minute old", func(t *testing.T) {
			t.Parallel()
			awayFromMinuteBoundary()
			a.Send(t, with(getUnits, func(r *apitest.Request) { r.SignedAt = time.Now().Add(-time.Minute) })).Want(t, 200)
		})
		t.Run("rejected writes write nothing", func(t *testing.T) {
			t.Parallel()
			c := srv.NewSaaS(t)
			c.Send(t, apitest.Request{Method: http.MethodPost, Path: P + "/metering/units", Body: meterBody("sneaky"),
				SignBody: apitest.Encode(t, meterBody("calls"))}).WantError(t, 401, "unauthorized")
			if ms := list(t, c, "/metering/units", "units"); len(ms) != 0 {
				t.Errorf("meters after a rejected create: %v", ms)
			}
		})
		t.Run("unknown routes need a signature too", func(t *testing.T) {
			t.Parallel()
			a.Send(t, apitest.Request{Method: http.MethodGet, Path: P + "/nope", Authorization: ptr("")}).WantError(t, 401, "unauthorized")
		})
	})
}

// TestTraceID: the caller's X-SaaSus-Trace-Id is echoed on every response,
// success or error; without one (or with an unusable one) the server makes
// a fresh UUID per request.
func TestTraceID(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, func(t *testing.T, srv *apitest.Server) {
		c := srv.NewSaaS(t)
		traced := http.Header{"X-SaaSus-Trace-Id": {"abc"}}
		cases := []struct {
			name   string
			req    apitest.Request
			status int
		}{
			{"success", apitest.Request{Method: "GET", Path: P + "/units"}, 200},
			{"create", apitest.Request{Method: "POST", Path: P + "/metering/units"}, 201}, // a fresh meter per request
			{"empty 200", apitest.Request{Method: "DELETE", Path: P + "/plans-initialization"}, 200},
			{"400", apitest.Request{Method: "POST", Path: P + "/units", Body: "{"}, 400},
			{"401", apitest.Request{Method: "GET", Path: P + "/units", Authorization: ptr("")}, 401},
			{"404", apitest.Request{Method: "GET", Path: P + "/units/nope"}, 404},
			{"405", apitest.Request{Method: "PUT", Path: P + "/units"}, 405},
			{"413", apitest.Request{Method: "POST", Path: P + "/units", Body: strings.Repeat(" ", 2<<20)}, 413},
			{"500", apitest.Request{Method: "GET", Path: P + "/errors/internal-server-error"}, 500},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				req := tc.req
				send := func() *apitest.Response {
					if tc.name == "create" {
						req.Body = meterBody("m" + strings.ReplaceAll(uuid.NewString(), "-", ""))
					}
					return c.Send(t, req).Want(t, tc.status)
				}
				req.Header = traced
				r := send()
				if got := r.Header.Get("X-Saasus-Trace-Id"); got != "abc" {
					t.Errorf("%s: trace id %q, want the caller's abc", r, got)
				}
				req.Header = nil
				r1, r2 := send(), send()
				id1, id2 := r1.Header.Get("X-Saasus-Trace-Id"), r2.Header.Get("X-Saasus-Trace-Id")
				if _, err := uuid.Parse(id1); err != nil {
					t.Errorf("%s: fresh trace id %q is not a UUID", r1, id1)
				}
				if id1 == id2 {
					t.Errorf("two requests got the same fresh trace id %q", id1)
				}
			})
		}
		t.Run("unusable ids are replaced", func(t *testing.T) {
			t.Parallel()
			for _, bad := range []string{strings.Repeat("x", 129), "a b", "ü"} {
				r := c.Send(t, apitest.Request{Method: "GET", Path: P + "/units", Header: http.Header{"X-Saasus-Trace-Id": {bad}}}).Want(t, 200)
				if _, err := uuid.Parse(r.Header.Get("X-Saasus-Trace-Id")); err != nil {
					t.Errorf("trace id %q: got %q, want a fresh UUID", bad, r.Header.Get("X-Saasus-Trace-Id"))
				}
			}
		})
	})
}
