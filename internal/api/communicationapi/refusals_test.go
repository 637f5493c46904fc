package communicationapi_test

import (
	"strings"
	"testing"

	"github.com/saasplane/saasplane/internal/api/apitest"
)

// TestRefusals: bad input is 400 invalid_request in the SaaSus error body,
// naming every field at fault, and changes nothing.
func TestRefusals(t *testing.T) {
	apitest.ForEachBackend(t, func(t *testing.T, b apitest.Backend) {
		t.Parallel()
		w := newWorld(t, b)
		fid := w.createFeedback(t, "Dark mode", "Please.", w.ann)["id"].(string)
		cid := w.do(t, "POST", "/feedbacks/"+fid+"/comments", obj{"body": "Soon."}, 201).JSON(t)["id"].(string)
		before := w.do(t, "GET", "/feedbacks", nil, 200).JSON(t)

		f, c, v := "/feedbacks/"+fid, "/feedbacks/"+fid+"/comments", "/feedbacks/"+fid+"/votes/users"
		good := func(kv ...any) obj {
			return apitest.With(obj{"feedback_title": "t", "feedback_description": "d", "user_id": w.bob}, kv...)
		}
		title256, text10001 := strings.Repeat("é", 256), strings.Repeat("x", 10001)
		for _, tc := range []struct {
			name, method, path string
			body               any
			fields             []string
		}{
			{"no body", "POST", "/feedbacks", nil, nil},
			{"an empty body", "POST", "/feedbacks", "", nil},
			{"malformed JSON", "POST", "/feedbacks", `{"feedback_title":`, nil},
			{"an array", "POST", "/feedbacks", `[]`, nil},
			{"missing title", "POST", "/feedbacks", good("feedback_title", nil), []string{"feedback_title"}},
			{"missing description", "POST", "/feedbacks", good("feedback_description", nil), []string{"feedback_description"}},
			{"missing user", "POST", "/feedbacks", good("user_id", nil), []string{"user_id"}},
			{"everything missing", "POST", "/feedbacks", obj{}, []string{"feedback_title", "feedback_description", "user_id"}},
			{"blank title", "POST", "/feedbacks", good("feedback_title", "  "), []string{"feedback_title"}},
			{"title too long", "POST", "/feedbacks", good("feedback_title", title256), []string{"feedback_title", "255"}},
			{"description too long", "POST", "/feedbacks", good("feedback_description", text10001), []string{"feedback_description", "10000"}},
			{"NUL in the title", "POST", "/feedbacks", good("feedback_title", "a\x00b"), []string{"feedback_title"}},
			{"a number for a title", "POST", "/feedbacks", good("feedback_title", 5), []string{"feedback_title"}},
			{"null description", "POST", "/feedbacks", `{"feedback_title":"t","feedback_description":null,"user_id":"` + w.bob + `"}`, []string{"feedback_description"}},
			{"a number for a user", "POST", "/feedbacks", good("user_id", 7), []string{"user_id"}},
			{"a user id that is no UUID", "POST", "/feedbacks", good("user_id", "ann"), []string{"user_id", "UUID"}},
			{"an unknown field", "POST", "/feedbacks", good("extra", 1), []string{"extra"}},
			{"a field in the wrong case", "POST", "/feedbacks", good("Feedback_Title", "t"), []string{"Feedback_Title"}},

			{"update without description", "PATCH", f, obj{"feedback_title": "t"}, []string{"feedback_description"}},
			{"update with a blank title", "PATCH", f, obj{"feedback_title": "", "feedback_description": ""}, []string{"feedback_title"}},
			{"update with the author", "PATCH", f, obj{"feedback_title": "t", "feedback_description": "", "user_id": w.bob}, []string{"user_id"}},
			{"update of a non-UUID id", "PATCH", "/feedbacks/nope", obj{"feedback_title": "t", "feedback_description": ""}, []string{"feedback_id"}},

			{"status 4", "PATCH", f + "/status", obj{"status": 4}, []string{"status"}},
			{"status -1", "PATCH", f + "/status", obj{"status": -1}, []string{"status"}},
			{"status 1.5", "PATCH", f + "/status", obj{"status": 1.5}, []string{"status"}},
			{"status as a string", "PATCH", f + "/status", obj{"status": "1"}, []string{"status"}},
			{"status huge", "PATCH", f + "/status", `{"status": 18446744073709551616}`, []string{"status"}},
			{"no status", "PATCH", f + "/status", obj{}, []string{"status"}},
			{"status and more", "PATCH", f + "/status", obj{"status": 1, "reason": "x"}, []string{"reason"}},

			{"comment without body", "POST", c, obj{}, []string{"body"}},
			{"a blank comment", "POST", c, obj{"body": " \n"}, []string{"body"}},
			{"a comment too long", "POST", c, obj{"body": text10001}, []string{"body", "10000"}},
			{"a comment as a number", "POST", c, obj{"body": 1}, []string{"body"}},
			{"a comment with more", "POST", c, obj{"body": "x", "author": "ann"}, []string{"author"}},
			{"a comment update too long", "PATCH", c + "/" + cid, obj{"body": text10001}, []string{"body"}},
			{"a comment of a non-UUID feedback", "POST", "/feedbacks/1/comments", obj{"body": "x"}, []string{"feedback_id"}},
			{"a non-UUID comment", "GET", c + "/1", nil, []string{"comment_id"}},
			{"two non-UUID ids", "DELETE", "/feedbacks/x/comments/y", nil, []string{"feedback_id", "comment_id"}},

			{"a vote without user", "POST", v, obj{}, []string{"user_id"}},
			{"a vote of a non-UUID user", "POST", v, obj{"user_id": "bob"}, []string{"user_id"}},
			{"a vote with more", "POST", v, obj{"user_id": w.bob, "weight": 2}, []string{"weight"}},
			{"an unvote of a non-UUID user", "DELETE", v + "/bob", nil, []string{"user_id"}},
			{"a non-UUID feedback", "GET", "/feedbacks/" + fid + "x", nil, []string{"feedback_id"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := conforms(t, w.c.Do(t, tc.method, C+tc.path, tc.body))
				r.WantError(t, 400, "invalid_request", tc.fields...)
			})
		}
		apitest.WantJSONEqual(t, "the feedback after the refusals", w.do(t, "GET", "/feedbacks", nil, 200).JSON(t), before)
	})
}
