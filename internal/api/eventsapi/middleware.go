package eventsapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
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
// httpx.Authenticate, inside the API log's middleware, whose
// httpx.Capture it shares. Bodies are redacted and cut as in the API log,
// only for a request that gets an event.
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
			// The API log, further out, has captured the request already:
			// share its copy. Without it, capture here.
			c, shared := httpx.CaptureOf(w)
			if !shared {
				c = &httpx.Capture{ResponseWriter: w, Limit: 4 * maxBody}
				if r.Body != nil && r.Body != http.NoBody {
					b, err := io.ReadAll(r.Body) // Authenticate has it in memory already
					if err != nil {
						httpx.WriteError(w, r, err)
						return
					}
					c.Request = b
					r.Body = io.NopCloser(bytes.NewReader(b))
				}
				w = c
			}
			ref := r.Header.Get("Referer")
			if ref == "" {
				ref = r.Header.Get("X-Saasus-Referer")
			}
			uri := r.RequestURI
			if uri == "" {
				uri = r.URL.RequestURI()
			}
			req := c.Request
			p := &events.Pending{
				ID: svc.NewID(), RequestID: svc.NewID(), SaaSID: saasID, TraceID: httpx.TraceID(ctx),
				CreatedAt: svc.Now().UTC().Truncate(time.Microsecond),
				Type:      func() string { return names.Of(httpx.RoutePattern(ctx)) },
				Call: events.Call{URI: apilog.Line(uri, apilog.MaxLineBytes), IPAddress: proxies.ClientAddress(r),
					Referer: apilog.Line(ref, apilog.MaxLineBytes), RequestMethod: r.Method, SaaSID: saasID,
					APIKey: httpx.APIKey(ctx)},
				RequestBody: sync.OnceValue(func() string { return apilog.Body(req, 0, maxBody) }),
			}
			next.ServeHTTP(w, r.WithContext(events.WithPending(ctx, p)))
			status := c.Status
			if status == 0 {
				status = http.StatusOK
			}
			// The request is answered; its event must not be lost to the
			// client going away.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			response := func() string { return apilog.Body(c.Response, c.Uncaptured, maxBody) }
			if err := svc.Complete(cctx, p, status, response); err != nil {
				httpx.Logger(ctx).Error("events: completing the request's event failed (Sweep completes it later if it was opened)",
					"event_id", p.ID, "err", err)
			}
		})
	}
}
