package aws

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// RegistrationTokenTTL is how long a registration token can be used after
// the fulfillment URL issued it: long enough for a buyer to sign up,
// confirm an e-mail address and pick a tenant.
const RegistrationTokenTTL = 24 * time.Hour

// RegistrationToken is an issued token, stored by its hash.
type RegistrationToken struct {
	Buyer
	ExpiresAt time.Time
	Used      bool
}

// tokenHash is how a registration token is stored: a leaked database does
// not leak usable tokens.
func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// newToken returns a fresh registration token: 32 random bytes.
func (s *Service) newToken() string {
	return base64.RawURLEncoding.EncodeToString(s.ids.Bytes(32))
}

// invalidToken is the one answer for a token that cannot be used, whatever
// the reason (unknown, expired, used), so tokens cannot be probed.
func invalidToken() error {
	return errs.Invalid("registration_token is invalid, expired or already used").WithType("invalid_registration_token")
}

// Fulfill handles the buyer's arrival at the fulfillment URL: it resolves
// AWS's marketplace token to the buyer, issues a registration token and
// returns where to send the browser: the SaaS's sign-up URL (or
// saasplane's own sign-up page, under publicURL) with the token added as
// the registration_token query parameter.
func (s *Service) Fulfill(ctx context.Context, saasID, marketplaceToken, publicURL string) (string, error) {
	if marketplaceToken == "" {
		var fe errs.FieldErrors
		fe.Add("x-amzn-marketplace-token", "is required (AWS Marketplace posts it as a form field)")
		return "", fe.Err()
	}
	st, err := s.awsReady(ctx, saasID)
	if err != nil {
		return "", err
	}
	b, err := s.aws.ResolveCustomer(ctx, st.role(), marketplaceToken)
	if err != nil {
		return "", err
	}
	if st.ProductCode != "" && b.ProductCode != "" && b.ProductCode != st.ProductCode {
		return "", errs.Invalid("the marketplace token is for product %q, not this SaaS's product %q", b.ProductCode, st.ProductCode).WithType("wrong_product")
	}
	token := s.newToken()
	now := s.now()
	err = s.store.WriteTx(ctx, func(tx Tx) error {
		return tx.PutRegistrationToken(ctx, saasID, tokenHash(token), RegistrationToken{Buyer: b, ExpiresAt: now.Add(RegistrationTokenTTL)}, now)
	})
	if err != nil {
		return "", err
	}
	return signUpRedirect(st.SignUpURL, publicURL, saasID, token), nil
}

// SignUpPageURL is saasplane's own sign-up page of a SaaS, used until the
// SaaS sets sign_up_url.
func SignUpPageURL(publicURL, saasID string) string {
	return strings.TrimRight(publicURL, "/") + "/awsmarketplace/sign-up/" + url.PathEscape(saasID)
}

func signUpRedirect(signUpURL, publicURL, saasID, token string) string {
	if signUpURL == "" {
		signUpURL = SignUpPageURL(publicURL, saasID)
	}
	u, err := url.Parse(signUpURL)
	if err != nil { // validated when set; fall back rather than fail the buyer
		u, _ = url.Parse(SignUpPageURL(publicURL, saasID))
	}
	q := u.Query()
	q.Set("registration_token", token)
	u.RawQuery = q.Encode()
	return u.String()
}

// registrationToken returns a usable token's record, or invalidToken.
func (s *Service) registrationToken(ctx context.Context, tx Tx, saasID, token string) (RegistrationToken, error) {
	if token == "" {
		return RegistrationToken{}, invalidToken()
	}
	rt, err := tx.RegistrationToken(ctx, saasID, tokenHash(token))
	if errors.Is(err, errs.ErrNotExist) || (err == nil && (rt.Used || !s.now().Before(rt.ExpiresAt))) {
		return RegistrationToken{}, invalidToken()
	}
	return rt, err
}

// VerifyRegistrationToken succeeds when token can still be used to link a
// buyer (POST /registration-token/verify); it does not use it.
func (s *Service) VerifyRegistrationToken(ctx context.Context, saasID, token string) error {
	return s.store.ReadTx(ctx, func(tx Tx) error {
		_, err := s.registrationToken(ctx, tx, saasID, token)
		return err
	})
}
