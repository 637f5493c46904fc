package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/saasplane/saasplane/internal/communication"
	"github.com/saasplane/saasplane/internal/errs"
)

// communicationStore adapts DB to communication.Store; its transactions
// wrap Tx so that the feedback methods' names never clash with the other
// domains'.
type communicationStore struct{ db *DB }

type communicationTx struct{ t *Tx }

// Communication returns the Communication API's view of the database.
func (db *DB) Communication() communication.Store { return communicationStore{db} }

var (
	_ communication.Store = communicationStore{}
	_ communication.Tx    = communicationTx{}
)

func (s communicationStore) ReadTx(ctx context.Context, fn func(communication.Tx) error) error {
	return s.db.Read(ctx, func(tx *Tx) error { return fn(communicationTx{tx}) })
}

func (s communicationStore) WriteTx(ctx context.Context, fn func(communication.Tx) error) error {
	return s.db.Write(ctx, func(tx *Tx) error { return fn(communicationTx{tx}) })
}

func (x communicationTx) Feedbacks(ctx context.Context, saasID string) ([]communication.Feedback, error) {
	return x.feedbacks(ctx, saasID, "")
}

func (x communicationTx) Feedback(ctx context.Context, saasID, id string) (communication.Feedback, error) {
	fs, err := x.feedbacks(ctx, saasID, id)
	if err != nil {
		return communication.Feedback{}, err
	}
	if len(fs) == 0 {
		return communication.Feedback{}, errs.ErrNotExist
	}
	return fs[0], nil
}

