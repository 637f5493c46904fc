package awsmp

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// SNSMessage is the JSON envelope Amazon SNS posts to an HTTP(S)
// subscription (and puts in SQS without raw delivery).
type SNSMessage struct {
	Type             string `json:"Type"` // Notification, SubscriptionConfirmation, UnsubscribeConfirmation
	MessageID        string `json:"MessageId"`
	TopicArn         string `json:"TopicArn"`
	Subject          string `json:"Subject,omitempty"`
	Message          string `json:"Message"`
	Timestamp        string `json:"Timestamp"`
	Token            string `json:"Token,omitempty"`
	SubscribeURL     string `json:"SubscribeURL,omitempty"`
	UnsubscribeURL   string `json:"UnsubscribeURL,omitempty"`
	SignatureVersion string `json:"SignatureVersion"` // "1": SHA1withRSA, "2": SHA256withRSA
	Signature        string `json:"Signature"`
	SigningCertURL   string `json:"SigningCertURL"`
}

// ParseSNSMessage decodes an envelope and checks it has what a signature
// covers.
func ParseSNSMessage(b []byte) (SNSMessage, error) {
	var m SNSMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("not an SNS message: %w", err)
	}
	switch m.Type {
	case "Notification":
	case "SubscriptionConfirmation", "UnsubscribeConfirmation":
		if m.Token == "" || m.SubscribeURL == "" {
			return m, fmt.Errorf("SNS %s without Token or SubscribeURL", m.Type)
		}
	default:
		return m, fmt.Errorf("unknown SNS message Type %q", m.Type)
	}
	if m.MessageID == "" || m.TopicArn == "" || m.Timestamp == "" || m.Signature == "" || m.SigningCertURL == "" {
		return m, errors.New("SNS message without MessageId, TopicArn, Timestamp, Signature or SigningCertURL")
	}
	return m, nil
}

// stringToSign is what SNS signs: the message's fields as "Name\nvalue\n"
// pairs in a fixed order, per message type.
func (m SNSMessage) stringToSign() string {
	var b strings.Builder
	add := func(k, v string) { b.WriteString(k + "\n" + v + "\n") }
	add("Message", m.Message)
	add("MessageId", m.MessageID)
	if m.Type == "Notification" {
		if m.Subject != "" {
			add("Subject", m.Subject)
		}
		add("Timestamp", m.Timestamp)
		add("TopicArn", m.TopicArn)
		add("Type", m.Type)
		return b.String()
	}
	add("SubscribeURL", m.SubscribeURL)
	add("Timestamp", m.Timestamp)
	add("Token", m.Token)
	add("TopicArn", m.TopicArn)
	add("Type", m.Type)
	return b.String()
}

func snsHash(version string) (crypto.Hash, error) {
	switch version {
	case "1":
		return crypto.SHA1, nil
	case "2":
		return crypto.SHA256, nil
	}
	return 0, fmt.Errorf("unknown SNS SignatureVersion %q", version)
}

func digest(h crypto.Hash, s string) []byte {
	if h == crypto.SHA1 {
		d := sha1.Sum([]byte(s))
		return d[:]
	}
	d := sha256.Sum256([]byte(s))
	return d[:]
}

// SignSNS signs m in place as SNS does (version "1" or "2"); saasplane's
// AWS emulator uses it for the notifications it sends.
func SignSNS(m *SNSMessage, key *rsa.PrivateKey, version string) error {
	h, err := snsHash(version)
	if err != nil {
		return err
	}
	m.SignatureVersion = version
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, h, digest(h, m.stringToSign()))
	if err != nil {
		return err
	}
	m.Signature = base64.StdEncoding.EncodeToString(sig)
	return nil
}

