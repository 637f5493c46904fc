package communication

import (
	"context"
	"time"
)

// Votes are the votes for one feedback: the users who voted, in vote
// order. Each user counts once.
type Votes struct {
	Users []string
}

// Count is the number of votes.
func (v Votes) Count() int { return len(v.Users) }

// CreateVote records a user's vote for a feedback and returns its votes.
// The user must be a user of the SaaS (400 user_not_found). Voting again
// is not an error and changes nothing: a user counts once.
func (s *Service) CreateVote(ctx context.Context, saasID, feedbackID, userID string) (Votes, error) {
	got, err := checkIDs("feedback_id", feedbackID, "user_id", userID)
	if err != nil {
		return Votes{}, err
	}
	feedbackID, userID = got[0], got[1]
	// The feedback is looked for first, so that an unknown one is 404
	// whoever votes.
	err = s.store.ReadTx(ctx, func(tx Tx) error { return feedbackExists(ctx, tx, saasID, feedbackID) })
	if err != nil {
		return Votes{}, err
	}
	if err := s.user(ctx, saasID, "user_id", userID, false); err != nil {
		return Votes{}, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	var v Votes
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		if err := feedbackExists(ctx, tx, saasID, feedbackID); err != nil {
			return err
		}
		if err := tx.InsertVote(ctx, saasID, feedbackID, userID, now); err != nil {
			return err
		}
		var err error
		v.Users, err = tx.Voters(ctx, saasID, feedbackID)
		return err
	})
	if err != nil {
		return Votes{}, err
	}
	return v, nil
}

// DeleteVote takes a user's vote for a feedback back and returns its
// votes. A user who has not voted (any more) gets the votes unchanged, so
// that a retried call succeeds; a user the SaaS does not have is 404.
func (s *Service) DeleteVote(ctx context.Context, saasID, feedbackID, userID string) (Votes, error) {
	got, err := checkIDs("feedback_id", feedbackID, "user_id", userID)
	if err != nil {
		return Votes{}, err
	}
	feedbackID, userID = got[0], got[1]
	err = s.store.ReadTx(ctx, func(tx Tx) error { return feedbackExists(ctx, tx, saasID, feedbackID) })
	if err != nil {
		return Votes{}, err
	}
	if err := s.user(ctx, saasID, "user_id", userID, true); err != nil {
		return Votes{}, err
	}
	var v Votes
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		if err := feedbackExists(ctx, tx, saasID, feedbackID); err != nil {
			return err
		}
		if err := tx.DeleteVote(ctx, saasID, feedbackID, userID); err != nil {
			return err
		}
		var err error
		v.Users, err = tx.Voters(ctx, saasID, feedbackID)
		return err
	})
	if err != nil {
		return Votes{}, err
	}
	return v, nil
}
