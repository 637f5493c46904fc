package communication

import (
	"context"
	"time"

	"github.com/saasplane/saasplane/internal/identity"
)

// Store gives the service transactions.
type Store interface {
	ReadTx(ctx context.Context, fn func(Tx) error) error
	WriteTx(ctx context.Context, fn func(Tx) error) error
}

// Tx reads and writes feedback, comments and votes. Every method is scoped
// to one SaaS. A missing feedback or comment is errs.ErrNotExist.
type Tx interface {
	// Feedbacks returns every feedback of the SaaS, newest first, each
	// with its comments and voters (three queries, whatever the count).
	Feedbacks(ctx context.Context, saasID string) ([]Feedback, error)
	// Feedback returns one feedback with its comments and voters.
	Feedback(ctx context.Context, saasID, id string) (Feedback, error)
	// FeedbackExists reports whether the SaaS has the feedback.
	FeedbackExists(ctx context.Context, saasID, id string) (bool, error)
	// InsertFeedback stores a new feedback (its comments and voters are
	// ignored).
	InsertFeedback(ctx context.Context, saasID string, f Feedback) error
	// UpdateFeedback replaces a feedback's title and description.
	UpdateFeedback(ctx context.Context, saasID, id string, u FeedbackUpdate) error
	// SetFeedbackStatus replaces a feedback's status.
	SetFeedbackStatus(ctx context.Context, saasID, id string, s Status) error
	// DeleteFeedback removes a feedback with its comments and votes.
	DeleteFeedback(ctx context.Context, saasID, id string) error

	// Comment returns one comment of a feedback: a comment of another
	// feedback is errs.ErrNotExist.
	Comment(ctx context.Context, saasID, feedbackID, id string) (Comment, error)
	// InsertComment adds a comment to a feedback, after its others.
	InsertComment(ctx context.Context, saasID, feedbackID string, c Comment) error
	// UpdateComment replaces a comment's body.
	UpdateComment(ctx context.Context, saasID, feedbackID, id, body string) error
	// DeleteComment removes one comment of a feedback.
	DeleteComment(ctx context.Context, saasID, feedbackID, id string) error

	// InsertVote records a user's vote for a feedback, after the others;
	// a vote the user has cast already is left as it is.
	InsertVote(ctx context.Context, saasID, feedbackID, userID string, at time.Time) error
	// DeleteVote removes a user's vote for a feedback, if there is one.
	DeleteVote(ctx context.Context, saasID, feedbackID, userID string) error
	// Voters returns the users who voted for a feedback, in vote order.
	Voters(ctx context.Context, saasID, feedbackID string) ([]string, error)
}

// Users is the port to the SaaS's users (internal/identity's Service):
// the author of a feedback and every voter must be one of them.
type Users interface {
	// User returns one user of the SaaS, or an error of kind
	// errs.KindNotFound when the SaaS has no such user.
	User(ctx context.Context, saasID, id string) (identity.User, error)
}
