package egress

import (
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"time"
)

// localHosts routes exact host names to handlers served in this process:
// a connection to such a host is an in-memory pipe to its handler, so no
// name is resolved, no socket is opened and the guard has nothing to
// check. Every other host is dialed as before.
type localHosts map[string]http.Handler

// newLocalHosts copies m with its names lower-cased.
func newLocalHosts(m map[string]http.Handler) localHosts {
	if len(m) == 0 {
		return nil
	}
	out := make(localHosts, len(m))
	for name, h := range m {
		out[strings.ToLower(strings.TrimSuffix(name, "."))] = h
	}
	return out
}

// handler returns the handler serving host, or nil.
func (l localHosts) handler(host string) http.Handler {
	if l == nil {
		return nil
	}
	return l[strings.ToLower(strings.TrimSuffix(host, "."))]
}

// dial connects to h through an in-memory pipe served by an HTTP/1.1
// server of its own, which ends when the client closes the connection or
// leaves it idle.
func (l localHosts) dial(h http.Handler) net.Conn {
	client, server := net.Pipe()
	ln := &pipeListener{conns: make(chan net.Conn, 1), addr: server.LocalAddr()}
	ln.conns <- server
	close(ln.conns)
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       90 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	// Serve returns at the second Accept; the connection it accepted
	// goes on being served until it closes.
	go func() { _ = srv.Serve(ln) }()
	return client
}

// pipeListener hands one connection to an http.Server and then reports
// itself closed.
type pipeListener struct {
	conns chan net.Conn
	addr  net.Addr
}

// Accept returns the connection once, then net.ErrClosed.
func (p *pipeListener) Accept() (net.Conn, error) {
	c, ok := <-p.conns
	if !ok {
		return nil, net.ErrClosed
	}
	return c, nil
}

// Close does nothing: the served connection outlives the listener.
func (p *pipeListener) Close() error { return nil }

// Addr is the pipe's address.
func (p *pipeListener) Addr() net.Addr { return p.addr }
