package eventsapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"

	"github.com/saasplane/saasplane/internal/api/httpx"
	"github.com/saasplane/saasplane/internal/apilog"
	"github.com/saasplane/saasplane/internal/events"
)

// maxBody bounds each body kept in an event, as in the API log.
const maxBody = apilog.DefaultMaxBodyBytes

// Middleware makes an event of every non-GET request of a SaaS: it puts
// an events.Pending in the request's context, so that the request's first
// write transaction opens the event (the store does it), and completes it
// with the response once the handler is done. Mount it after
// httpx.Authenticate. Bodies are redacted and cut as in the API log.
// Completing costs one write transaction for a SaaS with a delivery
// target and nothing for the others (see events.Service.Complete).
func Middleware(svc *events.Service, names Names, proxies httpx.TrustedProxies) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if svc == nil {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			saasID := httpx.SaaSID(ctx)
			if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions || saasID == "" {
				next.ServeHTTP(w, r)
				return
			}
			var req []byte
			if r.Body != nil && r.Body != http.NoBody {
				b, err := io.ReadAll(r.Body) // Authenticate has it in memory already
				if err != nil {
					httpx.WriteError(w, r, err)
					return
				}
				req = b
				r.Body = io.NopCloser(bytes.NewReader(b))
			}
			ref := r.Header.Get("Referer")
			if ref == "" {
				ref = r.Header.Get("X-Saasus-Referer")
			}
			uri := r.RequestURI
			if uri == "" {
				uri = r.URL.RequestURI()
			}
			p := &events.Pending{
				ID: svc.NewID(), RequestID: svc.NewID(), SaaSID: saasID, TraceID: httpx.TraceID(ctx),
				CreatedAt: svc.Now().UTC().Truncate(time.Microsecond),
				Type:      func() string { return names.Of(httpx.RoutePattern(ctx)) },
				Call: events.Call{URI: apilog.Line(uri, apilog.MaxLineBytes), IPAddress: proxies.ClientAddress(r),
					Referer: apilog.Line(ref, apilog.MaxLineBytes), RequestMethod: r.Method, SaaSID: saasID,
					APIKey: httpx.APIKey(ctx), RequestBody: apilog.Body(req, 0, maxBody)},
			}
			c := &capture{ResponseWriter: w, limit: 4 * maxBody}
			next.ServeHTTP(c, r.WithContext(events.WithPending(ctx, p)))
			if c.status == 0 {
				c.status = http.StatusOK
			}
			// The request is answered; its event must not be lost to the
			// client going away.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := svc.Complete(cctx, p, c.status, apilog.Body(c.resp, c.uncaptured, maxBody)); err != nil {
				httpx.Logger(ctx).Error("events: completing the request's event failed (Sweep completes it later if it was opened)",
					"event_id", p.ID, "err", err)
			}
		})
	}
}

// capture passes the response on and keeps its status and the first limit
// bytes of its body.
type capture struct {
	http.ResponseWriter
	status     int
	resp       []byte
	uncaptured int
	limit      int
}

func (c *capture) WriteHeader(code int) {
	if c.status == 0 && code >= 200 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *capture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	n, err := c.ResponseWriter.Write(b)
	keep := min(n, c.limit-len(c.resp))
	c.resp = append(c.resp, b[:keep]...)
	c.uncaptured += n - keep
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (c *capture) Unwrap() http.ResponseWriter { return c.ResponseWriter }
