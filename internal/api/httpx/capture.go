package httpx

import "net/http"

// Capture is what a request's recorders (the API log, the outbound
// events) keep of it: its body and the start of its response. The first
// middleware that needs one wraps the ResponseWriter in it; the ones
// inside find it with CaptureOf and share it, so that a request's bodies
// are copied once however many recorders there are.
type Capture struct {
	http.ResponseWriter
	// Request is the request's body as the handler gets it.
	Request []byte
	// Status is the response's status once written (0 before).
	Status int
	// Response holds the first Limit bytes of the response's body;
	// Uncaptured counts the bytes written beyond them.
	Response   []byte
	Uncaptured int
	Limit      int
}

// Captured returns c: what CaptureOf looks for, also through a type that
// embeds a Capture.
func (c *Capture) Captured() *Capture { return c }

// CaptureOf returns the Capture that w is or embeds, if any.
func CaptureOf(w http.ResponseWriter) (*Capture, bool) {
	cw, ok := w.(interface{ Captured() *Capture })
	if !ok {
		return nil, false
	}
	return cw.Captured(), true
}

// WriteHeader records the final status (informational 1xx are passed on).
func (c *Capture) WriteHeader(code int) {
	if c.Status == 0 && code >= 200 {
		c.Status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

// Write passes b on and keeps a copy of the first Limit bytes.
func (c *Capture) Write(b []byte) (int, error) {
	if c.Status == 0 {
		c.Status = http.StatusOK
	}
	n, err := c.ResponseWriter.Write(b)
	keep := min(n, c.Limit-len(c.Response))
	c.Response = append(c.Response, b[:keep]...)
	c.Uncaptured += n - keep
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (c *Capture) Unwrap() http.ResponseWriter { return c.ResponseWriter }
