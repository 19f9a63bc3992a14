package egress

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

func TestParseAllow(t *testing.T) {
	got, err := ParseAllow(" 10.0.0.0/8, 192.168.1.7 ,,fd00::/8, ::1, 10.1.2.3/16")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.168.1.7/32", "fd00::/8", "::1/128", "10.1.0.0/16"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i, p := range got {
		if p.String() != want[i] {
			t.Errorf("entry %d = %s, want %s", i, p, want[i])
		}
	}
	if got, err := ParseAllow(""); err != nil || len(got) != 0 {
		t.Errorf("empty: got %v, %v", got, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "not-an-ip", "10.0.0.0/8,bogus/8"} {
		_, err := ParseAllow(bad)
		if err == nil {
			t.Errorf("ParseAllow(%q): no error", bad)
			continue
		}
		name := bad[strings.LastIndexByte(bad, ',')+1:]
		if !strings.Contains(err.Error(), name) {
			t.Errorf("ParseAllow(%q) error %q does not name %q", bad, err, name)
		}
	}
}

func TestGuardRefusesEveryInternalRange(t *testing.T) {
	g := &guard{}
	refused := []string{
		"127.0.0.1", "127.255.255.254", // loopback
		"10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", // RFC 1918
		"169.254.169.254", "169.254.0.1", // link-local, cloud metadata
		"100.64.0.1", "100.127.255.255", // CGNAT
		"0.0.0.0", "0.1.2.3", // unspecified / this network
		"224.0.0.1", "239.255.255.255", // multicast
		"255.255.255.255", "240.0.0.1", // broadcast, reserved
		"192.0.2.1", "198.51.100.1", "203.0.113.1", // documentation
		"198.18.0.1", "198.19.255.255", // benchmarking
		"192.0.0.8", "192.88.99.1", // protocol assignments, 6to4 relay
		"::1", "::", // IPv6 loopback, unspecified
		"fe80::1", "fe80::1%eth0", // IPv6 link-local
		"fc00::1", "fd12:3456::1", // ULA
		"ff02::1",                                                       // IPv6 multicast
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", // IPv4-mapped
		"64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::a00:1", // NAT64 of loopback, metadata, private
		"64:ff9b:1::1",           // local-use NAT64
		"2001:db8::1", "3fff::1", // IPv6 documentation
		"2001::1", "2002:7f00:1::1", // Teredo, 6to4
		"::127.0.0.1", "100::1", "::2", // outside global unicast
	}
	for _, s := range refused {
		if why := g.refusal(netip.MustParseAddr(s)); why == "" {
			t.Errorf("%s: allowed, want refused", s)
		}
	}
	allowed := []string{"8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"}
	for _, s := range allowed {
		if why := g.refusal(netip.MustParseAddr(s)); why != "" {
			t.Errorf("%s: refused (%s), want allowed", s, why)
		}
	}
}

func TestGuardAllowList(t *testing.T) {
	allow, err := ParseAllow("10.20.0.0/16,127.0.0.1,fd00:1::/32")
	if err != nil {
		t.Fatal(err)
	}
	g := &guard{allow: allow}
	for _, s := range []string{"10.20.1.1", "127.0.0.1", "::ffff:127.0.0.1", "fd00:1::5"} {
		if why := g.refusal(netip.MustParseAddr(s)); why != "" {
			t.Errorf("%s: refused (%s) despite allow list", s, why)
		}
	}
	for _, s := range []string{"10.21.0.1", "127.0.0.2", "::1", "fd00:2::1", "169.254.169.254"} {
		if why := g.refusal(netip.MustParseAddr(s)); why == "" {
			t.Errorf("%s: allowed, want refused (not in allow list)", s)
		}
	}
}