// feedbacks reads the SaaS's feedback, newest first (only the one with id
// when id is not ""), with their comments and voters: one query for the
// feedback, one for all of their comments and one for all of their votes.
func (x communicationTx) feedbacks(ctx context.Context, saasID, id string) ([]communication.Feedback, error) {
	where, args := ` WHERE saas_id = ?`, []any{saasID}
	if id != "" {
		where, args = where+` AND feedback_id = ?`, append(args, id)
	}
	q := `SELECT id, title, description, user_id, status, created_at FROM communication_feedbacks WHERE saas_id = ?`
	if id != "" {
		q += ` AND id = ?`
	}
	rows, err := x.t.query(ctx, q+` ORDER BY seq DESC`, args...)
	out, err := scanRows(rows, err, func(r rowScanner) (communication.Feedback, error) {
		var f communication.Feedback
		var status, created int64
		err := r.Scan(&f.ID, &f.Title, &f.Description, &f.UserID, &status, &created)
		f.Status, f.CreatedAt = communication.Status(status), fromMicros(created)
		f.Comments, f.Voters = []communication.Comment{}, []string{}
		return f, err
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	byID := make(map[string]*communication.Feedback, len(out))
	for i := range out {
		byID[out[i].ID] = &out[i]
	}
	rows, err = x.t.query(ctx, `SELECT feedback_id, id, body, created_at FROM communication_comments`+where+` ORDER BY feedback_id, seq`, args...)
	if err := eachRow(rows, err, func(r rowScanner) error {
		var fid string
		var c communication.Comment
		var created int64
		if err := r.Scan(&fid, &c.ID, &c.Body, &created); err != nil {
			return err
		}
		c.CreatedAt = fromMicros(created)
		if f := byID[fid]; f != nil {
			f.Comments = append(f.Comments, c)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	rows, err = x.t.query(ctx, `SELECT feedback_id, user_id FROM communication_votes`+where+` ORDER BY feedback_id, seq`, args...)
	if err := eachRow(rows, err, func(r rowScanner) error {
		var fid, user string
		if err := r.Scan(&fid, &user); err != nil {
			return err
		}
		if f := byID[fid]; f != nil {
			f.Voters = append(f.Voters, user)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// eachRow calls fn with every row and closes rows.
func eachRow(rows *sql.Rows, err error, fn func(rowScanner) error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (x communicationTx) FeedbackExists(ctx context.Context, saasID, id string) (bool, error) {
	return x.t.exists(ctx, `SELECT 1 FROM communication_feedbacks WHERE saas_id = ? AND id = ?`, saasID, id)
}

func (x communicationTx) InsertFeedback(ctx context.Context, saasID string, f communication.Feedback) error {
	_, err := x.t.exec(ctx, `INSERT INTO communication_feedbacks (saas_id, id, title, description, user_id, status, created_at, seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM communication_feedbacks WHERE saas_id = ?))`,
		saasID, f.ID, f.Title, f.Description, f.UserID, int64(f.Status), micros(f.CreatedAt), saasID)
	return err
}

func (x communicationTx) UpdateFeedback(ctx context.Context, saasID, id string, u communication.FeedbackUpdate) error {
	return affected(x.t.exec(ctx, `UPDATE communication_feedbacks SET title = ?, description = ? WHERE saas_id = ? AND id = ?`,
		u.Title, u.Description, saasID, id))
}

func (x communicationTx) SetFeedbackStatus(ctx context.Context, saasID, id string, s communication.Status) error {
	return affected(x.t.exec(ctx, `UPDATE communication_feedbacks SET status = ? WHERE saas_id = ? AND id = ?`, int64(s), saasID, id))
}

func (x communicationTx) DeleteFeedback(ctx context.Context, saasID, id string) error {
	for _, q := range []string{
		`DELETE FROM communication_votes WHERE saas_id = ? AND feedback_id = ?`,
		`DELETE FROM communication_comments WHERE saas_id = ? AND feedback_id = ?`,
	} {
		if _, err := x.t.exec(ctx, q, saasID, id); err != nil {
			return err
		}
	}
	return affected(x.t.exec(ctx, `DELETE FROM communication_feedbacks WHERE saas_id = ? AND id = ?`, saasID, id))
}

func (x communicationTx) Comment(ctx context.Context, saasID, feedbackID, id string) (communication.Comment, error) {
	c := communication.Comment{ID: id}
	var created int64
	err := x.t.queryRow(ctx, `SELECT body, created_at FROM communication_comments WHERE saas_id = ? AND feedback_id = ? AND id = ?`,
		saasID, feedbackID, id).Scan(&c.Body, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return communication.Comment{}, errs.ErrNotExist
	}
	c.CreatedAt = fromMicros(created)
	return c, err
}

func (x communicationTx) InsertComment(ctx context.Context, saasID, feedbackID string, c communication.Comment) error {
	_, err := x.t.exec(ctx, `INSERT INTO communication_comments (saas_id, feedback_id, id, body, created_at, seq)
		VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM communication_comments WHERE saas_id = ? AND feedback_id = ?))`,
		saasID, feedbackID, c.ID, c.Body, micros(c.CreatedAt), saasID, feedbackID)
	return err
}

func (x communicationTx) UpdateComment(ctx context.Context, saasID, feedbackID, id, body string) error {
	return affected(x.t.exec(ctx, `UPDATE communication_comments SET body = ? WHERE saas_id = ? AND feedback_id = ? AND id = ?`,
		body, saasID, feedbackID, id))
}

func (x communicationTx) DeleteComment(ctx context.Context, saasID, feedbackID, id string) error {
	return affected(x.t.exec(ctx, `DELETE FROM communication_comments WHERE saas_id = ? AND feedback_id = ? AND id = ?`, saasID, feedbackID, id))
}

func (x communicationTx) InsertVote(ctx context.Context, saasID, feedbackID, userID string, at time.Time) error {
	_, err := x.t.exec(ctx, `INSERT INTO communication_votes (saas_id, feedback_id, user_id, created_at, seq)
		VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM communication_votes WHERE saas_id = ? AND feedback_id = ?))
		ON CONFLICT (saas_id, feedback_id, user_id) DO NOTHING`,
		saasID, feedbackID, userID, micros(at), saasID, feedbackID)
	return err
}

func (x communicationTx) DeleteVote(ctx context.Context, saasID, feedbackID, userID string) error {
	_, err := x.t.exec(ctx, `DELETE FROM communication_votes WHERE saas_id = ? AND feedback_id = ? AND user_id = ?`, saasID, feedbackID, userID)
	return err
}

func (x communicationTx) Voters(ctx context.Context, saasID, feedbackID string) ([]string, error) {
	return queryStrings(ctx, x.t, `SELECT user_id FROM communication_votes WHERE saas_id = ? AND feedback_id = ? ORDER BY seq`, saasID, feedbackID)
}
