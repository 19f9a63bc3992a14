package egress

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
)

// namedPrefix is a refused address range with the words used to explain it.
type namedPrefix struct {
	prefix netip.Prefix
	name   string
}

// deniedV4 lists the IPv4 ranges that are never called unless allowed:
// everything in the IANA special-purpose registry that is not the public
// internet.
var deniedV4 = []namedPrefix{
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified (this-network) address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private network address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address (cloud metadata lives here)"},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private network address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "an IETF protocol assignment address"},
	{netip.MustParsePrefix("192.0.2.0/24"), "a documentation address"},
	{netip.MustParsePrefix("192.31.196.0/24"), "an AS112 address"},
	{netip.MustParsePrefix("192.52.193.0/24"), "an AMT address"},
	{netip.MustParsePrefix("192.88.99.0/24"), "a 6to4 relay address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private network address"},
	{netip.MustParsePrefix("192.175.48.0/24"), "an AS112 address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address"},
	{netip.MustParsePrefix("198.51.100.0/24"), "a documentation address"},
	{netip.MustParsePrefix("203.0.113.0/24"), "a documentation address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved or broadcast address"},
}

// globalUnicastV6 is the only IPv6 space that is the public internet.
var globalUnicastV6 = netip.MustParsePrefix("2000::/3")

// nat64 is the well-known NAT64 prefix; its last 32 bits are an IPv4 address.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// deniedV6 names the IPv6 ranges refused unless allowed: the common ones
// outside global unicast (for the message) and the special-purpose ranges
// inside it.
var deniedV6 = []namedPrefix{
	{netip.MustParsePrefix("::/128"), "an unspecified address"},
	{netip.MustParsePrefix("::1/128"), "a loopback address"},
	{netip.MustParsePrefix("fe80::/10"), "a link-local address"},
	{netip.MustParsePrefix("fc00::/7"), "a unique local (private) address"},
	{netip.MustParsePrefix("ff00::/8"), "a multicast address"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "a local-use NAT64 address"},
	{netip.MustParsePrefix("2001::/23"), "an IETF protocol assignment address"},
	{netip.MustParsePrefix("2001:db8::/32"), "a documentation address"},
	{netip.MustParsePrefix("2002::/16"), "a 6to4 address"},
	{netip.MustParsePrefix("2620:4f:8000::/48"), "an AS112 address"},
	{netip.MustParsePrefix("3fff::/20"), "a documentation address"},
}