// An allowed network matches the addresses it names and no other form that
// merely carries them: IPv4-mapped is the IPv4 host itself, but NAT64,
// 6to4, Teredo, IPv4-compatible and IPv4-translated addresses reach other
// machines, and an IPv6 network never covers an IPv4 address.
func TestGuardAllowedNetworkMatchesOnlyWhatItNames(t *testing.T) {
	cases := []struct {
		allow   string
		allowed []string
		refused []string
	}{
		{
			allow:   "127.0.0.1/32",
			allowed: []string{"127.0.0.1", "::ffff:127.0.0.1"},
			refused: []string{
				"64:ff9b::7f00:1",                      // NAT64: the translator's loopback
				"64:ff9b:1::7f00:1",                    // local-use NAT64
				"2002:7f00:1::1",                       // 6to4
				"2001:0:4136:e378:8000:63bf:80ff:fffe", // Teredo, client 127.0.0.1
				"::7f00:1",                             // IPv4-compatible
				"::ffff:0:7f00:1",                      // IPv4-translated
				"::1", "127.0.0.2", "::ffff:127.0.0.2",
			},
		},
		{allow: "10.0.0.0/8", allowed: []string{"10.1.2.3"}, refused: []string{"64:ff9b::a01:203", "2002:a01:203::1"}},
		{allow: "169.254.169.254", refused: []string{"64:ff9b::a9fe:a9fe"}},
		{
			allow:   "::/0",
			allowed: []string{"::1", "fd00::1", "64:ff9b::7f00:1"},
			refused: []string{"127.0.0.1", "::ffff:127.0.0.1", "10.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254"},
		},
		{allow: "::1", allowed: []string{"::1"}, refused: []string{"127.0.0.1", "::ffff:127.0.0.1"}},
		{allow: "64:ff9b::/96", allowed: []string{"64:ff9b::7f00:1"}, refused: []string{"127.0.0.1", "::ffff:127.0.0.1"}},
		{allow: "2002::/16", allowed: []string{"2002:7f00:1::1"}, refused: []string{"127.0.0.1", "192.88.99.1"}},
		{allow: "2001::/32", allowed: []string{"2001:0:4136:e378:8000:63bf:80ff:fffe"}, refused: []string{"127.0.0.1"}},
	}
	for _, tc := range cases {
		g := &guard{allow: mustAllow(t, tc.allow)}
		for _, s := range tc.allowed {
			if why := g.refusal(netip.MustParseAddr(s)); why != "" {
				t.Errorf("allow %s: %s refused (%s), want allowed", tc.allow, s, why)
			}
		}
		for _, s := range tc.refused {
			if why := g.refusal(netip.MustParseAddr(s)); why == "" {
				t.Errorf("allow %s: %s allowed, want refused", tc.allow, s)
			}
		}
	}
	g := &guard{allow: mustAllow(t, "127.0.0.1/32")}
	why := g.refusal(netip.MustParseAddr("64:ff9b::7f00:1"))
	if !strings.Contains(why, "NAT64 form of 127.0.0.1") || !strings.Contains(why, "127.0.0.1/32 covers only the IPv4 address itself") {
		t.Errorf("refusal %q does not explain that the allowed network does not cover the NAT64 form", why)
	}
}

func TestGuardControlHook(t *testing.T) {
	g := &guard{}
	if err := g.control("tcp4", "127.0.0.1:80", nil); err == nil {
		t.Error("control allowed 127.0.0.1:80")
	} else if e, ok := AsError(err); !ok || e.Kind != KindBlocked {
		t.Errorf("control error = %v, want kind blocked", err)
	}
	if err := g.control("tcp6", "[2606:4700:4700::1111]:8443", nil); err != nil {
		t.Errorf("control refused a public address on a non-default port: %v", err)
	}
}

func TestEndsInNumber(t *testing.T) {
	for host, want := range map[string]bool{
		"2130706433": true, "0x7f.1": true, "017700000001": true, "0x7f000001": true, "127.1": true,
		"example.123": true, "0x": true, "api.example.com": false, "1e100.net": false, "0xdead.example": false,
		"example.com.": false, "x.0xfg": false,
	} {
		if got := endsInNumber(host); got != want {
			t.Errorf("endsInNumber(%q) = %v, want %v", host, got, want)
		}
	}
}

