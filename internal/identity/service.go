package identity

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
)

// Config is how the service is set up; zero fields take the defaults.
type Config struct {
	Lifetimes Lifetimes // DefaultLifetimes()
	Rotation  Rotation  // DefaultRotation
	// IssuerBase is the start of every SaaS's issuer URL: the server's
	// public URL followed by "/identity/". Required.
	IssuerBase string
	// KeysTTL is how long a node trusts its copy of a SaaS's keys before
	// it reads them again (default one minute). A key made by another
	// node reaches this one within KeysTTL, well inside
	// Rotation.PublishAhead; a token signed by a key it does not know yet
	// makes it read the keys again at once.
	KeysTTL time.Duration
	Now     func() time.Time // required
	Random  io.Reader        // required: idgen.Source in the server
	NewID   func() string    // required: ids of users, sessions and tokens
	// Argon2 is the cost of new password hashes (DefaultArgon2).
	Argon2 Argon2Params
	// MailFrom sends the mail of a SaaS that has set no from address
	// (basic-info). Required when mail is sent.
	MailFrom string
}

// Service is the user pools of all SaaSes.
type Service struct {
	store Store
	cfg   Config

	mu    sync.Mutex
	rings map[string]*keyring // by SaaS id

	verified verifiedTokens
	infos    infoCache

	// dummyHash is what a sign-in for an unknown login is checked
	// against: a hash at cfg.Argon2, so it costs what a real one does.
	dummyHash string
}

// keyring is one node's copy of a SaaS's keys at one moment.
type keyring struct {
	signing   *SigningKey // nil: the SaaS has no key yet
	published []SigningKey
	byID      map[string]*rsa.PublicKey
	read      time.Time
}

// minReread bounds how often a token with an unknown kid makes a node
// read a SaaS's keys again.
const minReread = 5 * time.Second

// NewService returns the service over store.
func NewService(store Store, cfg Config) (*Service, error) {
	if cfg.Lifetimes == (Lifetimes{}) {
		cfg.Lifetimes = DefaultLifetimes()
	}
	if cfg.Rotation == (Rotation{}) {
		cfg.Rotation = DefaultRotation
	}
	if cfg.MailFrom == "" {
		cfg.MailFrom = "no-reply@saasplane.invalid"
	}
	if cfg.KeysTTL == 0 {
		cfg.KeysTTL = time.Minute
	}
	if cfg.Argon2 == (Argon2Params{}) {
		cfg.Argon2 = DefaultArgon2
	}
	switch {
	case cfg.Now == nil || cfg.Random == nil || cfg.NewID == nil:
		return nil, errors.New("identity: Config needs Now, Random and NewID")
	case !strings.HasSuffix(cfg.IssuerBase, "/"):
		return nil, fmt.Errorf("identity: IssuerBase %q must end with /", cfg.IssuerBase)
	}
	if err := cfg.Argon2.check(); err != nil {
		return nil, err
	}
	if err := cfg.Lifetimes.Validate(); err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	if err := cfg.Rotation.Validate(); err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	return &Service{store: store, cfg: cfg, rings: map[string]*keyring{}, dummyHash: dummyHash(cfg.Argon2)}, nil
}

// Lifetimes returns the service's lifetimes.
func (s *Service) Lifetimes() Lifetimes { return s.cfg.Lifetimes }

// Issuer is the issuer URL of the SaaS's tokens (the iss claim).
func (s *Service) Issuer(saasID string) string { return s.cfg.IssuerBase + saasID }

// JWKS returns the SaaS's published keys: what verifiers of its tokens
// fetch. A SaaS that has never signed a token has none yet. An unknown
// SaaS is errs.KindNotFound.
func (s *Service) JWKS(ctx context.Context, saasID string) (JWKS, error) {
	ring, err := s.keyring(ctx, saasID, false, false)
	if err != nil {
		return JWKS{}, err
	}
	set := JWKS{Keys: make([]JWK, 0, len(ring.published))}
	for _, k := range ring.published {
		set.Keys = append(set.Keys, PublicJWK(k.ID, &k.Private.PublicKey))
	}
	return set, nil
}

// SignToken signs t (its Issuer and SaaS filled in here) with the SaaS's
// signing key, making the SaaS's first key if it has none.
func (s *Service) SignToken(ctx context.Context, saasID string, t Token) (string, error) {
	ring, err := s.keyring(ctx, saasID, true, false)
	if err != nil {
		return "", err
	}
	t.Issuer, t.SaaSID = s.Issuer(saasID), saasID
	return Sign(*ring.signing, t)
}

// VerifyToken checks a token of use for the SaaS (see Verify). A token
// signed by a key this node has not read yet makes it read the SaaS's
// keys again: at once while it knows no key of the SaaS (another node has
// just made the first), else at most every few seconds, so that tokens
// with made-up key ids cannot make every request read the database.
func (s *Service) VerifyToken(ctx context.Context, saasID, raw string, use TokenUse) (Claims, error) {
	now := s.cfg.Now()
	if c, ok := s.verified.get(saasID, raw, use, now); ok {
		return c, nil
	}
	c, err := s.verifyToken(ctx, saasID, raw, use, now)
	if err == nil {
		s.verified.put(saasID, raw, use, c, now)
	}
	return c, err
}

