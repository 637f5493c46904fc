package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/communication"
	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/identity"
	"github.com/saasplane/saasplane/internal/store"
)

// testCommunication: the list reads every feedback newest first, each with
// its own comments (oldest first) and voters (in vote order); a second vote
// by a user is one vote; deleting a feedback takes its comments and votes,
// deleting a user takes the user's votes and leaves the feedback they
// wrote; every row is the SaaS's own.
func testCommunication(t *testing.T, db *store.DB) {
	ctx := t.Context()
	st := db.Communication()
	a, b := newSaaS(t, db), newSaaS(t, db)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	w := func(fn func(communication.Tx) error) { t.Helper(); must(st.WriteTx(ctx, fn)) }
	now := time.Now().UTC().Truncate(time.Microsecond)
	newUser := func(saasID string) string {
		t.Helper()
		u := identity.User{ID: id("user"), SignInID: id("u"), Attributes: map[string]any{}, CreatedAt: now}
		must(db.Identity().WriteTx(ctx, func(tx identity.Tx) error { return tx.InsertUser(ctx, saasID, u, identity.Password{Hash: "hash"}) }))
		return u.ID
	}
	ann, bob, cy := newUser(a), newUser(a), newUser(b)
	fb := func(saasID, title, author string) communication.Feedback {
		return communication.Feedback{ID: id("fb"), Title: title, Description: "about " + title, UserID: author,
			Status: communication.StatusNew, CreatedAt: now}
	}
	f1, f2, f3 := fb(a, "first", ann), fb(a, "second", bob), fb(b, "other", cy)
	c := func(body string, at time.Duration) communication.Comment {
		return communication.Comment{ID: id("c"), Body: body, CreatedAt: now.Add(at)}
	}
	c1, c2, c3 := c("one", 0), c("two", time.Second), c("three", 0)
	w(func(tx communication.Tx) error {
		for _, x := range []struct {
			saas string
			f    communication.Feedback
		}{{a, f1}, {a, f2}, {b, f3}} {
			if err := tx.InsertFeedback(ctx, x.saas, x.f); err != nil {
				return err
			}
		}
		for _, x := range []struct {
			f string
			c communication.Comment
		}{{f1.ID, c2}, {f2.ID, c3}, {f1.ID, c1}} { // c2 first: order is insertion, not time
			if err := tx.InsertComment(ctx, a, x.f, x.c); err != nil {
				return err
			}
		}
		for _, v := range [][2]string{{f1.ID, bob}, {f1.ID, ann}, {f1.ID, bob}, {f2.ID, ann}} {
			if err := tx.InsertVote(ctx, a, v[0], v[1], now); err != nil {
				return err
			}
		}
		return tx.InsertVote(ctx, b, f3.ID, cy, now)
	})
	list := func(saasID string) (out []communication.Feedback) {
		t.Helper()
		must(st.ReadTx(ctx, func(tx communication.Tx) (err error) {
			out, err = tx.Feedbacks(ctx, saasID)
			return err
		}))
		return out
	}
	got := list(a)
	if len(got) != 2 || got[0].ID != f2.ID || got[1].ID != f1.ID {
		t.Fatalf("SaaS a lists %v, want the second then the first", got)
	}
	first := got[1]
	if first.Title != "first" || first.Description != "about first" || first.UserID != ann || !first.CreatedAt.Equal(now) || first.Status != communication.StatusNew {
		t.Errorf("first feedback = %+v", first)
	}
	if !slices.Equal(first.Voters, []string{bob, ann}) || !slices.Equal(got[0].Voters, []string{ann}) {
		t.Errorf("voters %v and %v, want [bob ann] and [ann]", first.Voters, got[0].Voters)
	}
	if len(first.Comments) != 2 || first.Comments[0] != c2 || first.Comments[1] != c1 || len(got[0].Comments) != 1 || got[0].Comments[0] != c3 {
		t.Errorf("comments %v and %v", first.Comments, got[0].Comments)
	}
	if other := list(b); len(other) != 1 || other[0].ID != f3.ID || !slices.Equal(other[0].Voters, []string{cy}) || len(other[0].Comments) != 0 {
		t.Errorf("SaaS b lists %v", other)
	}

	// Scoping: a's ids are not b's.
	must(st.ReadTx(ctx, func(tx communication.Tx) error {
		if _, err := tx.Feedback(ctx, b, f1.ID); !errors.Is(err, errs.ErrNotExist) {
			t.Errorf("b reads a's feedback: %v", err)
		}
		if ok, err := tx.FeedbackExists(ctx, b, f1.ID); ok || err != nil {
			t.Errorf("FeedbackExists(b, a's) = %v, %v", ok, err)
		}
		if _, err := tx.Comment(ctx, a, f2.ID, c1.ID); !errors.Is(err, errs.ErrNotExist) {
			t.Errorf("a comment read through another feedback: %v", err)
		}
		return nil
	}))
	w(func(tx communication.Tx) error {
		for _, err := range []error{
			tx.UpdateFeedback(ctx, b, f1.ID, communication.FeedbackUpdate{Title: "x"}),
			tx.SetFeedbackStatus(ctx, b, f1.ID, communication.StatusDone),
			tx.DeleteFeedback(ctx, b, f1.ID),
			tx.UpdateComment(ctx, a, f2.ID, c1.ID, "x"),
			tx.DeleteComment(ctx, b, f1.ID, c1.ID),
		} {
			if !errors.Is(err, errs.ErrNotExist) {
				t.Errorf("a write across SaaSes or feedbacks: %v, want ErrNotExist", err)
			}
		}
		return nil
	})

	// Deleting a user takes their votes, not what they wrote.
	must(db.Identity().WriteTx(ctx, func(tx identity.Tx) error { return tx.DeleteUser(ctx, a, ann) }))
	got = list(a)
	if !slices.Equal(got[1].Voters, []string{bob}) || len(got[0].Voters) != 0 || got[1].UserID != ann {
		t.Errorf("after deleting ann: %v", got)
	}

	// Deleting a feedback takes its comments and votes, and nothing else.
	w(func(tx communication.Tx) error { return tx.DeleteFeedback(ctx, a, f1.ID) })
	if got = list(a); len(got) != 1 || got[0].ID != f2.ID || len(got[0].Comments) != 1 {
		t.Errorf("after deleting the first: %v", got)
	}
	for _, table := range []string{"communication_comments", "communication_votes"} {
		n := 0
		must(db.ReadRows(ctx, `SELECT COUNT(*) FROM `+table+` WHERE saas_id = ? AND feedback_id = ?`, []any{a, f1.ID},
			func(scan func(...any) error) error { return scan(&n) }))
		if n != 0 {
			t.Errorf("%d rows of %s left for the deleted feedback", n, table)
		}
	}
	if other := list(b); len(other) != 1 || len(other[0].Voters) != 1 {
		t.Errorf("SaaS b changed: %v", other)
	}
}
