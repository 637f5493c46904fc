package azureapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

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
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(snippet))
	}
	return resp.StatusCode, nil
}

var _ azemu.Poster = HTTPPoster{}
