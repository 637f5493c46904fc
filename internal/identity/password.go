package identity

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the cost of hashing one password with argon2id.
type Argon2Params struct {
	MemoryKiB uint32 // m
	Time      uint32 // t, passes over the memory
	Threads   uint8  // p
}

// DefaultArgon2 is the cost of new hashes: OWASP's first recommended
// setting for argon2id (19 MiB, 2 passes, 1 thread). On the project's
// 2-core machine one hash takes a few tens of milliseconds of one core
// (BENCHMARKS.md), which bounds sign-ins per second per core accordingly.
var DefaultArgon2 = Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

// Limits on parameters read back from a stored hash, so that a damaged or
// hostile row cannot make one check cost seconds or gigabytes.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 16
	saltLen      = 16
	keyLen       = 32
)

// MaxPasswordBytes bounds what is hashed; longer passwords are refused
// before any work is done.
const MaxPasswordBytes = 1024

var (
	// ErrPasswordMismatch: the password is not the one hashed.
	ErrPasswordMismatch = errors.New("identity: password does not match")
	// ErrBadHash: the stored hash cannot be read.
	ErrBadHash = errors.New("identity: unreadable password hash")
)

// HashPassword hashes password with argon2id at p and a fresh salt from
// random, and returns the PHC string form:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>   (unpadded base64)
func HashPassword(random io.Reader, password string, p Argon2Params) (string, error) {
	if len(password) > MaxPasswordBytes {
		return "", fmt.Errorf("identity: password longer than %d bytes", MaxPasswordBytes)
	}
	if err := p.check(); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := io.ReadFull(random, salt); err != nil {
		return "", fmt.Errorf("identity: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Password is a user's stored password: its hash, and when it is a
// temporary one, the end of its validity.
type Password struct {
	Hash string
	// TemporaryUntil is zero for the user's own password. A temporary
	// password (mailed by saasplane, or set by an admin as temporary)
	// must be replaced at the next sign-in, and is refused after this.
	TemporaryUntil time.Time
	// SRPSalt and SRPVerifier (hex) check the same password in an SRP
	// sign-in (srpsignin.go); both are "" for a password stored before
	// saasplane kept them, until the user's next hosted sign-in.
	SRPSalt, SRPVerifier string
}

// Temporary reports whether the user must replace this password.
func (p Password) Temporary() bool { return !p.TemporaryUntil.IsZero() }

// VerifyPassword checks password against a PHC string from HashPassword,
// in time that does not depend on where the two differ. It returns nil,
// ErrPasswordMismatch, or ErrBadHash.
func VerifyPassword(phc, password string) error {
	h, err := parsePHC(phc)
	if err != nil {
		return err
	}
	if len(password) > MaxPasswordBytes {
		return ErrPasswordMismatch
	}
	key := argon2.IDKey([]byte(password), h.salt, h.params.Time, h.params.MemoryKiB, h.params.Threads, uint32(len(h.key)))
	if subtle.ConstantTimeCompare(key, h.key) != 1 {
		return ErrPasswordMismatch
	}
	return nil
}

// NeedsRehash reports whether a stored hash was made at other parameters
// than p, so that a successful sign-in can store a new one.
func NeedsRehash(phc string, p Argon2Params) bool {
	h, err := parsePHC(phc)
	return err != nil || h.params != p || len(h.key) != keyLen
}

// DummyHash is a valid hash of a random password at DefaultArgon2. A
// sign-in for an unknown user verifies against it, so that it costs what
// a sign-in for a known user costs and the timing does not tell them apart.
// The service keeps one at its own parameters (Config.Argon2).
var DummyHash = dummyHash(DefaultArgon2)

func dummyHash(p Argon2Params) string {
	salt := make([]byte, saltLen) // a fixed salt is fine: nothing matches it on purpose
	key := argon2.IDKey([]byte("no user has this password"), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	for i := range key {
		key[i] ^= 0xff // and no password hashes to it
	}
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time,
		p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

var b64 = base64.RawStdEncoding

type phcHash struct {
	params    Argon2Params
	salt, key []byte
}

func (p Argon2Params) check() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("identity: argon2id time %d out of 1..%d", p.Time, maxTime)
	case p.Threads < 1:
		return errors.New("identity: argon2id needs at least one thread")
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB:
		return fmt.Errorf("identity: argon2id memory %d KiB out of %d..%d", p.MemoryKiB, 8*uint32(p.Threads), maxMemoryKiB)
	}
	return nil
}

// parsePHC reads "$argon2id$v=19$m=M,t=T,p=P$salt$key".
func parsePHC(s string) (phcHash, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return phcHash{}, ErrBadHash
	}
	var h phcHash
	for i, kv := range strings.Split(parts[3], ",") {
		name, val, ok := strings.Cut(kv, "=")
		want := [...]string{"m", "t", "p"}
		if !ok || i >= len(want) || name != want[i] || val == "" || (len(val) > 1 && val[0] == '0') {
			return phcHash{}, ErrBadHash
		}
		bits := 32
		if name == "p" {
			bits = 8
		}
		n, err := strconv.ParseUint(val, 10, bits)
		if err != nil {
			return phcHash{}, ErrBadHash
		}
		switch name {
		case "m":
			h.params.MemoryKiB = uint32(n)
		case "t":
			h.params.Time = uint32(n)
		case "p":
			h.params.Threads = uint8(n)
		}
	}
	if h.params.check() != nil {
		return phcHash{}, ErrBadHash
	}
	var err error
	if h.salt, err = b64.Strict().DecodeString(parts[4]); err != nil || len(h.salt) < 8 || len(h.salt) > 64 {
		return phcHash{}, ErrBadHash
	}
	if h.key, err = b64.Strict().DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 64 {
		return phcHash{}, ErrBadHash
	}
	return h, nil
}
