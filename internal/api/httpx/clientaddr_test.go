package httpx

import (
	"net/http"
	"testing"
)

func TestClientAddress(t *testing.T) {
	t.Parallel()
	proxies, err := ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.7 ,fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		trusted TrustedProxies
		peer    string
		xff     []string
		want    string
	}{
		{name: "no proxies trusted: the peer", peer: "203.0.113.9:4711", xff: []string{"198.51.100.1"}, want: "203.0.113.9"},
		{name: "ipv6 peer", peer: "[2001:db8::1]:4711", want: "2001:db8::1"},
		{name: "untrusted peer's header is ignored", trusted: proxies, peer: "203.0.113.9:4711", xff: []string{"198.51.100.1"}, want: "203.0.113.9"},
		{name: "trusted peer, one hop", trusted: proxies, peer: "10.1.2.3:80", xff: []string{"198.51.100.1"}, want: "198.51.100.1"},
		{name: "a forged left entry is not believed", trusted: proxies, peer: "10.1.2.3:80", xff: []string{"1.1.1.1, 198.51.100.1"}, want: "198.51.100.1"},
		{name: "chain of trusted proxies", trusted: proxies, peer: "10.1.2.3:80", xff: []string{"198.51.100.1, 192.0.2.7", "10.9.9.9"}, want: "198.51.100.1"},
		{name: "garbage stops the walk", trusted: proxies, peer: "10.1.2.3:80", xff: []string{"198.51.100.1, nonsense, 10.9.9.9"}, want: "10.9.9.9"},
		{name: "only proxies: the first one", trusted: proxies, peer: "10.1.2.3:80", xff: []string{"192.0.2.7"}, want: "192.0.2.7"},
		{name: "trusted peer, no header", trusted: proxies, peer: "10.1.2.3:80", want: "10.1.2.3"},
		{name: "ipv4-mapped trusted peer, no header", trusted: proxies, peer: "[::ffff:10.1.2.3]:80", want: "10.1.2.3"},
		{name: "ipv4-mapped ipv6", trusted: proxies, peer: "[::ffff:10.1.2.3]:80", xff: []string{"::ffff:198.51.100.1"}, want: "198.51.100.1"},
		{name: "ipv6 proxy", trusted: proxies, peer: "[fd00::5]:80", xff: []string{"2001:db8::7"}, want: "2001:db8::7"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: c.peer, Header: http.Header{}}
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := c.trusted.ClientAddress(r); got != c.want {
				t.Errorf("ClientAddress = %q, want %q", got, c.want)
			}
		})
	}
}

func TestParseTrustedProxiesRefuses(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"10.0.0.0/33", "proxy.example.com", "10.0.0.1/8/8", "1.2.3"} {
		if _, err := ParseTrustedProxies(s); err == nil {
			t.Errorf("ParseTrustedProxies(%q) accepted it", s)
		}
	}
	if p, err := ParseTrustedProxies(" , "); err != nil || len(p.prefixes) != 0 {
		t.Errorf("an empty list: %v, %v", p, err)
	}
}

func FuzzClientAddress(f *testing.F) {
	proxies, _ := ParseTrustedProxies("10.0.0.0/8,::1")
	f.Add("10.0.0.1:80", "198.51.100.1, 10.2.2.2")
	f.Add("[::1]:80", "garbage,,")
	f.Fuzz(func(t *testing.T, peer, xff string) {
		r := &http.Request{RemoteAddr: peer, Header: http.Header{"X-Forwarded-For": {xff}}}
		_ = proxies.ClientAddress(r) // must not panic
	})
}
