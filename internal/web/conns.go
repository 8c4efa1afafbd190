package web

import (
	"container/list"
	"net"
	"net/http"
	"sync"
	"time"
)

// defaultMaxConns bounds the open connections when Config.MaxConns is 0.
// Each costs about 10 KB while idle, so 4,096 fit in the memory target
// (40 MB at most) while two thousand phones can keep two connections each.
const defaultMaxConns = 4096

// minIdleToClose is how long a connection must have been idle before a
// new one may close it: a client that sends every few hundred
// milliseconds keeps its connection, and a burst of new connections waits
// for the cap instead of breaking the ones in use.
const minIdleToClose = time.Second

// connLimit is a listener that keeps at most cap(slots) connections open.
// When a connection arrives with every slot taken, it closes the
// connection idle the longest, once idle for minIdle (kept alive for a
// next request that may never come), so idle connections cannot lock new
// visitors out as they would with netutil.LimitListener; until then it
// waits for a connection to close or fall idle, and new connections wait
// in the kernel's backlog. Its track method must be the server's
// ConnState hook.
type connLimit struct {
	net.Listener
	minIdle   time.Duration
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
		minIdle:  minIdleToClose,
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
		if l.waitSlot(l.closeIdlest()) {
			return &limitedConn{Conn: c, l: l}, nil
		}
		select {
		case <-l.done:
			c.Close()
			return nil, net.ErrClosed
		default:
		}
	}
}

// waitSlot waits for a slot, for a connection to fall idle, for wait when
// it is not 0, or for the listener to close, and reports whether it took
// a slot.
func (l *connLimit) waitSlot(wait time.Duration) bool {
	var later <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		later = t.C
	}
	select {
	case l.slots <- struct{}{}:
		return true
	case <-l.fellIdle:
	case <-later:
	case <-l.done:
	}
	return false
}

// Close closes the listener and stops a waiting Accept.
func (l *connLimit) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// closeIdlest closes the connection idle the longest, if it has been idle
// for minIdle, or else says how long until it will have been (0 with none
// idle).
func (l *connLimit) closeIdlest() time.Duration {
	l.mu.Lock()
	e := l.idle.Front()
	if e == nil {
		l.mu.Unlock()
		return 0
	}
	c := e.Value.(*limitedConn)
	if wait := l.minIdle - time.Since(c.idleSince); wait > 0 {
		l.mu.Unlock()
		return wait
	}
	l.idle.Remove(e)
	c.idleAt = nil
	l.mu.Unlock()
	c.Close()
	return 0
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
		lc.idleSince = time.Now()
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
	l         *connLimit
	idleAt    *list.Element // in l.idle while idle; guarded by l.mu
	idleSince time.Time     // guarded by l.mu
	release   sync.Once
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
