package communication

import (
	"context"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Comment is a comment on a feedback: users discussing it, or the SaaS
// answering. The API records no author.
type Comment struct {
	ID        string
	Body      string
	CreatedAt time.Time
}

// checkBody checks a comment's body: 1 to 10,000 characters, not blank.
func checkBody(fe *errs.FieldErrors, body string) {
	fe.Text("body", body, MaxCommentLen, true)
}

// commentNotFound turns a missing comment into the caller's 404.
func commentNotFound(err error, feedbackID, id string) error {
	if errors.Is(err, errs.ErrNotExist) {
		return errs.NotFound("comment %q of feedback %q not found", id, feedbackID)
	}
	return err
}

// CreateComment adds a comment to a feedback.
func (s *Service) CreateComment(ctx context.Context, saasID, feedbackID, body string) (Comment, error) {
	var fe errs.FieldErrors
	got := ids(&fe, "feedback_id", feedbackID)
	checkBody(&fe, body)
	if err := fe.Err(); err != nil {
		return Comment{}, err
	}
	c := Comment{ID: s.newID(), Body: body, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		if err := feedbackExists(ctx, tx, saasID, got[0]); err != nil {
			return err
		}
		return tx.InsertComment(ctx, saasID, got[0], c)
	})
	if err != nil {
		return Comment{}, err
	}
	return c, nil
}

// GetComment returns one comment of a feedback.
func (s *Service) GetComment(ctx context.Context, saasID, feedbackID, id string) (Comment, error) {
	got, err := checkIDs("feedback_id", feedbackID, "comment_id", id)
	if err != nil {
		return Comment{}, err
	}
	var c Comment
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		if err := feedbackExists(ctx, tx, saasID, got[0]); err != nil {
			return err
		}
		var err error
		c, err = tx.Comment(ctx, saasID, got[0], got[1])
		return commentNotFound(err, got[0], got[1])
	})
	return c, err
}

// UpdateComment replaces a comment's body.
func (s *Service) UpdateComment(ctx context.Context, saasID, feedbackID, id, body string) error {
	var fe errs.FieldErrors
	got := ids(&fe, "feedback_id", feedbackID, "comment_id", id)
	checkBody(&fe, body)
	if err := fe.Err(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		if err := feedbackExists(ctx, tx, saasID, got[0]); err != nil {
			return err
		}
		return commentNotFound(tx.UpdateComment(ctx, saasID, got[0], got[1], body), got[0], got[1])
	})
}

// DeleteComment removes a comment of a feedback.
func (s *Service) DeleteComment(ctx context.Context, saasID, feedbackID, id string) error {
	got, err := checkIDs("feedback_id", feedbackID, "comment_id", id)
	if err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		if err := feedbackExists(ctx, tx, saasID, got[0]); err != nil {
			return err
		}
		return commentNotFound(tx.DeleteComment(ctx, saasID, got[0], got[1]), got[0], got[1])
	})
}
