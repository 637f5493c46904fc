// Package saas owns the SaaS accounts that saasplane serves and their API
// keys: creating a SaaS, issuing, listing and revoking keys, and resolving an
// API key to the secret that verifies a SAASUSSIGV1 signature.
//
// Secret keys are returned once, when issued, and never again by any listing.
package saas

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/saasplane/saasplane/internal/errs"
)

// SaaS is one customer of saasplane: a SaaS product with its own catalog,
// tenants and keys.
type SaaS struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// Key is an API key. Secret is empty except in the value returned when the
// key is issued and in lookups used for verification.
type Key struct {
	APIKey    string
	SaaSID    string
	Secret    string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// Credentials are what a client needs to sign requests.
type Credentials struct {
	SaaSID    string `json:"saas_id"`
	APIKey    string `json:"api_key"`
	SecretKey string `json:"secret_key"`
}

// Store persists SaaS accounts and keys.
type Store interface {
	InsertSaaS(ctx context.Context, s SaaS) error
	GetSaaS(ctx context.Context, id string) (SaaS, error)
	ListSaaS(ctx context.Context) ([]SaaS, error)
	InsertKey(ctx context.Context, k Key) error
	// Key returns the key with its secret, revoked or not.
	Key(ctx context.Context, apiKey string) (Key, error)
	ListKeys(ctx context.Context, saasID string) ([]Key, error)
	RevokeKey(ctx context.Context, saasID, apiKey string, at time.Time) error
	// EnsureCredentials makes the SaaS and the key exist with exactly these
	// values, creating what is missing, in one transaction.
	EnsureCredentials(ctx context.Context, s SaaS, k Key) error
}

// Service manages SaaS accounts and keys.
type Service struct {
	store Store
	now   func() time.Time
	newID func() string
	log   *slog.Logger
	keys  keyCache
}

// NewService builds a Service.
func NewService(store Store, now func() time.Time, newID func() string, log *slog.Logger) *Service {
	return &Service{store: store, now: now, newID: newID, log: log}
}

// randomToken returns n random bytes as hex.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on Linux
	}
	return hex.EncodeToString(b)
}

// NewKeyPair returns a fresh API key and secret.
func NewKeyPair() (apiKey, secret string) {
	return "sp_" + randomToken(16), randomToken(32)
}

// Create makes a SaaS and its first key.
func (s *Service) Create(ctx context.Context, name string) (Credentials, error) {
	name = strings.TrimSpace(name)
	if name == "" || !utf8.ValidString(name) || len(name) > 255 {
		return Credentials{}, errs.Invalid("name: must be 1 to 255 characters of text")
	}
	sa := SaaS{ID: s.newID(), Name: name, CreatedAt: s.now()}
	if err := s.store.InsertSaaS(ctx, sa); err != nil {
		return Credentials{}, err
	}
	return s.CreateKey(ctx, sa.ID)
}

// CreateKey issues another key for an existing SaaS.
func (s *Service) CreateKey(ctx context.Context, saasID string) (Credentials, error) {
	if _, err := s.store.GetSaaS(ctx, saasID); err != nil {
		if errors.Is(err, errs.ErrNotExist) {
			return Credentials{}, errs.NotFound("no SaaS with id %q", saasID)
		}
		return Credentials{}, err
	}
	apiKey, secret := NewKeyPair()
	k := Key{APIKey: apiKey, SaaSID: saasID, Secret: secret, CreatedAt: s.now()}
	if err := s.store.InsertKey(ctx, k); err != nil {
		return Credentials{}, err
	}
	s.log.Info("api key created", "saas_id", saasID, "api_key", apiKey)
	return Credentials{SaaSID: saasID, APIKey: apiKey, SecretKey: secret}, nil
}

// ListKeys returns a SaaS's keys without their secrets.
func (s *Service) ListKeys(ctx context.Context, saasID string) ([]Key, error) {
	if _, err := s.store.GetSaaS(ctx, saasID); err != nil {
		if errors.Is(err, errs.ErrNotExist) {
			return nil, errs.NotFound("no SaaS with id %q", saasID)
		}
		return nil, err
	}
	ks, err := s.store.ListKeys(ctx, saasID)
	for i := range ks {
		ks[i].Secret = ""
	}
	return ks, err
}

// List returns every SaaS.
func (s *Service) List(ctx context.Context) ([]SaaS, error) { return s.store.ListSaaS(ctx) }

// RevokeKey revokes a key of the SaaS. Revoking twice is not an error.
func (s *Service) RevokeKey(ctx context.Context, saasID, apiKey string) error {
	err := s.store.RevokeKey(ctx, saasID, apiKey, s.now())
	if errors.Is(err, errs.ErrNotExist) {
		return errs.NotFound("SaaS %q has no API key %q", saasID, apiKey)
	}
	if err == nil {
		s.keys.forget(apiKey)
		s.log.Info("api key revoked", "saas_id", saasID, "api_key", apiKey)
	}
	return err
}

// Ensure makes the given credentials valid: the bootstrap path for
// SAASUS_SAAS_ID / SAASUS_API_KEY / SAASUS_SECRET_KEY. A key that exists
// with another secret or SaaS, or that was revoked, is an error rather than
// being silently rewritten.
func (s *Service) Ensure(ctx context.Context, c Credentials, name string) error {
	if c.SaaSID == "" || c.APIKey == "" || c.SecretKey == "" {
		return errs.Invalid("saas id, api key and secret key must all be set")
	}
	now := s.now()
	err := s.store.EnsureCredentials(ctx, SaaS{ID: c.SaaSID, Name: name, CreatedAt: now},
		Key{APIKey: c.APIKey, SaaSID: c.SaaSID, Secret: c.SecretKey, CreatedAt: now})
	if errors.Is(err, errs.ErrDuplicate) {
		return errs.Conflict("api key %q already exists with another SaaS or secret, or was revoked", c.APIKey)
	}
	return err
}

// Lookup returns the active key for apiKey, with its secret, for signature
// verification. A revoked or unknown key is errs.ErrNotExist.
//
// Active keys are cached for KeyCacheTTL: a key revoked through this
// service stops working at once, one revoked by another process (the CLI,
// another server) within KeyCacheTTL.
func (s *Service) Lookup(ctx context.Context, apiKey string) (Key, error) {
	now := s.now()
	if k, ok := s.keys.get(apiKey, now); ok {
		return k, nil
	}
	k, err := s.store.Key(ctx, apiKey)
	if err != nil {
		return Key{}, err
	}
	if k.RevokedAt != nil {
		return Key{}, errs.ErrNotExist
	}
	s.keys.put(k, now.Add(KeyCacheTTL))
	return k, nil
}
