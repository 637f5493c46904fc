package communicationapi_test

import (
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestIsolation: a second SaaS sees none of the first's feedback, comments
// or votes, cannot change them, and cannot name the first's users; the
// first's feedback is unchanged afterwards.
func TestIsolation(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		w := newWorld(t, b)
		fid := w.createFeedback(t, "Dark mode", "Please.", w.ann)["id"].(string)
		cid := w.do(t, "POST", "/feedbacks/"+fid+"/comments", obj{"body": "Soon."}, 201).JSON(t)["id"].(string)
		w.do(t, "POST", "/feedbacks/"+fid+"/votes/users", obj{"user_id": w.bob}, 201)
		before := w.do(t, "GET", "/feedbacks/"+fid, nil, 200).JSON(t)

		other := w.srv.NewSaaS(t)
		dan := newUser(t, other, "dan")
		apitest.WantJSONEqual(t, "the other SaaS's list", conforms(t, other.Do(t, "GET", C+"/feedbacks", nil).Want(t, 200)).JSON(t), obj{"feedbacks": []obj{}})
		f, c := C+"/feedbacks/"+fid, C+"/feedbacks/"+fid+"/comments/"+cid
		for _, r := range []struct {
			method, path string
			body         any
		}{
			{"GET", f, nil},
			{"PATCH", f, obj{"feedback_title": "mine", "feedback_description": ""}},
			{"PATCH", f + "/status", obj{"status": 3}},
			{"DELETE", f, nil},
			{"POST", f + "/comments", obj{"body": "x"}},
			{"GET", c, nil},
			{"PATCH", c, obj{"body": "x"}},
			{"DELETE", c, nil},
			{"POST", f + "/votes/users", obj{"user_id": dan}},
			{"DELETE", f + "/votes/users/" + w.bob, nil},
		} {
			conforms(t, other.Do(t, r.method, r.path, r.body)).WantError(t, 404, "not_found", fid)
		}
		// A user of the first SaaS is no user of the second.
		other.Do(t, "POST", C+"/feedbacks", obj{"feedback_title": "t", "feedback_description": "", "user_id": w.ann}).WantError(t, 400, "user_not_found", "user_id")
		mine := conforms(t, other.Do(t, "POST", C+"/feedbacks", obj{"feedback_title": "t", "feedback_description": "", "user_id": dan}).Want(t, 201)).JSON(t)["id"].(string)
		other.Do(t, "POST", C+"/feedbacks/"+mine+"/votes/users", obj{"user_id": w.bob}).WantError(t, 400, "user_not_found", "user_id")
		other.Do(t, "DELETE", C+"/feedbacks/"+mine+"/votes/users/"+w.bob, nil).WantError(t, 404, "not_found", w.bob)
		// ... and the first SaaS does not see the second's.
		w.c.Do(t, "GET", C+"/feedbacks/"+mine, nil).WantError(t, 404, "not_found", mine)

		apitest.WantJSONEqual(t, "the first SaaS's feedback afterwards", w.do(t, "GET", "/feedbacks/"+fid, nil, 200).JSON(t), before)
		if list := w.do(t, "GET", "/feedbacks", nil, 200).JSON(t)["feedbacks"].([]any); len(list) != 1 {
			t.Errorf("the first SaaS lists %d feedbacks, want 1", len(list))
		}
	})
}