// countingServer counts requests and answers 200.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("reached"))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestDoRefusesInternalDestinations(t *testing.T) {
	srv, hits := countingServer(t)
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	c := newTestClient(t, Config{}, map[string][]string{
		"internal.test": {"10.1.2.3"},
		"metadata.test": {"169.254.169.254"},
		"mapped.test":   {"::ffff:127.0.0.1"},
		"nat64.test":    {"64:ff9b::7f00:1"},
		"loop.test":     {"127.0.0.1", "::1"},
	})
	cases := []struct {
		url  string
		kind Kind
	}{
		{"http://127.0.0.1:" + port + "/", KindBlocked},
		{"http://localhost:" + port + "/", KindBlocked}, // a real name resolving to loopback
		{"http://2130706433:" + port + "/", KindBlocked},
		{"http://0x7f.1:" + port + "/", KindBlocked},
		{"http://0x7f000001:" + port + "/", KindBlocked},
		{"http://017700000001:" + port + "/", KindBlocked},
		{"http://127.1:" + port + "/", KindBlocked},
		{"http://0177.0.0.1:" + port + "/", KindBlocked},
		{"http://[::1]:" + port + "/", KindBlocked},
		{"http://[::ffff:127.0.0.1]:" + port + "/", KindBlocked},
		{"http://[::ffff:7f00:1]:" + port + "/", KindBlocked},
		{"http://[64:ff9b::7f00:1]:" + port + "/", KindBlocked},
		{"http://[fe80::1%25lo]:" + port + "/", KindBlocked},
		{"http://[fd00::1]/", KindBlocked},
		{"http://169.254.169.254/latest/meta-data/", KindBlocked},
		{"http://[::ffff:169.254.169.254]/", KindBlocked},
		{"http://10.0.0.1/", KindBlocked},
		{"http://100.64.0.1/", KindBlocked},
		{"http://0.0.0.0:" + port + "/", KindBlocked},
		{"http://224.0.0.1/", KindBlocked},
		{"http://255.255.255.255/", KindBlocked},
		{"http://192.0.2.10/", KindBlocked},
		{"http://internal.test/", KindBlocked},
		{"http://metadata.test/", KindBlocked},
		{"http://mapped.test:" + port + "/", KindBlocked},
		{"http://nat64.test:" + port + "/", KindBlocked},
		{"http://loop.test:" + port + "/", KindBlocked},
		{"http://evil@127.0.0.1:" + port + "/", KindInvalidRequest},
		{"http://127.0.0.1:" + port + "@internal.test/", KindInvalidRequest},
		{"http://127.0.0.1@internal.test/", KindInvalidRequest},
		{"file:///etc/passwd", KindBlocked},
		{"gopher://127.0.0.1:" + port + "/", KindBlocked},
		{"ftp://example.com/", KindBlocked},
	}
	for _, tc := range cases {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatalf("%s: %v", tc.url, err)
		}
		resp, err := c.Do(context.Background(), &Request{URL: u})
		e, ok := AsError(err)
		if !ok || e.Kind != tc.kind {
			t.Errorf("%s: got %v, %v; want kind %s", tc.url, resp, err, tc.kind)
			continue
		}
		if e.Message == "" || e.Attempts != 0 {
			t.Errorf("%s: message %q attempts %d", tc.url, e.Message, e.Attempts)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback server was reached %d times", n)
	}
}

func TestDoUserinfoHostIsTheRealHost(t *testing.T) {
	// In http://127.0.0.1@api.test/ the host is api.test, not 127.0.0.1;
	// the URL is still refused because it carries userinfo.
	u, _ := url.Parse("http://127.0.0.1@api.test/")
	if u.Hostname() != "api.test" {
		t.Fatalf("hostname = %q", u.Hostname())
	}
	c := newTestClient(t, Config{}, nil)
	_, err := c.Do(context.Background(), &Request{URL: u})
	if e, ok := AsError(err); !ok || e.Kind != KindInvalidRequest || !strings.Contains(e.Message, "user information") {
		t.Errorf("got %v, want invalid_request about user information", err)
	}
}

func TestDoSkipsRefusedAddressesOfAName(t *testing.T) {
	srv, hits := countingServer(t)
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	// Only 127.0.0.1 is allowed; the name also resolves to a private address.
	c := newTestClient(t, Config{Allow: mustAllow(t, "127.0.0.1")}, map[string][]string{
		"mixed.test": {"10.9.9.9", "127.0.0.1"},
	})
	resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, "http://mixed.test:"+port+"/")})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 || hits.Load() != 1 {
		t.Errorf("status %d hits %d, want 200 and 1", resp.Status, hits.Load())
	}
}

func TestDoIgnoresProxyEnvironment(t *testing.T) {
	target, targetHits := countingServer(t)
	proxy, proxyHits := countingServer(t)
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)
	t.Setenv("HTTPS_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "")
	port := target.URL[strings.LastIndexByte(target.URL, ':')+1:]
	c := newTestClient(t, Config{Allow: mustAllow(t, "127.0.0.0/8")}, map[string][]string{"api.test": {"127.0.0.1"}})
	resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, "http://api.test:"+port+"/")})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 || targetHits.Load() != 1 || proxyHits.Load() != 0 {
		t.Errorf("status %d target %d proxy %d, want the target reached directly", resp.Status, targetHits.Load(), proxyHits.Load())
	}
}

