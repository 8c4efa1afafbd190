package web

import (
	"container/list"
	"net"
	"net/http"
	"sync"
)

// defaultMaxConns bounds the open connections when Config.MaxConns is 0:
// each costs about 10 KB while idle, so 2,048 stay well inside the memory
// target while letting that many people keep their connection alive.
const defaultMaxConns = 2048

// connLimit is a listener that keeps at most cap(slots) connections open.
// When a connection arrives with every slot taken, it closes the
// connection idle the longest (kept alive for a next request that may
// never come), so idle connections cannot lock new visitors out as they
// would with netutil.LimitListener; with none idle, it waits for one to
// close or fall idle, and new connections wait in the kernel's backlog.
// Its track method must be the server's ConnState hook.
type connLimit struct {
	net.Listener
	slots     chan struct{}
	fellIdle  chan struct{} // signalled when a connection falls idle
	done      chan struct{}
	closeOnce sync.Once

	mu   sync.Mutex
	idle *list.List // of *limitedConn, idle the longest first
}

func newConnLimit(ln net.Listener, max int) *connLimit {
	return &connLimit{
		Listener: ln,
		slots:    make(chan struct{}, max),
		fellIdle: make(chan struct{}, 1),
		done:     make(chan struct{}),
		idle:     list.New(),
	}
}

// Accept waits for a connection and for a slot for it.
func (l *connLimit) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	for {
		select {
		case l.slots <- struct{}{}:
			return &limitedConn{Conn: c, l: l}, nil
		default:
		}
		l.closeIdlest()
		select {
		case l.slots <- struct{}{}:
			return &limitedConn{Conn: c, l: l}, nil
		case <-l.fellIdle:
		case <-l.done:
			c.Close()
			return nil, net.ErrClosed
		}
	}
}

// Close closes the listener and stops a waiting Accept.
func (l *connLimit) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// closeIdlest closes the connection idle the longest, if any.
func (l *connLimit) closeIdlest() {
	l.mu.Lock()
	e := l.idle.Front()
	if e != nil {
		c := e.Value.(*limitedConn)
		l.idle.Remove(e)
		c.idleAt = nil
		l.mu.Unlock()
		c.Close()
		return
	}
	l.mu.Unlock()
}

// track follows the server's connections into and out of idleness.
func (l *connLimit) track(c net.Conn, state http.ConnState) {
	if tc, ok := c.(interface{ NetConn() net.Conn }); ok { // *tls.Conn
		c = tc.NetConn()
	}
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	if lc.idleAt != nil {
		l.idle.Remove(lc.idleAt)
		lc.idleAt = nil
	}
	if state == http.StateIdle {
		lc.idleAt = l.idle.PushBack(lc)
	}
	l.mu.Unlock()
	if state == http.StateIdle {
		select {
		case l.fellIdle <- struct{}{}:
		default:
		}
	}
}

// limitedConn is a connection holding a slot of its connLimit.
type limitedConn struct {
	net.Conn
	l       *connLimit
	idleAt  *list.Element // in l.idle while idle; guarded by l.mu
	release sync.Once
}

func (c *limitedConn) Close() error {
	c.release.Do(func() {
		c.l.mu.Lock()
		if c.idleAt != nil {
			c.l.idle.Remove(c.idleAt)
			c.idleAt = nil
		}
		c.l.mu.Unlock()
		<-c.l.slots
	})
	return c.Conn.Close()
}
