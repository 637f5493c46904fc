package identity

import "context"

// Store gives the service transactions over the user pools.
type Store interface {
	ReadTx(ctx context.Context, fn func(Tx) error) error
	WriteTx(ctx context.Context, fn func(Tx) error) error
}

// Tx reads and writes one transaction's worth of user-pool rows. Every
// method is scoped to one SaaS.
type Tx interface {
	// SaaSExists reports whether the SaaS exists.
	SaaSExists(ctx context.Context, saasID string) (bool, error)
	// SigningKeys returns every stored signing key of the SaaS, in no
	// particular order.
	SigningKeys(ctx context.Context, saasID string) ([]SigningKey, error)
	// InsertSigningKey stores a new key of the SaaS.
	InsertSigningKey(ctx context.Context, saasID string, k SigningKey) error
	// DeleteSigningKeys removes the SaaS's keys with those ids; unknown
	// ids are ignored.
	DeleteSigningKeys(ctx context.Context, saasID string, ids []string) error
}