// ParseAllow parses a comma-separated list of CIDRs (the value of
// ACTIONGATE_EGRESS_ALLOW), each as ParsePrefix reads it. Empty entries are
// skipped; an invalid entry is named in the error.
func ParseAllow(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for entry := range strings.SplitSeq(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		p, err := ParsePrefix(entry)
		if err != nil {
			return nil, fmt.Errorf("egress: allowed networks: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}

// ParsePrefix reads one allowed network: a CIDR ("10.0.0.0/8", "fd00::/8")
// or a bare address (that single host). Host bits in a CIDR are cleared and
// IPv4-mapped IPv6 forms are taken as IPv4, so they match what the guard
// compares. The error quotes the entry and shows the expected forms.
func ParsePrefix(entry string) (netip.Prefix, error) {
	if strings.Contains(entry, "/") {
		p, err := netip.ParsePrefix(entry)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not a CIDR (like 10.0.0.0/8 or fd00::/8)", entry)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(entry)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR (like 10.0.0.5 or 10.0.0.0/8)", entry)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// guard decides whether an address may be dialed.
type guard struct {
	allow []netip.Prefix
}

// refusal returns why a may not be dialed, or "" when it may.
//
// An allowed network matches only the addresses it names, compared as the
// socket connects: an IPv4-mapped address is the IPv4 host itself (the
// kernel dials it over IPv4), so it matches IPv4 networks and no IPv6 one.
// Every other IPv6 form that carries an IPv4 address (NAT64, 6to4, Teredo,
// IPv4-compatible) reaches a translator or relay, not that host, so it
// matches only IPv6 networks: allowing 127.0.0.1 does not allow
// 64:ff9b::7f00:1, which is the translator's own loopback.
func (g *guard) refusal(a netip.Addr) string {
	a = a.WithZone("")
	u := a.Unmap()
	var embedded netip.Addr
	if u.Is6() && nat64.Contains(u) {
		b := u.As16()
		embedded = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	}
	for _, p := range g.allow {
		if p.Contains(u) {
			return ""
		}
	}
	if u.Is4() {
		if why := refusalV4(u); why != "" {
			if u != a {
				return fmt.Sprintf("%s is the IPv4-mapped form of %s, %s", a, u, why)
			}
			return fmt.Sprintf("%s is %s", u, why)
		}
		return ""
	}
	if embedded.IsValid() {
		if why := refusalV4(embedded); why != "" {
			return fmt.Sprintf("%s is the NAT64 form of %s, %s%s", u, embedded, why, g.notCoveredNote(embedded))
		}
		return ""
	}
	for _, np := range deniedV6 {
		if np.prefix.Contains(u) {
			return fmt.Sprintf("%s is %s", u, np.name)
		}
	}
	if !globalUnicastV6.Contains(u) {
		return fmt.Sprintf("%s is outside the public IPv6 range", u)
	}
	return ""
}

// notCoveredNote explains, when an allowed IPv4 network holds v4, that it
// does not extend to the NAT64 form of v4.
func (g *guard) notCoveredNote(v4 netip.Addr) string {
	for _, p := range g.allow {
		if p.Contains(v4) {
			return fmt.Sprintf(" (the allowed network %s covers only the IPv4 address itself, not its NAT64 form)", p)
		}
	}
	return ""
}

func refusalV4(a netip.Addr) string {
	for _, np := range deniedV4 {
		if np.prefix.Contains(a) {
			return np.name
		}
	}
	return ""
}

// control is the net.Dialer Control hook: it checks the address every
// socket is about to connect to, after name resolution.
func (g *guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return blockedErr(address, "the address could not be checked")
	}
	if why := g.refusal(ap.Addr()); why != "" {
		return blockedAddrErr(ap.Addr().String(), ap.Addr().Unmap().WithZone(""), why)
	}
	return nil
}

// checkURL refuses URLs that are not plain http(s) to a checkable host,
// before anything is resolved or sent.
func (g *guard) checkURL(u *url.URL) *Error {
	if u == nil {
		return invalidErr("no URL was given")
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return blockedErr(u.Host, fmt.Sprintf("the scheme %q is not allowed (only http and https)", u.Scheme))
	}
	if u.User != nil {
		return invalidErr("the URL contains user information (user@host), which is never sent; credentials belong in a credential")
	}
	host := u.Hostname()
	if host == "" {
		return invalidErr("the URL has no host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return invalidErr(fmt.Sprintf("the port %q is not valid", p))
		}
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if why := g.refusal(a); why != "" {
			return blockedAddrErr(host, a.Unmap().WithZone(""), why)
		}
		return nil
	}
	if endsInNumber(host) {
		return blockedErr(host, "the host is a number in a non-standard IP spelling (decimal, octal or hex)")
	}
	return nil
}

// endsInNumber reports whether host's last label is numeric (decimal, or
// hex with 0x): resolvers read such names as IPv4 addresses in alternative
// spellings (2130706433, 0x7f.1, 017700000001), so they are not DNS names.
func endsInNumber(host string) bool {
	host = strings.TrimSuffix(host, ".")
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	if rest, ok := strings.CutPrefix(strings.ToLower(last), "0x"); ok {
		return strings.Trim(rest, "0123456789abcdef") == ""
	}
	return strings.Trim(last, "0123456789") == ""
}

// lookupFunc resolves a host name to addresses.
type lookupFunc func(ctx context.Context, host string) ([]netip.Addr, error)

// dialer connects only to addresses the guard accepts: it resolves the name
// itself, drops refused addresses, and dials the rest by IP with the guard
// also installed as the socket Control hook.
type dialer struct {
	guard  *guard
	net    *net.Dialer
	lookup lookupFunc
	// local are the hosts served in this process, never dialed.
	local localHosts
}

// DialContext is the Transport's dial function.
func (d *dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, invalidErr("the address could not be parsed")
	}
	if h := d.local.handler(host); h != nil {
		return d.local.dial(h), nil
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		addrs, err = d.lookup(ctx, host)
		if err != nil {
			return nil, err
		}
	}
	var firstRefusal string
	var refusedAddr netip.Addr
	var lastErr error
	for _, a := range addrs {
		a = a.Unmap().WithZone("")
		if why := d.guard.refusal(a); why != "" {
			if firstRefusal == "" {
				firstRefusal, refusedAddr = why, a
			}
			continue
		}
		conn, err := d.net.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return conn, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	if lastErr != nil {
		return nil, lastErr
	}
	if firstRefusal != "" {
		return nil, blockedAddrErr(host, refusedAddr, firstRefusal)
	}
	return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
}

// isBlocked reports whether err is a guard refusal.
func isBlocked(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) && (e.Kind == KindBlocked || e.Kind == KindInvalidRequest) {
		return e, true
	}
	return nil, false
}
