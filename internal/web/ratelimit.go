package web

import (
	"math"
	"net"
	"net/http"
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

// clientKey is the client's IP address. X-Forwarded-For is not trusted:
// anyone can write it. Behind a proxy, all clients share the proxy's
// bucket, which errs on the safe side.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// rateLimit answers 429 with Retry-After to a client over its limit. The
// health probe and the style sheet are not counted.
func (h *handler) rateLimit(l *limiter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		ok, wait := l.allow(clientKey(r))
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
