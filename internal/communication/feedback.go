package communication

import (
	"context"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Status is where a feedback stands, as the SaaS tells its users. The
// values are the ones SaaSus documents for its operation console.
type Status uint64

// The statuses. A new feedback is StatusNew.
const (
	StatusNew         Status = 0 // received, not looked at yet
	StatusConsidering Status = 1 // under consideration
	StatusInProgress  Status = 2 // being implemented
	StatusDone        Status = 3 // implemented
)

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool { return s <= StatusDone }

// Limits of the text fields, in characters (Unicode code points).
const (
	MaxTitleLen       = 255
	MaxDescriptionLen = 10000
	MaxCommentLen     = 10000
)

// Feedback is one user's feedback about the SaaS.
type Feedback struct {
	ID          string
	Title       string
	Description string
	UserID      string // the author
	Status      Status
	CreatedAt   time.Time
	Comments    []Comment // oldest first
	Voters      []string  // user ids, in vote order
}

// Votes returns the feedback's votes.
func (f Feedback) Votes() Votes { return Votes{Users: f.Voters} }

// NewFeedback is a feedback to create.
type NewFeedback struct {
	Title, Description string
	UserID             string
}

// Validate checks every field: a title of 1 to 255 characters that is not
// blank, a description of at most 10,000 (it may be empty), and the
// author's id, a UUID.
func (n NewFeedback) Validate() error {
	var fe errs.FieldErrors
	n.check(&fe)
	return fe.Err()
}

func (n NewFeedback) check(fe *errs.FieldErrors) {
	FeedbackUpdate{Title: n.Title, Description: n.Description}.check(fe)
	ids(fe, "user_id", n.UserID)
}

// FeedbackUpdate replaces a feedback's title and description (both, as on
// creation).
type FeedbackUpdate struct {
	Title, Description string
}

// Validate checks the title and the description as NewFeedback does.
func (u FeedbackUpdate) Validate() error {
	var fe errs.FieldErrors
	u.check(&fe)
	return fe.Err()
}

func (u FeedbackUpdate) check(fe *errs.FieldErrors) {
	fe.Text("feedback_title", u.Title, MaxTitleLen, true)
	fe.Text("feedback_description", u.Description, MaxDescriptionLen, false)
}

// ListFeedbacks returns every feedback of the SaaS, newest first, with
// their comments and voters.
func (s *Service) ListFeedbacks(ctx context.Context, saasID string) ([]Feedback, error) {
	var out []Feedback
	err := s.store.ReadTx(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Feedbacks(ctx, saasID)
		return err
	})
	return out, err
}

// GetFeedback returns one feedback with its comments and voters.
func (s *Service) GetFeedback(ctx context.Context, saasID, id string) (Feedback, error) {
	got, err := checkIDs("feedback_id", id)
	if err != nil {
		return Feedback{}, err
	}
	var f Feedback
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		var err error
		f, err = tx.Feedback(ctx, saasID, got[0])
		return feedbackNotFound(err, got[0])
	})
	return f, err
}

// CreateFeedback stores a new feedback, StatusNew, without votes or
// comments. Its author must be a user of the SaaS (400 user_not_found).
func (s *Service) CreateFeedback(ctx context.Context, saasID string, in NewFeedback) (Feedback, error) {
	if err := in.Validate(); err != nil {
		return Feedback{}, err
	}
	in.UserID = strings.ToLower(in.UserID)
	if err := s.user(ctx, saasID, "user_id", in.UserID, false); err != nil {
		return Feedback{}, err
	}
	f := Feedback{ID: s.newID(), Title: in.Title, Description: in.Description, UserID: in.UserID, Status: StatusNew,
		CreatedAt: s.now().UTC().Truncate(time.Microsecond), Comments: []Comment{}, Voters: []string{}}
	err := s.store.WriteTx(ctx, func(tx Tx) error { return tx.InsertFeedback(ctx, saasID, f) })
	if err != nil {
		return Feedback{}, err
	}
	return f, nil
}

// UpdateFeedback replaces a feedback's title and description.
func (s *Service) UpdateFeedback(ctx context.Context, saasID, id string, u FeedbackUpdate) error {
	var fe errs.FieldErrors
	got := ids(&fe, "feedback_id", id)
	u.check(&fe)
	if err := fe.Err(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		return feedbackNotFound(tx.UpdateFeedback(ctx, saasID, got[0], u), got[0])
	})
}

// UpdateFeedbackStatus sets a feedback's status: any of the four, in any
// order (a status can go back).
func (s *Service) UpdateFeedbackStatus(ctx context.Context, saasID, id string, st Status) error {
	var fe errs.FieldErrors
	got := ids(&fe, "feedback_id", id)
	if !st.Valid() {
		fe.Add("status", "must be 0 (new), 1 (under consideration), 2 (in progress) or 3 (done), got %d", uint64(st))
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		return feedbackNotFound(tx.SetFeedbackStatus(ctx, saasID, got[0], st), got[0])
	})
}

// DeleteFeedback removes a feedback with its comments and votes.
func (s *Service) DeleteFeedback(ctx context.Context, saasID, id string) error {
	got, err := checkIDs("feedback_id", id)
	if err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		return feedbackNotFound(tx.DeleteFeedback(ctx, saasID, got[0]), got[0])
	})
}
