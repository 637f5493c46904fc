package apitest

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// SMTPServer is a real SMTP server (github.com/emersion/go-smtp) on a
// loopback port, keeping every message it accepts: the outside world
// that the mail outbox sends to.
type SMTPServer struct {
	URL string // smtp://127.0.0.1:port, for --smtp-url

	mu       sync.Mutex
	received []ReceivedMail
	arrived  chan struct{}
	// Refuse, while positive, answers that many deliveries with a
	// temporary failure (451), as a busy server does.
	refuse int
}

// ReceivedMail is one message as the server received it.
type ReceivedMail struct {
	From, To  string
	Header    mail.Header
	Subject   string
	Text      string // the decoded plain-text body
	MessageID string
}

// NewSMTPServer starts a server until the test ends.
func NewSMTPServer(t testing.TB) *SMTPServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTPServer{URL: "smtp://" + ln.Addr().String(), arrived: make(chan struct{}, 1)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.AllowInsecureAuth = true
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// RefuseNext makes the next n deliveries fail temporarily.
func (s *SMTPServer) RefuseNext(n int) {
	s.mu.Lock()
	s.refuse = n
	s.mu.Unlock()
}

// Received returns every message so far.
func (s *SMTPServer) Received() []ReceivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ReceivedMail(nil), s.received...)
}

// WaitFor returns the first message to addr whose subject contains
// subject, waiting up to 10 s for it.
func (s *SMTPServer) WaitFor(t testing.TB, addr, subject string) ReceivedMail {
	t.Helper()
	return s.wait(t, addr, subject, 1)[0]
}

// WaitForCount returns the first n messages to addr, in the order they
// arrived, waiting up to 10 s for them.
func (s *SMTPServer) WaitForCount(t testing.TB, addr string, n int) []ReceivedMail {
	t.Helper()
	return s.wait(t, addr, "", n)
}

func (s *SMTPServer) wait(t testing.TB, addr, subject string, n int) []ReceivedMail {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		var got []ReceivedMail
		for _, m := range s.Received() {
			if strings.EqualFold(m.To, addr) && strings.Contains(m.Subject, subject) {
				if got = append(got, m); len(got) == n {
					return got
				}
			}
		}
		select {
		case <-s.arrived:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("%d mails to %s about %q arrived, want %d; received %d in all", len(got), addr, subject, n, len(s.Received()))
		}
	}
}

type smtpSession struct {
	s        *SMTPServer
	from, to string
}

func (x *smtpSession) Mail(from string, _ *smtp.MailOptions) error { x.from = from; return nil }
func (x *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error   { x.to = to; return nil }
func (x *smtpSession) Reset()                                      {}
func (x *smtpSession) Logout() error                               { return nil }

func (x *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.refuse > 0 {
		x.s.refuse--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		return err
	}
	subject, _ := new(mimeDecoder).DecodeHeader(m.Header.Get("Subject"))
	x.s.received = append(x.s.received, ReceivedMail{From: x.from, To: x.to, Header: m.Header, Subject: subject,
		Text: strings.ReplaceAll(string(body), "\r\n", "\n"), MessageID: m.Header.Get("Message-ID")})
	select {
	case x.s.arrived <- struct{}{}:
	default:
	}
	return nil
}

type mimeDecoder = mime.WordDecoder
