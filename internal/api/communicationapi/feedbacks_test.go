package communicationapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestFeedbackLifecycle: a feedback is created (201, status 0, no votes,
// no comments), read, listed newest first, updated, given every status
// and deleted, every answer exactly as documented.
func TestFeedbackLifecycle(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		w := newWorld(t, b)
		apitest.WantJSONEqual(t, "an empty list", w.do(t, "GET", "/feedbacks", nil, 200).JSON(t), obj{"feedbacks": []obj{}})

		first := w.createFeedback(t, "Dark mode", "Please add a dark theme.", w.ann)
		id1, _ := first["id"].(string)
		apitest.WantJSONEqual(t, "the created feedback", first, feedback(id1, "Dark mode", "Please add a dark theme.", w.ann, start, 0, nil))
		t2 := w.clk.Add(time.Minute)
		// An empty description is allowed; the title may be 255
		// characters of any script.
		long := strings.Repeat("é", 255)
		second := w.createFeedback(t, long, "", w.bob)
		id2, _ := second["id"].(string)
		apitest.WantJSONEqual(t, "the second feedback", second, feedback(id2, long, "", w.bob, t2, 0, nil))
		if id1 == id2 || !isLowerUUID(id1) || !isLowerUUID(id2) {
			t.Errorf("ids %q and %q: want two lower-case UUIDs", id1, id2)
		}

		apitest.WantJSONEqual(t, "get", w.do(t, "GET", "/feedbacks/"+id1, nil, 200).JSON(t), first)
		// An id in upper case names the same feedback.
		apitest.WantJSONEqual(t, "get in upper case", w.do(t, "GET", "/feedbacks/"+strings.ToUpper(id1), nil, 200).JSON(t), first)
		apitest.WantJSONEqual(t, "the list, newest first", w.do(t, "GET", "/feedbacks", nil, 200).JSON(t),
			obj{"feedbacks": []obj{second, first}})

		// Feedback created within one second keeps its creation order.
		third := w.createFeedback(t, "Export", "CSV export", w.cy)
		fourth := w.createFeedback(t, "Import", "CSV import", w.cy)
		list := w.do(t, "GET", "/feedbacks", nil, 200).JSON(t)["feedbacks"].([]any)
		if got := idsOf(list); len(got) != 4 || got[0] != fourth["id"] || got[1] != third["id"] || got[2] != id2 || got[3] != id1 {
			t.Errorf("list order %v, want newest first", got)
		}

		w.do(t, "PATCH", "/feedbacks/"+id1, obj{"feedback_title": "Dark mode, please", "feedback_description": "A dark theme for the night."}, 200)
		want := feedback(id1, "Dark mode, please", "A dark theme for the night.", w.ann, start, 0, nil)
		apitest.WantJSONEqual(t, "after the update", w.do(t, "GET", "/feedbacks/"+id1, nil, 200).JSON(t), want)

		// Every status, forwards and back.
		for _, st := range []int{1, 2, 3, 0, 3} {
			r := w.do(t, "PATCH", "/feedbacks/"+id1+"/status", obj{"status": st}, 200)
			if len(r.Body) != 0 {
				t.Errorf("status update answered a body: %s", r.Body)
			}
			want["status"] = st
			apitest.WantJSONEqual(t, "after the status update", w.do(t, "GET", "/feedbacks/"+id1, nil, 200).JSON(t), want)
		}

		w.do(t, "DELETE", "/feedbacks/"+id2, nil, 200)
		w.c.Do(t, "GET", C+"/feedbacks/"+id2, nil).WantError(t, 404, "not_found", id2)
		w.c.Do(t, "DELETE", C+"/feedbacks/"+id2, nil).WantError(t, 404, "not_found", id2)
		list = w.do(t, "GET", "/feedbacks", nil, 200).JSON(t)["feedbacks"].([]any)
		if got := idsOf(list); len(got) != 3 || got[2] != id1 {
			t.Errorf("after the delete the list is %v", got)
		}
	})
}

// TestFeedbackAuthor: the author must be a user of the SaaS; a feedback
// outlives its author's deletion, keeping their id.
func TestFeedbackAuthor(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		w := newWorld(t, b)
		const stranger = "0b7e3f2a-9c1d-4e5f-8a6b-7c8d9e0f1a2b"
		w.c.Do(t, "POST", C+"/feedbacks", obj{"feedback_title": "t", "feedback_description": "d", "user_id": stranger}).
			WantError(t, 400, "user_not_found", "user_id", stranger)
		f := w.createFeedback(t, "Bulk edit", "", w.bob)
		w.do(t, "POST", "/feedbacks/"+f["id"].(string)+"/votes/users", obj{"user_id": w.bob}, 201)
		w.c.Do(t, "DELETE", A+"/users/"+w.bob, nil).Want(t, 200)
		apitest.WantJSONEqual(t, "the feedback of a deleted user", w.do(t, "GET", "/feedbacks/"+f["id"].(string), nil, 200).JSON(t),
			feedback(f["id"].(string), "Bulk edit", "", w.bob, start, 0, nil))
		w.c.Do(t, "POST", C+"/feedbacks", obj{"feedback_title": "t", "feedback_description": "d", "user_id": w.bob}).
			WantError(t, 400, "user_not_found", "user_id")
	})
}

// TestInternalServerError: the test route always answers 500 in the SaaSus
// error body.
func TestInternalServerError(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		w := newWorld(t, b)
		r := w.do(t, "GET", "/errors/internal-server-error", nil, 500)
		if typ, msg := r.Error(); typ != "internal_server_error" || msg == "" {
			t.Errorf("error body %s", r.Body)
		}
	})
}

func idsOf(list []any) []any {
	out := make([]any, len(list))
	for i, f := range list {
		out[i] = f.(map[string]any)["id"]
	}
	return out
}

func isLowerUUID(s string) bool {
	if len(s) != 36 || strings.ToLower(s) != s {
		return false
	}
	for i, c := range s {
		dash := i == 8 || i == 13 || i == 18 || i == 23
		if dash != (c == '-') || !dash && !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}
