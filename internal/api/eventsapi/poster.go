package eventsapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
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
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		var ue interface{ Timeout() bool }
		if errors.As(err, &ue) && ue.Timeout() {
			return 0, fmt.Errorf("no answer within the timeout: %w", err)
		}
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
