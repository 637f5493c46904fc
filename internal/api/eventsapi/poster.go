package eventsapi

import (
	"context"
	"net/http"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
)

// HTTPPoster posts webhook deliveries over HTTP (events.Poster). It never
// follows redirects: a receiver that moved answers 3xx, which counts as a
// failure, so a delivery never lands on an address nobody registered.
type HTTPPoster struct {
	// Client sends the requests; nil means a client with a 10 s timeout.
	Client *http.Client
}

var defaultPosterClient = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Post implements events.Poster.
func (p HTTPPoster) Post(ctx context.Context, url string, header map[string]string, body []byte) (int, error) {
	c := p.Client
	if c == nil {
		c = defaultPosterClient
	}
	return httpx.Post(ctx, c, url, header, body)
}
