package awsmp_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/marketplace/awsmp"
)

// newCert returns a self-signed certificate and its key.
func newCert(t testing.TB) (*x509.Certificate, *rsa.PrivateKey, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sns.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func notification() awsmp.SNSMessage {
	return awsmp.SNSMessage{
		Type: "Notification", MessageID: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
		TopicArn:       "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-prod1",
		Message:        `{"action":"subscribe-success","customer-identifier":"X01EXAMPLEX","product-code":"prod1"}`,
		Timestamp:      "2026-11-23T00:00:00.000Z",
		SigningCertURL: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
		UnsubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
	}
}

// Messages signed with the trusted key verify, in both signature versions
// and for every message type; any change to a signed field, another key,
// or an unknown version fails.
func TestSNSSignatures(t *testing.T) {
	cert, key, _ := newCert(t)
	_, otherKey, _ := newCert(t)
	v := &awsmp.SNSVerifier{Trusted: cert}
	confirm := notification()
	confirm.Type, confirm.Token, confirm.SubscribeURL = "SubscriptionConfirmation", "tok", "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"
	withSubject := notification()
	withSubject.Subject = "hello"
	tests := []struct {
		name    string
		msg     awsmp.SNSMessage
		version string
		signer  *rsa.PrivateKey
		tamper  func(m *awsmp.SNSMessage)
		ok      bool
	}{
		{"notification v1", notification(), "1", key, nil, true},
		{"notification v2", notification(), "2", key, nil, true},
		{"with subject", withSubject, "2", key, nil, true},
		{"subscription confirmation", confirm, "1", key, nil, true},
		{"message changed", notification(), "2", key, func(m *awsmp.SNSMessage) { m.Message = strings.Replace(m.Message, "success", "fail", 1) }, false},
		{"topic changed", notification(), "1", key, func(m *awsmp.SNSMessage) { m.TopicArn += "x" }, false},
		{"subject added", notification(), "2", key, func(m *awsmp.SNSMessage) { m.Subject = "x" }, false},
		{"token changed", confirm, "2", key, func(m *awsmp.SNSMessage) { m.Token = "other" }, false},
		{"version changed", notification(), "2", key, func(m *awsmp.SNSMessage) { m.SignatureVersion = "1" }, false},
		{"unknown version", notification(), "2", key, func(m *awsmp.SNSMessage) { m.SignatureVersion = "3" }, false},
		{"signature not base64", notification(), "2", key, func(m *awsmp.SNSMessage) { m.Signature = "!!" }, false},
		{"another key", notification(), "2", otherKey, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.msg
			if err := awsmp.SignSNS(&m, tt.signer, tt.version); err != nil {
				t.Fatal(err)
			}
			// What is verified is what went over the wire.
			b, _ := json.Marshal(m)
			m, err := awsmp.ParseSNSMessage(b)
			if err != nil {
				t.Fatal(err)
			}
			if tt.tamper != nil {
				tt.tamper(&m)
			}
			err = v.Verify(t.Context(), m)
			if (err == nil) != tt.ok {
				t.Fatalf("Verify = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// Without a trusted certificate, only an HTTPS SNS host's .pem is fetched;
// anything else is refused before any request is made.
func TestSNSCertificateURLs(t *testing.T) {
	_, key, certPEM := newCert(t)
	fetched := 0
	hc := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		fetched++
		return &http.Response{StatusCode: 200, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
	})}
	v := &awsmp.SNSVerifier{HTTPClient: hc}
	for _, u := range []string{
		"http://sns.us-east-1.amazonaws.com/cert.pem",
		"https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
		"https://evil.example/sns.us-east-1.amazonaws.com/cert.pem",
		"https://sns.us-east-1.amazonaws.com:8443/cert.pem",
		"https://sns.us-east-1.amazonaws.com/cert.txt",
		"https://s3.amazonaws.com/cert.pem",
	} {
		m := notification()
		m.SigningCertURL = u
		if err := awsmp.SignSNS(&m, key, "2"); err != nil {
			t.Fatal(err)
		}
		if err := v.Verify(t.Context(), m); err == nil || !strings.Contains(err.Error(), "not an AWS SNS certificate URL") {
			t.Errorf("%s: Verify = %v, want refused", u, err)
		}
	}
	if fetched != 0 {
		t.Fatalf("%d certificates fetched from refused URLs", fetched)
	}

	// An SNS URL is fetched once and cached.
	hc.Transport = roundTripper(func(r *http.Request) (*http.Response, error) {
		fetched++
		return &http.Response{StatusCode: 200, Body: bodyOf(certPEM), Header: http.Header{}, Request: r}, nil
	})
	for range 3 {
		m := notification()
		if err := awsmp.SignSNS(&m, key, "1"); err != nil {
			t.Fatal(err)
		}
		if err := v.Verify(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	if fetched != 1 {
		t.Fatalf("certificate fetched %d times, want once", fetched)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func bodyOf(b []byte) *readCloser { return &readCloser{strings.NewReader(string(b))} }

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

// Whatever arrives at the notification endpoint, parsing and verifying
// never panic, and only a correctly signed message verifies.
func FuzzSNSMessage(f *testing.F) {
	valid := notification()
	b, _ := json.Marshal(valid)
	f.Add(b)
	f.Add([]byte(`{"Type":"SubscriptionConfirmation","Token":"t","SubscribeURL":"u"}`))
	f.Add([]byte(`{"Type":"Notification","Signature":"` + strings.Repeat("A", 344) + `"}`))
	f.Add([]byte(`[]`))
	cert, _, _ := newCert(f)
	v := &awsmp.SNSVerifier{Trusted: cert}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := awsmp.ParseSNSMessage(b)
		if err != nil {
			return
		}
		if err := v.Verify(t.Context(), m); err == nil {
			t.Fatalf("an unsigned message verified: %s", b)
		}
	})
}
