// Package smtpmail sends the mail outbox's messages to an SMTP server
// (github.com/emersion/go-smtp), configured by one URL:
//
//	smtp://[user:password@]host[:port]?tls=starttls  STARTTLS, required (port 25 by default; 587 for submission)
//	smtps://[user:password@]host[:port]              TLS from the first byte (port 465 by default)
//	smtp://host[:port]                               no TLS: for a relay on the same host or network
//
// A user name in the URL authenticates with SASL PLAIN, which is only
// sent over TLS, or to a server on the loopback interface. There is no
// opportunistic STARTTLS: a connection that an attacker can downgrade
// would give a false sense of safety.
package smtpmail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Sender is an SMTP server, as mail.Sender.
type Sender struct {
	addr        string
	implicitTLS bool
	requireTLS  bool
	tls         *tls.Config
	user, pass  string
	timeout     time.Duration
}

// New parses an SMTP URL (see the package doc).
func New(raw string) (*Sender, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("smtp url: %w", err)
	}
	s := &Sender{timeout: 30 * time.Second}
	port := ""
	switch u.Scheme {
	case "smtp":
		port = "25"
	case "smtps":
		port, s.implicitTLS = "465", true
	default:
		return nil, fmt.Errorf("smtp url: scheme %q: want smtp or smtps", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, errors.New("smtp url: no host")
	}
	if u.Port() != "" {
		port = u.Port()
	}
	s.addr = net.JoinHostPort(u.Hostname(), port)
	s.tls = &tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}
	switch tlsMode := u.Query().Get("tls"); tlsMode {
	case "":
	case "starttls":
		if s.implicitTLS {
			return nil, errors.New("smtp url: tls=starttls goes with smtp://, not smtps://")
		}
		s.requireTLS = true
	default:
		return nil, fmt.Errorf("smtp url: tls=%q: want starttls", tlsMode)
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	return s, nil
}

// Addr is the server's host:port.
func (s *Sender) Addr() string { return s.addr }

// Send delivers one message to one recipient.
func (s *Sender) Send(ctx context.Context, from, to string, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	d := net.Dialer{}
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", s.addr, err)
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	var c *smtp.Client
	switch {
	case s.implicitTLS:
		c = smtp.NewClient(tls.Client(conn, s.tls))
	case s.requireTLS:
		if c, err = smtp.NewClientStartTLS(conn, s.tls); err != nil {
			conn.Close()
			return fmt.Errorf("smtp %s: starttls: %w", s.addr, err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	secure := s.implicitTLS || s.requireTLS
	if s.user != "" {
		if !secure && !loopback(s.addr) {
			return fmt.Errorf("smtp %s: refusing to send the password without TLS", s.addr)
		}
		if err := c.Auth(sasl.NewPlainClient("", s.user, s.pass)); err != nil {
			return fmt.Errorf("smtp %s: auth: %w", s.addr, err)
		}
	}
	if err := c.SendMail(from, []string{to}, bytes.NewReader(msg)); err != nil {
		return fmt.Errorf("smtp %s: %w", s.addr, err)
	}
	return c.Quit()
}

func loopback(addr string) bool {
	host, _, _ := net.SplitHostPort(addr)
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
