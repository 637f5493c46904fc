package httpx

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies are the addresses of the reverse proxies in front of
// saasplane, whose X-Forwarded-For saasplane believes. The zero value
// trusts no one: the client is the connection's peer.
type TrustedProxies struct{ prefixes []netip.Prefix }

// ParseTrustedProxies reads a comma-separated list of IP addresses and
// CIDR prefixes ("10.0.0.0/8, 192.0.2.7, fd00::/8"); "" trusts no one.
func ParseTrustedProxies(s string) (TrustedProxies, error) {
	var t TrustedProxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return TrustedProxies{}, fmt.Errorf("%q is neither an IP address nor a CIDR prefix", f)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		t.prefixes = append(t.prefixes, p.Masked())
	}
	return t, nil
}

func (t TrustedProxies) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddress is the address of the client that sent r: the
// connection's peer, or, when the peer is a trusted proxy, the last
// address of X-Forwarded-For (every header line, in order) that is not a
// trusted proxy, read from the right, as each proxy appends the address
// it saw. An entry that is not an IP address stops the walk there, since
// whoever wrote it is not trusted.
func (t TrustedProxies) ClientAddress(r *http.Request) string {
	peer := PeerAddress(r.RemoteAddr)
	a, err := netip.ParseAddr(peer)
	if err != nil || !t.trusts(a) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	client := a.Unmap()
	for i := len(hops) - 1; i >= 0; i-- {
		h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		client = h.Unmap()
		if !t.trusts(client) {
			break
		}
	}
	return client.String()
}

// PeerAddress is the host part of a connection's address (host:port, as
// net/http sets it in RemoteAddr), without consulting any header.
func PeerAddress(remote string) string {
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}