// snsCertHost is the host of every certificate AWS SNS signs with.
var snsCertHost = regexp.MustCompile(`^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)

// SNSVerifier checks that messages come from SNS. In production it
// fetches the signing certificate, only over HTTPS from an SNS host, and
// caches it; offline it trusts one configured certificate (the emulator's)
// instead and fetches nothing.
type SNSVerifier struct {
	// Trusted, when set, is the only certificate accepted, whatever
	// SigningCertURL says.
	Trusted *x509.Certificate
	// TrustedURL, when set (and Trusted is not), is where the one accepted
	// certificate is fetched from, once, over any scheme: an emulator's.
	TrustedURL string
	// HTTPClient fetches certificates (http.DefaultClient when nil).
	HTTPClient *http.Client

	mu    sync.Mutex
	certs map[string]*x509.Certificate
}

// Verify checks m's signature.
func (v *SNSVerifier) Verify(ctx context.Context, m SNSMessage) error {
	h, err := snsHash(m.SignatureVersion)
	if err != nil {
		return err
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil {
		return fmt.Errorf("SNS Signature is not base64: %w", err)
	}
	cert := v.Trusted
	switch {
	case cert != nil:
	case v.TrustedURL != "":
		if cert, err = v.fetch(ctx, v.TrustedURL); err != nil {
			return err
		}
	default:
		if cert, err = v.cert(ctx, m.SigningCertURL); err != nil {
			return err
		}
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("SNS signing certificate has no RSA key")
	}
	if err := rsa.VerifyPKCS1v15(pub, h, digest(h, m.stringToSign()), sig); err != nil {
		return errors.New("SNS signature does not match the message")
	}
	return nil
}

// cert returns the certificate at rawURL, which must be an SNS host's.
func (v *SNSVerifier) cert(ctx context.Context, rawURL string) (*x509.Certificate, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" || !snsCertHost.MatchString(u.Hostname()) || u.Port() != "" || !strings.HasSuffix(u.Path, ".pem") {
		return nil, fmt.Errorf("SigningCertURL %q is not an AWS SNS certificate URL", rawURL)
	}
	return v.fetch(ctx, rawURL)
}

// fetch returns the certificate at rawURL, fetched once and cached.
func (v *SNSVerifier) fetch(ctx context.Context, rawURL string) (*x509.Certificate, error) {
	v.mu.Lock()
	c, ok := v.certs[rawURL]
	v.mu.Unlock()
	if ok {
		return c, nil
	}
	hc := v.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch SNS certificate: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch SNS certificate: HTTP %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, err
	}
	c, err = ParseCertificatePEM(b)
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	if v.certs == nil {
		v.certs = map[string]*x509.Certificate{}
	}
	v.certs[rawURL] = c
	v.mu.Unlock()
	return c, nil
}

// ParseCertificatePEM reads the first certificate of a PEM file.
func ParseCertificatePEM(b []byte) (*x509.Certificate, error) {
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return nil, errors.New("no PEM certificate found")
		}
		if blk.Type == "CERTIFICATE" {
			return x509.ParseCertificate(blk.Bytes)
		}
	}
}

// Confirm confirms a subscription by fetching its SubscribeURL, as SNS
// expects from an HTTP(S) endpoint. Unless the verifier trusts an
// emulator, the URL must be HTTPS on an SNS host.
func (v *SNSVerifier) Confirm(ctx context.Context, m SNSMessage) error {
	u, err := url.Parse(m.SubscribeURL)
	if err != nil {
		return fmt.Errorf("SubscribeURL: %w", err)
	}
	if v.Trusted == nil && v.TrustedURL == "" && (u.Scheme != "https" || !snsHost.MatchString(u.Hostname())) {
		return fmt.Errorf("SubscribeURL %q is not an AWS SNS URL", m.SubscribeURL)
	}
	hc := v.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.SubscribeURL, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("confirm the SNS subscription: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("confirm the SNS subscription: HTTP %d", resp.StatusCode)
	}
	return nil
}

// snsHost matches SNS API hosts (sns.us-east-1.amazonaws.com).
var snsHost = snsCertHost
