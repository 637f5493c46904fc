package communication

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Service serves the Communication API's operations.
type Service struct {
	store Store
	users Users
	now   func() time.Time
	newID func() string
	log   *slog.Logger
}

// NewService builds a Service: now is the clock of every created_at,
// newID makes the ids of feedback and comments (UUIDs), users tells which
// users the SaaS has.
func NewService(store Store, users Users, now func() time.Time, newID func() string, log *slog.Logger) *Service {
	return &Service{store: store, users: users, now: now, newID: newID, log: log}
}

// IsUUID reports whether s is a UUID in its canonical text form
// (8-4-4-4-12 hexadecimal digits, either case), as every id of this API is.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}

// ids checks the ids of a request (each a field name and its value) and
// returns them in lower case, the form in which ids are stored and
// answered; every malformed one is named in the error.
func ids(fe *errs.FieldErrors, pairs ...string) []string {
	out := make([]string, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		name, v := pairs[i], pairs[i+1]
		switch {
		case v == "":
			fe.Add(name, "is required")
		case !IsUUID(v):
			fe.Add(name, "must be a UUID (like 3f2c6a4e-1b7d-4c2a-9e5f-0a1b2c3d4e5f)")
		}
		out = append(out, strings.ToLower(v))
	}
	return out
}

// checkIDs is ids for a request that has nothing else to check.
func checkIDs(pairs ...string) ([]string, error) {
	var fe errs.FieldErrors
	out := ids(&fe, pairs...)
	return out, fe.Err()
}

// user checks that id is a user of the SaaS. A user named in a request
// body that the SaaS does not have is 400 user_not_found naming field; one
// named in the path (inPath) is 404.
func (s *Service) user(ctx context.Context, saasID, field, id string, inPath bool) error {
	_, err := s.users.User(ctx, saasID, id)
	if errs.KindOf(err) != errs.KindNotFound {
		return err
	}
	if inPath {
		return errs.NotFound("user %q not found", id)
	}
	return errs.Taken("user_not_found", field, "the SaaS has no user %q (users are created with POST /v1/auth/users)", id)
}

// feedbackNotFound turns a missing feedback into the caller's 404.
func feedbackNotFound(err error, id string) error {
	if errors.Is(err, errs.ErrNotExist) {
		return errs.NotFound("feedback %q not found", id)
	}
	return err
}

// feedbackExists checks, inside tx, that the SaaS has the feedback.
func feedbackExists(ctx context.Context, tx Tx, saasID, id string) error {
	ok, err := tx.FeedbackExists(ctx, saasID, id)
	if err == nil && !ok {
		err = errs.NotFound("feedback %q not found", id)
	}
	return err
}
