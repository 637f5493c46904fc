package sigv1_test

import (
	"testing"
	"time"

	"github.com/saasplane/saasplane/internal/sigv1"
)

// The vectors of the official Go SDK (client/client_test.go), as restated in
// the SaaSus API digest, section 1.2.
func TestSignVectors(t *testing.T) {
	at := time.Date(2021, 9, 1, 12, 34, 0, 0, time.UTC)
	tests := []struct {
		name, method, body, want string
	}{
		{"get without body", "GET", "", "a041e74fb58621f9e2e25453573b6009a93f457a33df970a7d8a5637a593708b"},
		{"post with body", "POST", "hello world", "a23ee22c670a2e7756a7bad8bc2847196783e1e2576b0d999f6d1b6ccbf5e3fa"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sigv1.Sign([]byte("secret"), at, "apiKey", tt.method, "api.saasus.io/v1/auth/userinfo", []byte(tt.body))
			if got != tt.want {
				t.Fatalf("Sign = %s, want %s", got, tt.want)
			}
			if !sigv1.Verify([]byte("secret"), at.Add(59*time.Second), got, "apiKey", tt.method, "api.saasus.io/v1/auth/userinfo", []byte(tt.body)) {
				t.Fatal("Verify rejected the vector")
			}
		})
	}
}

func TestVerifyWindow(t *testing.T) {
	signedAt := time.Date(2026, 1, 2, 3, 4, 30, 0, time.UTC)
	sig := sigv1.Sign([]byte("s3cret"), signedAt, "k", "PATCH", "localhost:8080/v1/pricing/plans/x?a=1", []byte(`{}`))
	tests := []struct {
		name string
		now  time.Time
		want bool
	}{
		{"same minute", signedAt, true},
		{"one minute later", signedAt.Add(time.Minute), true},
		{"one minute earlier", signedAt.Add(-time.Minute), true},
		{"end of next minute", time.Date(2026, 1, 2, 3, 5, 59, 0, time.UTC), true},
		{"two minutes later", time.Date(2026, 1, 2, 3, 6, 0, 0, time.UTC), false},
		{"two minutes earlier", time.Date(2026, 1, 2, 3, 2, 59, 0, time.UTC), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sigv1.Verify([]byte("s3cret"), tt.now, sig, "k", "PATCH", "localhost:8080/v1/pricing/plans/x?a=1", []byte(`{}`))
			if got != tt.want {
				t.Fatalf("Verify at %s = %v, want %v", tt.now, got, tt.want)
			}
		})
	}
}

func TestVerifyRejectsTampering(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	target := "h:1/v1/pricing/units?b=2&a=1"
	sig := sigv1.Sign([]byte("sec"), at, "key", "POST", target, []byte(`{"a":1}`))
	tests := []struct {
		name                        string
		secret, key, method, target string
		body, sig                   string
	}{
		{"other secret", "sec2", "key", "POST", target, `{"a":1}`, sig},
		{"other key", "sec", "key2", "POST", target, `{"a":1}`, sig},
		{"other method", "sec", "key", "PUT", target, `{"a":1}`, sig},
		{"reordered query", "sec", "key", "POST", "h:1/v1/pricing/units?a=1&b=2", `{"a":1}`, sig},
		{"other body", "sec", "key", "POST", target, `{"a":2}`, sig},
		{"truncated sig", "sec", "key", "POST", target, `{"a":1}`, sig[:62]},
		{"not hex", "sec", "key", "POST", target, `{"a":1}`, "zz" + sig[2:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if sigv1.Verify([]byte(tt.secret), at, tt.sig, tt.key, tt.method, tt.target, []byte(tt.body)) {
				t.Fatal("Verify accepted a tampered request")
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    sigv1.Header
		wantErr bool
	}{
		{in: "SAASUSSIGV1 Sig=ab, SaaSID=s, APIKey=k", want: sigv1.Header{Sig: "ab", SaaSID: "s", APIKey: "k"}},
		{in: "saasussigv1 APIKey=k,SaaSID=s ,  Sig=ab", want: sigv1.Header{Sig: "ab", SaaSID: "s", APIKey: "k"}},
		{in: "Bearer xyz", wantErr: true},
		{in: "SAASUSSIGV1 Sig=ab, SaaSID=s", wantErr: true},
		{in: "SAASUSSIGV1 Sig=ab, SaaSID=s, APIKey=k, Extra=1", wantErr: true},
		{in: "SAASUSSIGV1", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		got, err := sigv1.Parse(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v, err=%v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	h := sigv1.Header{Sig: "a", SaaSID: "b", APIKey: "c"}
	if got, _ := sigv1.Parse(h.Format()); got != h {
		t.Errorf("Parse(Format(h)) = %+v, want %+v", got, h)
	}
}

func TestTarget(t *testing.T) {
	tests := []struct{ host, uri, want string }{
		{"localhost:8080", "/v1/pricing/units", "localhost:8080/v1/pricing/units"},
		{"api.example", "/v1/x?b=2&a=%20", "api.example/v1/x?b=2&a=%20"},
		{"ignored", "http://proxy.example:81/v1/x?q", "proxy.example:81/v1/x?q"},
	}
	for _, tt := range tests {
		if got := sigv1.Target(tt.host, tt.uri); got != tt.want {
			t.Errorf("Target(%q, %q) = %q, want %q", tt.host, tt.uri, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("SAASUSSIGV1 Sig=ab, SaaSID=s, APIKey=k")
	f.Add("saasussigv1 ,,==")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := sigv1.Parse(s)
		if err == nil && (h.Sig == "" || h.SaaSID == "" || h.APIKey == "") {
			t.Fatalf("Parse(%q) accepted an incomplete header %+v", s, h)
		}
	})
}