// fenceLoopback stops, and counts, every dial of c that would leave the
// machine, so a test can show the guard's decision without sending a packet
// anywhere but loopback.
func fenceLoopback(c *Client) *atomic.Int64 {
	var escaped atomic.Int64
	guardControl := c.dialer.net.Control
	c.dialer.net.Control = func(network, address string, rc syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !ap.Addr().Unmap().IsLoopback() {
			escaped.Add(1)
			return errors.New("test fence: not a loopback address")
		}
		return guardControl(network, address, rc)
	}
	return &escaped
}

// loopbackV6Server is countingServer listening on [::1].
func loopbackV6Server(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	var hits atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("reached"))
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &hits
}

// Real dials: with 127.0.0.1/32 allowed, the loopback server is reached by
// its IPv4 and IPv4-mapped addresses, and every other form that embeds
// 127.0.0.1 is refused by the guard before a socket connects; an allowed
// IPv6 network does not reach the IPv4 server, nor an IPv4 network the IPv6
// one.
func TestDoAllowedNetworkReachesOnlyWhatItNames(t *testing.T) {
	v4, v4hits := countingServer(t)
	v6, v6hits := loopbackV6Server(t)
	port4 := v4.URL[strings.LastIndexByte(v4.URL, ':')+1:]
	port6 := v6.URL[strings.LastIndexByte(v6.URL, ':')+1:]
	hosts := map[string][]string{"mapped.test": {"::ffff:127.0.0.1"}, "nat64.test": {"64:ff9b::7f00:1"}, "sixtofour.test": {"2002:7f00:1::1"}}
	cases := []struct {
		allow   string
		url     string
		reached *atomic.Int64 // nil: refused by the guard
	}{
		{"127.0.0.1/32", "http://127.0.0.1:" + port4 + "/", v4hits},
		{"127.0.0.1/32", "http://[::ffff:127.0.0.1]:" + port4 + "/", v4hits},
		{"127.0.0.1/32", "http://mapped.test:" + port4 + "/", v4hits},
		{"127.0.0.1/32", "http://[64:ff9b::7f00:1]:" + port4 + "/", nil},
		{"127.0.0.1/32", "http://nat64.test:" + port4 + "/", nil},
		{"127.0.0.1/32", "http://[64:ff9b:1::7f00:1]:" + port4 + "/", nil},
		{"127.0.0.1/32", "http://[2002:7f00:1::1]:" + port4 + "/", nil},
		{"127.0.0.1/32", "http://sixtofour.test:" + port4 + "/", nil},
		{"127.0.0.1/32", "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:" + port4 + "/", nil},
		{"127.0.0.1/32", "http://[::7f00:1]:" + port4 + "/", nil},
		{"127.0.0.1/32", "http://[::1]:" + port6 + "/", nil},
		{"::1/128", "http://[::1]:" + port6 + "/", v6hits},
		{"::1/128", "http://127.0.0.1:" + port4 + "/", nil},
		{"::1/128", "http://[::ffff:127.0.0.1]:" + port4 + "/", nil},
		{"::/0", "http://127.0.0.1:" + port4 + "/", nil},
		{"::/0", "http://[::ffff:127.0.0.1]:" + port4 + "/", nil},
		{"::/0", "http://mapped.test:" + port4 + "/", nil},
		{"64:ff9b::/96", "http://127.0.0.1:" + port4 + "/", nil},
	}
	for _, tc := range cases {
		c := newTestClient(t, Config{Allow: mustAllow(t, tc.allow)}, hosts)
		escaped := fenceLoopback(c)
		before4, before6 := v4hits.Load(), v6hits.Load()
		resp, err := c.Do(context.Background(), &Request{URL: mustURL(t, tc.url)})
		if tc.reached != nil {
			if err != nil || resp.Status != 200 {
				t.Errorf("allow %s, %s: got %v, %v; want the loopback server reached", tc.allow, tc.url, resp, err)
			}
		} else if e, ok := AsError(err); !ok || e.Kind != KindBlocked {
			t.Errorf("allow %s, %s: got %v, %v; want refused by the guard", tc.allow, tc.url, resp, err)
		}
		want4, want6 := before4, before6
		switch tc.reached {
		case v4hits:
			want4++
		case v6hits:
			want6++
		}
		if v4hits.Load() != want4 || v6hits.Load() != want6 {
			t.Errorf("allow %s, %s: servers reached %d/%d more times, want %d/%d", tc.allow, tc.url,
				v4hits.Load()-before4, v6hits.Load()-before6, want4-before4, want6-before6)
		}
		if n := escaped.Load(); n != 0 {
			t.Errorf("allow %s, %s: the guard let %d dial(s) to a non-loopback address through", tc.allow, tc.url, n)
		}
	}
}
