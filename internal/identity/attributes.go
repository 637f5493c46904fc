package identity

import (
	"context"
	"errors"

	"github.com/saasplane/saasplane/internal/attribute"
	"github.com/saasplane/saasplane/internal/errs"
)

// UserAttribute declares an attribute of the SaaS's users. A per-tenant
// one (upstream's user attribute) takes a value for each tenant the user
// belongs to; a SaaS-wide one (upstream's SaaS user attribute) one value
// on the user. Both kinds share one namespace, so a name means one thing.
type UserAttribute struct {
	attribute.Decl
	SaaSWide bool
}

const (
	undeclaredTenantUserAttr = "is not a declared user attribute: create it first with POST /user-attributes"
	undeclaredSaaSUserAttr   = "is not a declared SaaS user attribute: create it first with POST /saas-user-attributes"
)

// UserAttributes returns the SaaS's user attributes of both kinds, in
// creation order.
func (s *Service) UserAttributes(ctx context.Context, saasID string) (as []UserAttribute, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		as, err = tx.UserAttributes(ctx, saasID)
		return err
	})
	return as, err
}

// CreateUserAttribute declares a user attribute.
func (s *Service) CreateUserAttribute(ctx context.Context, saasID string, a UserAttribute) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		return errs.DuplicateName(tx.InsertUserAttribute(ctx, saasID, a), "attribute_name", "user attribute", a.Name)
	})
}

// DeleteUserAttribute removes a declaration of either kind, with its value
// on every user or membership that carries one.
func (s *Service) DeleteUserAttribute(ctx context.Context, saasID, name string) error {
	return s.store.WriteTx(ctx, func(tx Tx) error {
		err := tx.DeleteUserAttribute(ctx, saasID, name)
		if errors.Is(err, errs.ErrNotExist) {
			return errs.NotFound("user attribute %q not found", name)
		}
		return err
	})
}

// UpdateUserAttributes merges values into a user's SaaS-wide attributes:
// a key given replaces its value, a null clears it, and a key not given
// keeps its value.
func (s *Service) UpdateUserAttributes(ctx context.Context, saasID, userID string, in map[string]any) error {
	return userNotFound(s.store.WriteTx(ctx, func(tx Tx) error {
		u, err := tx.User(ctx, saasID, userID)
		if err != nil {
			return err
		}
		attrs, err := checkUserAttributes(ctx, tx, saasID, true, u.Attributes, in)
		if err != nil {
			return err
		}
		return tx.SetUserAttributes(ctx, saasID, userID, attrs)
	}), userID)
}

// checkUserAttributes checks in against the declarations of one kind and
// merges it into old, returning the new map.
func checkUserAttributes(ctx context.Context, tx Tx, saasID string, saasWide bool, old, in map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(old)+len(in))
	for k, v := range old {
		out[k] = v
	}
	if len(in) == 0 {
		return out, nil
	}
	all, err := tx.UserAttributes(ctx, saasID)
	if err != nil {
		return nil, err
	}
	var decl []attribute.Decl
	for _, a := range all {
		if a.SaaSWide == saasWide {
			decl = append(decl, a.Decl)
		}
	}
	undeclared := undeclaredTenantUserAttr
	if saasWide {
		undeclared = undeclaredSaaSUserAttr
	}
	checked, err := attribute.Check(decl, in, "attributes", undeclared)
	if err != nil {
		return nil, err
	}
	for k, v := range in {
		if v == nil {
			delete(out, k)
		}
	}
	for k, v := range checked {
		out[k] = v
	}
	if len(out) > attribute.MaxPerObject {
		var fe errs.FieldErrors
		fe.Add("attributes", "would hold more than %d keys", attribute.MaxPerObject)
		return nil, fe.Err()
	}
	return out, nil
}
