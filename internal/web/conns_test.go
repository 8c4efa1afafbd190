package web

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// serveTest runs s on a loopback port until the test ends and returns the
// address.
func serveTest(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// rawConn is a client connection the test drives byte by byte.
type rawConn struct {
	net.Conn
	br *bufio.Reader
}

func dial(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	// A bound for a test that would otherwise hang, not a measurement.
	c.SetDeadline(time.Now().Add(30 * time.Second))
	return &rawConn{Conn: c, br: bufio.NewReader(c)}
}

// get sends a GET on the connection and reads the answer's status.
func (c *rawConn) get(t *testing.T, path string) int {
	t.Helper()
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: kakekomi.test\r\n\r\n", path)
	return c.readStatus(t)
}

func (c *rawConn) readStatus(t *testing.T) int {
	t.Helper()
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		t.Fatalf("read answer: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// closedByServer reports whether the server has closed the connection.
func (c *rawConn) closedByServer() bool {
	_, err := c.br.ReadByte()
	return err == io.EOF
}

// limitServer serves "ok" behind a connLimit of max connections.
func limitServer(t *testing.T, max int, minIdle time.Duration) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := newConnLimit(ln, max)
	cl.minIdle = minIdle
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Write([]byte("ok"))
		}),
		ConnState: cl.track,
	}
	go srv.Serve(cl)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestConnLimitClosesIdle checks that with every connection slot taken by
// kept-alive connections, a new visitor is served and an idle connection
// is closed for it.
func TestConnLimitClosesIdle(t *testing.T) {
	addr := limitServer(t, 2, 0)
	a, b := dial(t, addr), dial(t, addr)
	if a.get(t, "/") != 200 || b.get(t, "/") != 200 {
		t.Fatal("the first two connections are not served")
	}
	c := dial(t, addr)
	if c.get(t, "/") != 200 {
		t.Fatal("a third connection is not served")
	}
	// The third took the slot of one of the idle ones (the one idle the
	// longest, unless the other fell idle first).
	a.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	aClosed := a.closedByServer()
	b.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	bClosed := b.closedByServer()
	if aClosed == bClosed {
		t.Errorf("idle connections closed: first %v, second %v; want exactly one", aClosed, bClosed)
	}
}

// TestConnLimitKeepsActive checks that a connection in the middle of a
// request, or idle for less than minIdle, is never closed to make room:
// the new one waits for it.
func TestConnLimitKeepsActive(t *testing.T) {
	addr := limitServer(t, 1, 0)
	a := dial(t, addr)
	const body = "0123456789"
	fmt.Fprintf(a, "POST / HTTP/1.1\r\nHost: kakekomi.test\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:4])
	c := dial(t, addr)
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: kakekomi.test\r\n\r\n")
	fmt.Fprint(a, body[4:])
	if got := a.readStatus(t); got != 200 {
		t.Fatalf("the active connection's request: %d", got)
	}
	if got := c.readStatus(t); got != 200 {
		t.Fatalf("the waiting connection: %d", got)
	}
	if !a.closedByServer() {
		t.Error("the first connection, idle after its answer, was not closed for the waiting one")
	}

	addr = limitServer(t, 1, time.Hour)
	a = dial(t, addr)
	if a.get(t, "/") != 200 {
		t.Fatal("the first connection is not served")
	}
	c = dial(t, addr)
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: kakekomi.test\r\n\r\n")
	// Idle for less than minIdle, the first keeps its connection.
	if a.get(t, "/") != 200 {
		t.Fatal("a connection idle for a moment was closed for a new one")
	}
	a.Close()
	if got := c.readStatus(t); got != 200 {
		t.Fatalf("the waiting connection: %d", got)
	}
}
