package communicationapi_test

import (
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestVotes: users vote (201 with the votes, in vote order); a second vote
// by the same user changes nothing and answers the same 201; taking a vote
// back answers the votes left, also when there was none; only users of
// the SaaS vote; deleting a user takes their votes.
func TestVotes(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		w := newWorld(t, b)
		fid := w.createFeedback(t, "Dark mode", "Please.", w.ann)["id"].(string)
		p := "/feedbacks/" + fid + "/votes/users"

		apitest.WantJSONEqual(t, "bob's vote", w.do(t, "POST", p, obj{"user_id": w.bob}, 201).JSON(t), votes(w.bob))
		apitest.WantJSONEqual(t, "ann's vote", w.do(t, "POST", p, obj{"user_id": w.ann}, 201).JSON(t), votes(w.bob, w.ann))
		apitest.WantJSONEqual(t, "bob's second vote", w.do(t, "POST", p, obj{"user_id": w.bob}, 201).JSON(t), votes(w.bob, w.ann))
		apitest.WantJSONEqual(t, "the feedback", w.do(t, "GET", "/feedbacks/"+fid, nil, 200).JSON(t),
			feedback(fid, "Dark mode", "Please.", w.ann, start, 0, []string{w.bob, w.ann}))

		const stranger = "0b7e3f2a-9c1d-4e5f-8a6b-7c8d9e0f1a2b"
		w.c.Do(t, "POST", C+p, obj{"user_id": stranger}).WantError(t, 400, "user_not_found", "user_id", stranger)
		w.c.Do(t, "DELETE", C+p+"/"+stranger, nil).WantError(t, 404, "not_found", stranger)
		const unknown = "5d6e7f80-91a2-4b3c-8d4e-5f6a7b8c9d0e"
		w.c.Do(t, "POST", C+"/feedbacks/"+unknown+"/votes/users", obj{"user_id": w.bob}).WantError(t, 404, "not_found", unknown)
		w.c.Do(t, "POST", C+"/feedbacks/"+unknown+"/votes/users", obj{"user_id": stranger}).WantError(t, 404, "not_found", unknown)
		w.c.Do(t, "DELETE", C+"/feedbacks/"+unknown+"/votes/users/"+w.bob, nil).WantError(t, 404, "not_found", unknown)

		apitest.WantJSONEqual(t, "bob takes his vote back", w.do(t, "DELETE", p+"/"+w.bob, nil, 200).JSON(t), votes(w.ann))
		apitest.WantJSONEqual(t, "and again", w.do(t, "DELETE", p+"/"+w.bob, nil, 200).JSON(t), votes(w.ann))
		apitest.WantJSONEqual(t, "cy never voted", w.do(t, "DELETE", p+"/"+w.cy, nil, 200).JSON(t), votes(w.ann))
		apitest.WantJSONEqual(t, "bob votes again, last", w.do(t, "POST", p, obj{"user_id": w.bob}, 201).JSON(t), votes(w.ann, w.bob))

		// Deleting a user takes their votes with them.
		w.c.Do(t, "DELETE", A+"/users/"+w.ann, nil).Want(t, 200)
		apitest.WantJSONEqual(t, "after ann's deletion", w.do(t, "GET", "/feedbacks/"+fid, nil, 200).JSON(t),
			feedback(fid, "Dark mode", "Please.", w.ann, start, 0, []string{w.bob}))
		w.c.Do(t, "DELETE", C+p+"/"+w.ann, nil).WantError(t, 404, "not_found", w.ann)
	})
}