func (s *Service) verifyToken(ctx context.Context, saasID, raw string, use TokenUse, now time.Time) (Claims, error) {
	ring, err := s.keyring(ctx, saasID, false, false)
	if err != nil {
		return Claims{}, err
	}
	missed := false
	lookup := func(ring *keyring) KeyLookup {
		return func(kid string) *rsa.PublicKey {
			k := ring.byID[kid]
			missed = k == nil
			return k
		}
	}
	c, err := Verify(raw, use, s.Issuer(saasID), saasID, lookup(ring), now)
	if err != nil && missed && (ring.signing == nil || now.Sub(ring.read) >= minReread) {
		if ring, rerr := s.keyring(ctx, saasID, false, true); rerr == nil {
			c, err = Verify(raw, use, s.Issuer(saasID), saasID, lookup(ring), now)
		}
	}
	return c, err
}

// keyring returns this node's copy of the SaaS's keys, reading them when
// the copy is older than KeysTTL (or when fresh). On a read it follows
// Rotation.Plan: it makes the successor key when one is due, and the
// first key when signing needs one, and deletes the keys no token can
// need any more.
func (s *Service) keyring(ctx context.Context, saasID string, signing, fresh bool) (*keyring, error) {
	now := s.cfg.Now()
	s.mu.Lock()
	ring := s.rings[saasID]
	s.mu.Unlock()
	if ring != nil && !fresh && now.Sub(ring.read) < s.cfg.KeysTTL && (ring.signing != nil || !signing) {
		return ring, nil
	}
	var keys []SigningKey
	err := s.store.ReadTx(ctx, func(tx Tx) error {
		ok, err := tx.SaaSExists(ctx, saasID)
		if err != nil {
			return err
		}
		if !ok {
			return errs.NotFound("no SaaS %q", saasID)
		}
		keys, err = tx.SigningKeys(ctx, saasID)
		return err
	})
	if err != nil {
		return nil, err
	}
	plan := s.cfg.Rotation.Plan(times(keys), now, s.cfg.Lifetimes.Signed())
	if (plan.Generate && (len(keys) > 0 || signing)) || len(plan.Drop) > 0 {
		if keys, err = s.rotate(ctx, saasID, plan, now); err != nil {
			return nil, err
		}
		plan = s.cfg.Rotation.Plan(times(keys), now, s.cfg.Lifetimes.Signed())
	}
	ring = newKeyring(keys, plan, now)
	s.mu.Lock()
	s.rings[saasID] = ring
	s.mu.Unlock()
	return ring, nil
}

// rotate carries out plan: the new key is made outside the transaction
// (it takes a while), then stored only if the plan, made again inside the
// transaction, still asks for it, so that nodes rotating at once add one
// key, not several. It returns the SaaS's keys afterwards.
func (s *Service) rotate(ctx context.Context, saasID string, plan KeyPlan, now time.Time) ([]SigningKey, error) {
	var fresh *SigningKey
	if plan.Generate {
		k, err := GenerateKey(s.cfg.Random, now, plan.NextActiveAt)
		if err != nil {
			return nil, err
		}
		fresh = &k
	}
	var keys []SigningKey
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		var err error
		if keys, err = tx.SigningKeys(ctx, saasID); err != nil {
			return err
		}
		again := s.cfg.Rotation.Plan(times(keys), now, s.cfg.Lifetimes.Signed())
		if again.Generate && fresh != nil {
			if err := tx.InsertSigningKey(ctx, saasID, *fresh); err != nil {
				return err
			}
			keys = append(keys, *fresh)
		}
		if len(again.Drop) > 0 {
			if err := tx.DeleteSigningKeys(ctx, saasID, again.Drop); err != nil {
				return err
			}
			keys = dropKeys(keys, again.Drop)
		}
		return nil
	})
	return keys, err
}

func newKeyring(keys []SigningKey, plan KeyPlan, now time.Time) *keyring {
	byID := make(map[string]SigningKey, len(keys))
	for _, k := range keys {
		byID[k.ID] = k
	}
	ring := &keyring{byID: map[string]*rsa.PublicKey{}, read: now}
	for _, id := range plan.Publish {
		k := byID[id]
		ring.published = append(ring.published, k)
		ring.byID[id] = &k.Private.PublicKey
		if id == plan.Signing {
			ring.signing = &k
		}
	}
	return ring
}

func times(keys []SigningKey) []KeyTimes {
	out := make([]KeyTimes, len(keys))
	for i, k := range keys {
		out[i] = k.KeyTimes
	}
	return out
}

func dropKeys(keys []SigningKey, ids []string) []SigningKey {
	out := keys[:0:0]
	for _, k := range keys {
		if !slices.Contains(ids, k.ID) {
			out = append(out, k)
		}
	}
	return out
}
