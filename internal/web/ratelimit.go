package web

import (
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiterTTL is how long an idle client's bucket is kept; after that it is
// forgotten, both to bound memory and to keep no trace of who came.
const limiterTTL = 3 * time.Minute

// limiter keeps one token bucket per client address.
type limiter struct {
	limit rate.Limit
	burst int
	now   func() time.Time

	mu        sync.Mutex
	clients   map[string]*client
	lastSweep time.Time
}

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(perSecond float64, burst int, now func() time.Time) *limiter {
	return &limiter{limit: rate.Limit(perSecond), burst: burst, now: now, clients: map[string]*client{}}
}

// allow reports whether the client key may go on now and, if not, after
// how long it may try again.
func (l *limiter) allow(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > limiterTTL {
		for k, c := range l.clients {
			if now.Sub(c.seen) > limiterTTL {
				delete(l.clients, k)
			}
		}
		l.lastSweep = now
	}
	c := l.clients[key]
	if c == nil {
		c = &client{lim: rate.NewLimiter(l.limit, l.burst)}
		l.clients[key] = c
	}
	c.seen = now
	res := c.lim.ReserveN(now, 1)
	if !res.OK() {
		return false, time.Minute
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// clientKey names the bucket a request counts against: the client's
// address, or for IPv6 its /64, which a subscriber is usually given whole
// and could otherwise hop through.
func (h *handler) clientKey(r *http.Request) string {
	addr, ok := clientAddr(r, h.trusted)
	switch {
	case !ok:
		return r.RemoteAddr
	case addr.Is6():
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

// clientAddr is the address of the client that sent r. X-Forwarded-For is
// read only when the connection comes from a trusted proxy, since anyone
// can write it. Each proxy appends the address it was reached from, so the
// client is the rightmost address that is not a trusted proxy: anything
// left of it was written by the client itself. When every hop is trusted,
// the leftmost is the client; an entry that is not an address stops the
// walk at the proxy that wrote it.
func clientAddr(r *http.Request, trusted []netip.Prefix) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	hop := ap.Addr().Unmap()
	if !isTrusted(hop, trusted) {
		return hop, true
	}
	values := r.Header.Values("X-Forwarded-For")
	for i := len(values) - 1; i >= 0; i-- {
		rest := values[i]
		for rest != "" {
			entry := rest
			if j := strings.LastIndexByte(rest, ','); j >= 0 {
				entry, rest = rest[j+1:], rest[:j]
			} else {
				rest = ""
			}
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			a, ok := parseHop(entry)
			if !ok {
				return hop, true
			}
			hop = a
			if !isTrusted(hop, trusted) {
				return hop, true
			}
		}
	}
	return hop, true
}

// parseHop reads an X-Forwarded-For entry: an address, which some proxies
// write with a port.
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// rateLimit answers 429 with Retry-After to a client over its limit. The
// health probe and the style sheet are not counted.
func (h *handler) rateLimit(l *limiter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		ok, wait := l.allow(h.clientKey(r))
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			if strings.HasPrefix(r.URL.Path, "/api/") {
				writeAPIError(w, http.StatusTooManyRequests, "rate_limited", "too many requests: wait a moment and try again")
				return
			}
			h.renderError(w, r, http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}
