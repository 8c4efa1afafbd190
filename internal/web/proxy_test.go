package web

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

var testProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}

func TestClientAddr(t *testing.T) {
	for _, c := range []struct {
		remote string
		xff    []string
		want   string
	}{
		// Not from a proxy: the header is the client's own words.
		{"203.0.113.9:4000", []string{"198.51.100.1"}, "203.0.113.9"},
		{"203.0.113.9:4000", nil, "203.0.113.9"},
		// From a proxy: the rightmost hop that is not a proxy.
		{"10.0.0.2:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"10.0.0.2:4000", []string{"6.6.6.6, 198.51.100.1, 10.0.0.3"}, "198.51.100.1"},
		{"10.0.0.2:4000", []string{"6.6.6.6", "198.51.100.1,10.0.0.3"}, "198.51.100.1"},
		{"10.0.0.2:4000", []string{"198.51.100.1:5555"}, "198.51.100.1"},
		{"[fd00::2]:4000", []string{"2001:db8::5, fd00::3"}, "2001:db8::5"},
		{"[::ffff:10.0.0.2]:4000", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		// A forged entry left of the client's changes nothing.
		{"10.0.0.2:4000", []string{"10.0.0.99, 198.51.100.1"}, "198.51.100.1"},
		// Every hop a proxy: the leftmost.
		{"10.0.0.2:4000", []string{"10.1.1.1, 10.0.0.3"}, "10.1.1.1"},
		{"10.0.0.2:4000", nil, "10.0.0.2"},
		// Garbage stops at the proxy that wrote it.
		{"10.0.0.2:4000", []string{"198.51.100.1, unknown, 10.0.0.3"}, "10.0.0.3"},
		{"10.0.0.2:4000", []string{", ,"}, "10.0.0.2"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		got, ok := clientAddr(r, testProxies)
		if !ok || got.String() != c.want {
			t.Errorf("%s with %q: %v %v, want %s", c.remote, c.xff, got, ok, c.want)
		}
	}
}

// TestRateLimitBehindProxy checks that behind a trusted proxy each client
// has its own bucket, and that without one the header cannot buy a new
// bucket.
func TestRateLimitBehindProxy(t *testing.T) {
	send := func(h http.Handler, remote, xff string) int {
		r := httptest.NewRequest("GET", "/api/v1/desks", nil)
		r.RemoteAddr = remote
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	behind := newServer(t, Config{RateLimit: 0.001, TrustedProxies: testProxies}).Handler()
	for range minRateBurst {
		send(behind, "10.0.0.2:1", "198.51.100.1")
	}
	if code := send(behind, "10.0.0.2:1", "198.51.100.1"); code != http.StatusTooManyRequests {
		t.Errorf("a client over its limit behind the proxy: %d", code)
	}
	if code := send(behind, "10.0.0.2:2", "198.51.100.2"); code != http.StatusOK {
		t.Errorf("another client behind the same proxy: %d", code)
	}
	// Two addresses of one IPv6 /64 are one client.
	for range minRateBurst {
		send(behind, "10.0.0.2:1", "2001:db8:1:2::1")
	}
	if code := send(behind, "10.0.0.2:1", "2001:db8:1:2::ffff"); code != http.StatusTooManyRequests {
		t.Errorf("another address of the same /64: %d", code)
	}

	direct := newServer(t, Config{RateLimit: 0.001}).Handler()
	for range minRateBurst {
		send(direct, "203.0.113.9:1", "")
	}
	if code := send(direct, "203.0.113.9:1", "198.51.100.77"); code != http.StatusTooManyRequests {
		t.Errorf("a forged X-Forwarded-For without a trusted proxy bought a new bucket: %d", code)
	}
}

// FuzzClientAddr reads any X-Forwarded-For from a trusted proxy: the
// client found is the proxy or an entry of the header, and whatever a
// client writes, it cannot hide the address the proxy appended.
func FuzzClientAddr(f *testing.F) {
	for _, s := range []string{"198.51.100.1", "6.6.6.6, 198.51.100.1, 10.0.0.3", "unknown", "[::1]:80, fd00::1", ",,,", "2001:db8::5%eth0"} {
		f.Add(s)
	}
	remote := netip.MustParseAddr("10.0.0.2")
	find := func(t *testing.T, xff string) netip.Addr {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "10.0.0.2:4000"
		r.Header.Set("X-Forwarded-For", xff)
		got, ok := clientAddr(r, testProxies)
		if !ok {
			t.Fatalf("no client for %q", xff)
		}
		return got
	}
	f.Fuzz(func(t *testing.T, xff string) {
		got := find(t, xff)
		found := got == remote
		for _, e := range strings.Split(xff, ",") {
			if a, ok := parseHop(strings.TrimSpace(e)); ok && a == got {
				found = true
			}
		}
		if !found {
			t.Errorf("client %v for %q is neither the proxy nor in the header", got, xff)
		}
		if got := find(t, xff+", 198.51.100.1"); got.String() != "198.51.100.1" {
			t.Errorf("client %v for %q before the proxy's entry", got, xff)
		}
	})
}
