package communicationapi_test

import (
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestComments: comments are created (201), read, shown in their feedback
// oldest first, updated and deleted; a comment is found only through its
// own feedback.
func TestComments(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		w := newWorld(t, b)
		fid := w.createFeedback(t, "Dark mode", "Please.", w.ann)["id"].(string)
		other := w.createFeedback(t, "Light mode", "Too.", w.bob)["id"].(string)
		p := "/feedbacks/" + fid + "/comments"

		t1 := w.clk.Add(time.Hour)
		c1 := w.do(t, "POST", p, obj{"body": "Planned for June."}, 201).JSON(t)
		id1, _ := c1["id"].(string)
		apitest.WantJSONEqual(t, "the created comment", c1, comment(id1, "Planned for June.", t1))
		t2 := w.clk.Add(time.Minute)
		c2 := w.do(t, "POST", p, obj{"body": "Thanks! 🙏"}, 201).JSON(t)
		id2, _ := c2["id"].(string)
		apitest.WantJSONEqual(t, "the second comment", c2, comment(id2, "Thanks! 🙏", t2))
		if !isLowerUUID(id1) || !isLowerUUID(id2) || id1 == id2 {
			t.Errorf("comment ids %q, %q", id1, id2)
		}

		apitest.WantJSONEqual(t, "get", w.do(t, "GET", p+"/"+id2, nil, 200).JSON(t), c2)
		apitest.WantJSONEqual(t, "the feedback with its comments", w.do(t, "GET", "/feedbacks/"+fid, nil, 200).JSON(t),
			feedback(fid, "Dark mode", "Please.", w.ann, start, 0, nil, c1, c2))
		list := w.do(t, "GET", "/feedbacks", nil, 200).JSON(t)["feedbacks"].([]any)
		if len(list) != 2 {
			t.Fatalf("list %v", list)
		}
		apitest.WantJSONEqual(t, "the list's comments", list[1], feedback(fid, "Dark mode", "Please.", w.ann, start, 0, nil, c1, c2))
		apitest.WantJSONEqual(t, "the other feedback's comments", list[0].(map[string]any)["comments"], []obj{})

		w.do(t, "PATCH", p+"/"+id1, obj{"body": "Planned for July."}, 200)
		apitest.WantJSONEqual(t, "after the update", w.do(t, "GET", p+"/"+id1, nil, 200).JSON(t), comment(id1, "Planned for July.", t1))

		// Through another feedback, a comment does not exist.
		q := "/feedbacks/" + other + "/comments/" + id1
		w.c.Do(t, "GET", C+q, nil).WantError(t, 404, "not_found", id1)
		w.c.Do(t, "PATCH", C+q, obj{"body": "x"}).WantError(t, 404, "not_found", id1)
		w.c.Do(t, "DELETE", C+q, nil).WantError(t, 404, "not_found", id1)
		const unknown = "5d6e7f80-91a2-4b3c-8d4e-5f6a7b8c9d0e"
		w.c.Do(t, "GET", C+p+"/"+unknown, nil).WantError(t, 404, "not_found", unknown)
		w.c.Do(t, "POST", C+"/feedbacks/"+unknown+"/comments", obj{"body": "x"}).WantError(t, 404, "not_found", unknown)
		w.c.Do(t, "GET", C+"/feedbacks/"+unknown+"/comments/"+id1, nil).WantError(t, 404, "not_found", unknown)

		w.do(t, "DELETE", p+"/"+id1, nil, 200)
		w.c.Do(t, "GET", C+p+"/"+id1, nil).WantError(t, 404, "not_found", id1)
		w.c.Do(t, "DELETE", C+p+"/"+id1, nil).WantError(t, 404, "not_found", id1)
		apitest.WantJSONEqual(t, "after the delete", w.do(t, "GET", "/feedbacks/"+fid, nil, 200).JSON(t),
			feedback(fid, "Dark mode", "Please.", w.ann, start, 0, nil, c2))
	})
}
