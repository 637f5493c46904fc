package httpx

import (
	"context"
	"log/slog"
)

type ctxKey int

const (
	loggerKey ctxKey = iota
	traceKey
	saasKey
	apiKeyKey
)

// Logger returns the request's logger, which carries its trace id.
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// TraceID returns the request's trace id.
func TraceID(ctx context.Context) string {
	s, _ := ctx.Value(traceKey).(string)
	return s
}

// SaaSID returns the id of the SaaS the request authenticated as; empty
// outside authenticated routes.
func SaaSID(ctx context.Context) string {
	s, _ := ctx.Value(saasKey).(string)
	return s
}

// APIKey returns the API key the request was signed with.
func APIKey(ctx context.Context) string {
	s, _ := ctx.Value(apiKeyKey).(string)
	return s
}

// WithSaaS returns ctx authenticated as saasID with apiKey; for tests and
// internal callers.
func WithSaaS(ctx context.Context, saasID, apiKey string) context.Context {
	return context.WithValue(context.WithValue(ctx, saasKey, saasID), apiKeyKey, apiKey)
}
