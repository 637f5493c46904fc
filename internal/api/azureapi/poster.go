package azureapi

import (
	"context"
	"net/http"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/azemu"
)

// HTTPPoster posts webhook calls with an HTTP client; a status other than
// 2xx is an error.
type HTTPPoster struct {
	// Client sends the requests; nil means a client with a 15 s timeout.
	Client *http.Client
}

var defaultPosterClient = &http.Client{Timeout: 15 * time.Second}

// Post implements azemu.Poster.
func (p HTTPPoster) Post(ctx context.Context, endpoint string, header map[string]string, body []byte) (int, error) {
	c := p.Client
	if c == nil {
		c = defaultPosterClient
	}
	return httpx.Post(ctx, c, endpoint, header, body)
}

var _ azemu.Poster = HTTPPoster{}