// TestDeleteFeedbackCascades: deleting a feedback deletes its comments and
// votes, in the database too, and leaves the other feedback alone.
func TestDeleteFeedbackCascades(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		w := newWorld(t, b)
		fid := w.createFeedback(t, "Dark mode", "Please.", w.ann)["id"].(string)
		keep := w.createFeedback(t, "Export", "CSV.", w.bob)["id"].(string)
		var cids []string
		for _, f := range []string{fid, fid, keep} {
			cids = append(cids, w.do(t, "POST", "/feedbacks/"+f+"/comments", obj{"body": "a comment"}, 201).JSON(t)["id"].(string))
			w.do(t, "POST", "/feedbacks/"+f+"/votes/users", obj{"user_id": w.cy}, 201)
		}
		w.do(t, "POST", "/feedbacks/"+fid+"/votes/users", obj{"user_id": w.bob}, 201)

		w.do(t, "DELETE", "/feedbacks/"+fid, nil, 200)
		w.c.Do(t, "GET", C+"/feedbacks/"+fid+"/comments/"+cids[0], nil).WantError(t, 404, "not_found", fid)
		w.c.Do(t, "POST", C+"/feedbacks/"+fid+"/votes/users", obj{"user_id": w.cy}).WantError(t, 404, "not_found", fid)
		for _, table := range []string{"communication_comments", "communication_votes"} {
			n := -1
			err := b.DB.ReadRows(t.Context(), `SELECT COUNT(*) FROM `+table+` WHERE saas_id = ? AND feedback_id = ?`, []any{w.c.SaaSID, fid},
				func(scan func(...any) error) error { return scan(&n) })
			if err != nil || n != 0 {
				t.Errorf("%s holds %d rows of the deleted feedback (%v)", table, n, err)
			}
		}
		got := w.do(t, "GET", "/feedbacks/"+keep, nil, 200).JSON(t)
		if got["count"] != 1.0 || len(got["comments"].([]any)) != 1 {
			t.Errorf("the other feedback changed: %v", got)
		}
		// The feedback's id is gone for good: a comment or vote cannot
		// bring it back.
		w.c.Do(t, "PATCH", C+"/feedbacks/"+fid+"/status", obj{"status": 1}).WantError(t, 404, "not_found", fid)
	})
}

// TestConcurrentWrites: votes (each user twice), comments and feedback
// sent at the same moment all succeed, each vote counted once, nothing
// lost or doubled.
func TestConcurrentWrites(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		w := newWorld(t, b)
		fid := w.createFeedback(t, "Dark mode", "Please.", w.ann)["id"].(string)
		users := []string{w.ann, w.bob, w.cy, newUser(t, w.c, "dan"), newUser(t, w.c, "eve")}
		var fns []func()
		statuses := make(chan int, 64)
		send := func(method, path string, body any) func() {
			return func() { statuses <- w.c.Do(t, method, C+path, body).Status }
		}
		for _, u := range users {
			fns = append(fns, send("POST", "/feedbacks/"+fid+"/votes/users", obj{"user_id": u}), send("POST", "/feedbacks/"+fid+"/votes/users", obj{"user_id": u}))
			fns = append(fns, send("POST", "/feedbacks/"+fid+"/comments", obj{"body": "me too"}))
			fns = append(fns, send("POST", "/feedbacks", obj{"feedback_title": "t", "feedback_description": "", "user_id": u}))
		}
		apitest.Race(fns...)
		close(statuses)
		for s := range statuses {
			if s != 201 {
				t.Errorf("a concurrent write answered %d", s)
			}
		}
		got := w.do(t, "GET", "/feedbacks/"+fid, nil, 200).JSON(t)
		if got["count"] != float64(len(users)) || len(got["users"].([]any)) != len(users) || len(got["comments"].([]any)) != len(users) {
			t.Errorf("after the race: count %v, %d voters, %d comments; want %d each", got["count"], len(got["users"].([]any)), len(got["comments"].([]any)), len(users))
		}
		if list := w.do(t, "GET", "/feedbacks", nil, 200).JSON(t)["feedbacks"].([]any); len(list) != 1+len(users) {
			t.Errorf("%d feedbacks, want %d", len(list), 1+len(users))
		}
	})
}
