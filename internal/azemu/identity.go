package azemu

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/saasplane/saasplane/internal/errs"
)

// Offline identity. Each SaaS gets, on first use, an Entra-like tenant id,
// an app registration (client id and secret) and an RSA 2048 key. The key
// signs, with RS256:
//   - the publisher's access tokens for the Fulfillment and metering APIs
//     (client credentials at the token endpoint, or the admin route):
//     aud MarketplaceResourceID, appid the SaaS's client id;
//   - the marketplace's webhook calls to the publisher: aud the SaaS's
//     client id, appid MarketplaceResourceID.
//
// Both carry iss "https://sts.windows.net/{tenant}/" and tid, as Entra ID
// v1 access tokens do, and are verifiable offline against the tenant's
// JWKS.

// Issuer is the iss of a tenant's tokens.
func Issuer(tenantID string) string { return "https://sts.windows.net/" + tenantID + "/" }

// AccessClaims are the claims of the tokens the emulator issues.
type AccessClaims struct {
	jwt.RegisteredClaims
	TenantID string `json:"tid"`
	AppID    string `json:"appid"`
	AppIDACR string `json:"appidacr,omitempty"`
	OID      string `json:"oid,omitempty"`
	IDType   string `json:"idtyp,omitempty"`
	Version  string `json:"ver"`
}

type identityCache struct {
	mu   sync.Mutex
	keys map[string]*rsa.PrivateKey // by SaaS id
}

// Identity returns the SaaS's publisher identity, creating it on first
// use: insert-if-absent, then read, so concurrent processes agree.
func (s *Service) Identity(ctx context.Context, saasID string) (Identity, error) {
	read := func() (id Identity, err error) {
		err = s.store.ReadTx(ctx, func(tx Tx) error {
			id, err = tx.Identity(ctx, saasID)
			return err
		})
		return id, err
	}
	id, err := read()
	if errors.Is(err, errs.ErrNotExist) {
		fresh, gerr := s.newIdentity(saasID, s.Now())
		if gerr != nil {
			return Identity{}, gerr
		}
		if err := s.store.WriteTx(ctx, func(tx Tx) error { return tx.InsertIdentity(ctx, fresh) }); err != nil {
			return Identity{}, fmt.Errorf("store identity: %w", err)
		}
		id, err = read()
	}
	if err != nil {
		return Identity{}, fmt.Errorf("read identity: %w", err)
	}
	return id, nil
}

// IdentityByTenant returns the identity of a tenant id (errs.ErrNotExist
// when unknown).
func (s *Service) IdentityByTenant(ctx context.Context, tenantID string) (id Identity, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		id, err = tx.IdentityByTenant(ctx, tenantID)
		return err
	})
	return id, err
}

// PrivateKey returns the parsed key of an identity.
func (s *Service) PrivateKey(id Identity) (*rsa.PrivateKey, error) {
	s.identities.mu.Lock()
	defer s.identities.mu.Unlock()
	if k := s.identities.keys[id.SaaSID]; k != nil {
		return k, nil
	}
	blk, _ := pem.Decode([]byte(id.KeyPEM))
	if blk == nil {
		return nil, errors.New("stored identity key is not PEM")
	}
	k, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("stored identity key: %w", err)
	}
	if s.identities.keys == nil {
		s.identities.keys = map[string]*rsa.PrivateKey{}
	}
	s.identities.keys[id.SaaSID] = k
	return k, nil
}

// IssueAccessToken signs a publisher access token for the SaaS's app,
// valid AccessTokenTTL from now.
func (s *Service) IssueAccessToken(ctx context.Context, saasID string) (token string, expires time.Time, err error) {
	id, err := s.Identity(ctx, saasID)
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.Now()
	expires = now.Add(AccessTokenTTL)
	token, err = s.sign(id, AccessClaims{
		RegisteredClaims: jwt.RegisteredClaims{Issuer: Issuer(id.TenantID), Subject: id.ClientID,
			Audience: jwt.ClaimStrings{MarketplaceResourceID}, IssuedAt: jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(expires), ID: s.newID()},
		TenantID: id.TenantID, AppID: id.ClientID, AppIDACR: "1", OID: id.ClientID, IDType: "app", Version: "1.0",
	})
	return token, expires, err
}

// WebhookToken signs the token the marketplace sends to the publisher's
// webhook: audience the publisher's app, appid the marketplace's.
func (s *Service) WebhookToken(ctx context.Context, saasID string) (string, error) {
	id, err := s.Identity(ctx, saasID)
	if err != nil {
		return "", err
	}
	now := s.Now()
	return s.sign(id, AccessClaims{
		RegisteredClaims: jwt.RegisteredClaims{Issuer: Issuer(id.TenantID), Subject: MarketplaceResourceID,
			Audience: jwt.ClaimStrings{id.ClientID}, IssuedAt: jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(AccessTokenTTL)), ID: s.newID()},
		TenantID: id.TenantID, AppID: MarketplaceResourceID, AppIDACR: "2", IDType: "app", Version: "1.0",
	})
}

func (s *Service) sign(id Identity, c AccessClaims) (string, error) {
	key, err := s.PrivateKey(id)
	if err != nil {
		return "", err
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	t.Header["kid"] = id.KeyID
	t.Header["x5t"] = id.KeyID
	return t.SignedString(key)
}

// ClientCredentials checks a client id and secret and returns the SaaS
// they belong to.
func (s *Service) ClientCredentials(ctx context.Context, tenantID, clientID, secret string) (Identity, error) {
	id, err := s.IdentityByTenant(ctx, tenantID)
	if err != nil || id.ClientID != clientID || !constantTimeEqual(id.ClientSecret, secret) {
		return Identity{}, errs.E(errs.KindUnauthorized, "invalid client: unknown tenant, client id or client secret").
			WithType("invalid_client")
	}
	return id, nil
}

func (s *Service) newIdentity(saasID string, now time.Time) (Identity, error) {
	key, err := s.generateKey()
	if err != nil {
		return Identity{}, err
	}
	der := x509.MarshalPKCS1PrivateKey(key)
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	sum := sha256.Sum256(pub)
	return Identity{SaaSID: saasID, TenantID: s.newID(), ClientID: s.newID(),
		ClientSecret: base64.RawURLEncoding.EncodeToString(s.ids.Bytes(30)),
		KeyID:        base64.RawURLEncoding.EncodeToString(sum[:20]),
		KeyPEM:       string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der})), CreatedAt: now}, nil
}
