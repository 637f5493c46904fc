package communicationapi_test

import (
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

const (
	C = "/v1/communication"
	A = "/v1/auth"
)

type obj = apitest.Obj

// conforms fails the test unless r is a response our own document of
// /v1/communication allows.
func conforms(t testing.TB, r *apitest.Response) *apitest.Response {
	t.Helper()
	return apitest.Conforms(t, "/v1/communication", r)
}

// start is the test clock's first reading.
var start = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

// world is one SaaS with three users, on a clock of its own.
type world struct {
	srv          *apitest.Server
	clk          *apitest.Clock
	c            apitest.Client
	ann, bob, cy string
}

func newWorld(t *testing.T, b apitest.Backend) *world {
	t.Helper()
	clk := apitest.NewClock(start)
	srv := apitest.NewServerWith(t, b.DB, apitest.Options{Now: clk.Now})
	w := &world{srv: srv, clk: clk, c: srv.NewSaaS(t)}
	w.ann, w.bob, w.cy = newUser(t, w.c, "ann"), newUser(t, w.c, "bob"), newUser(t, w.c, "cy")
	return w
}

// newUser adds a sign-in id user to the client's SaaS and returns its id.
func newUser(t *testing.T, c apitest.Client, signInID string) string {
	t.Helper()
	return c.Do(t, "POST", A+"/users", obj{"sign_in_id": signInID}).Want(t, 201).JSON(t)["id"].(string)
}

// do sends a request that must answer status and conform to our document,
// and returns the response.
func (w *world) do(t *testing.T, method, path string, body any, status int) *apitest.Response {
	t.Helper()
	return conforms(t, w.c.Do(t, method, C+path, body).Want(t, status))
}

// createFeedback creates a feedback and returns the 201's body.
func (w *world) createFeedback(t *testing.T, title, description, user string) obj {
	t.Helper()
	return w.do(t, "POST", "/feedbacks", obj{"feedback_title": title, "feedback_description": description, "user_id": user}, 201).JSON(t)
}

// feedback is the wire form of a feedback, for exact comparisons.
func feedback(id, title, description, user string, at time.Time, status int, voters []string, comments ...obj) obj {
	users := []obj{}
	for _, u := range voters {
		users = append(users, obj{"user_id": u})
	}
	if comments == nil {
		comments = []obj{}
	}
	return obj{"id": id, "feedback_title": title, "feedback_description": description, "user_id": user,
		"created_at": at.Unix(), "status": status, "count": len(voters), "users": users, "comments": comments}
}

// votes is the wire form of a feedback's votes.
func votes(voters ...string) obj {
	users := []obj{}
	for _, u := range voters {
		users = append(users, obj{"user_id": u})
	}
	return obj{"count": len(voters), "users": users}
}

// comment is the wire form of a comment.
func comment(id, body string, at time.Time) obj {
	return obj{"id": id, "body": body, "created_at": at.Unix()}
}
