package identity

import (
	"context"
	"errors"

	"github.com/saasplane/saasplane/internal/errs"
)

// UserInfo is a user with every tenant they belong to: what GET
// /userinfo answers, on every request of the SaaS's app.
type UserInfo struct {
	User    User
	Tenants []Member
}

// UserInfoOfToken returns who a live ID token of the SaaS speaks for (see
// UserOfToken). Each call reads the session and its user's InfoVersion
// in one statement, outside a transaction; the answer comes from this
// node's cache when its version matches, else from one more statement
// (SessionInfo), read after the version so that it is at least as new.
// The answer is shared: callers must not change it.
func (s *Service) UserInfoOfToken(ctx context.Context, saasID, raw string) (UserInfo, error) {
	c, err := s.VerifyToken(ctx, saasID, raw, UseID)
	if err != nil {
		return UserInfo{}, err
	}
	var sess Session
	var v InfoVersion
	err = s.store.ReadStatement(ctx, func(tx Tx) (err error) {
		sess, v, err = tx.SessionVersion(ctx, saasID, c.SessionID)
		return err
	})
	if err = s.liveSession(sess, c, err); err != nil {
		return UserInfo{}, err
	}
	if info, ok := s.infos.get(saasID, sess.UserID, v); ok {
		return info, nil
	}
	var info UserInfo
	err = s.store.ReadStatement(ctx, func(tx Tx) (err error) {
		sess, info, err = tx.SessionInfo(ctx, saasID, c.SessionID)
		return err
	})
	if err = s.liveSession(sess, c, err); err != nil {
		return UserInfo{}, err
	}
	s.infos.put(saasID, sess.UserID, v, info)
	return info, nil
}

// UserInfoByLogin returns the user with that email, or with that sign-in
// id, compared without regard to case; field names the one given.
func (s *Service) UserInfoByLogin(ctx context.Context, saasID, field, email, signInID string) (UserInfo, error) {
	var info UserInfo
	err := s.store.ReadTx(ctx, func(tx Tx) (err error) {
		if info.User, err = tx.UserByLogin(ctx, saasID, userKey(email), userKey(signInID)); err != nil {
			return err
		}
		info.Tenants, err = tx.Members(ctx, saasID, MemberFilter{UserID: info.User.ID})
		return err
	})
	if errors.Is(err, errs.ErrNotExist) {
		return info, errs.NotFound("no user has that %s", field)
	}
	return info, err
}
