package web

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRedactAddrs(t *testing.T) {
	for in, want := range map[string]string{
		"write tcp 127.0.0.1:8080->198.51.100.7:51234: write: broken pipe": "write tcp (address)->(address): write: broken pipe",
		"http: TLS handshake error from [2001:db8::1]:443: EOF":            "http: TLS handshake error from (address): EOF",
		"from 2001:db8::7 and fe80::1%eth0.":                               "from (address) and (address).",
		"http: panic serving 192.0.2.1:1234: boom":                         "http: panic serving (address): boom",
		"::ffff:192.0.2.1": "(address)",
		// Times, versions and words stay.
		"at 2026-11-24T10:30:00+09:00, 10:30:00": "at 2026-11-24T10:30:00+09:00, 10:30:00",
		"go1.26.8 v0.62.0 http2: stream closed":  "go1.26.8 v0.62.0 http2: stream closed",
		"render case.html: no field Foo":         "render case.html: no field Foo",
		"":                                       "",
	} {
		if got := redactAddrs(in); got != want {
			t.Errorf("redactAddrs(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzRedactAddrs checks that redacting never fails, that redacting twice
// changes nothing, and that an address standing alone is always removed.
func FuzzRedactAddrs(f *testing.F) {
	for _, s := range []string{"192.0.2.1:80", "[::1]:443: EOF", "a 10:30:00 b", "fe80::1%eth0", "1.2.3.4.5", "::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := redactAddrs(s)
		if twice := redactAddrs(once); twice != once {
			t.Errorf("redactAddrs not idempotent on %q: %q then %q", s, once, twice)
		}
		for _, tok := range strings.Fields(once) {
			if isAddr(strings.Trim(tok, ":.,()")) {
				t.Errorf("redactAddrs(%q) = %q keeps the address %q", s, once, tok)
			}
		}
	})
}

// TestLogsHaveNoClientAddress logs through the server's logger what the
// server logs when things fail around a connection: net/http's own error
// lines, and an error quoting the connection with attributes and groups.
func TestLogsHaveNoClientAddress(t *testing.T) {
	var buf bytes.Buffer
	s := newServer(t, Config{Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	fmt.Fprint(serverErrorLog{s.log}, "http: panic serving 192.0.2.1:51234: boom\n")
	fmt.Fprint(serverErrorLog{s.log}, "http: TLS handshake error from [2001:db8::1]:443: EOF\n")
	opErr := &net.OpError{Op: "write", Net: "tcp",
		Source: &net.TCPAddr{IP: net.ParseIP("192.0.2.10"), Port: 8080},
		Addr:   &net.TCPAddr{IP: net.ParseIP("198.51.100.7"), Port: 51234}, Err: errors.New("broken pipe")}
	s.log.With("peer", "198.51.100.8:1").WithGroup("g").Error("x", "err", opErr, slog.Group("in", "addr", "[2001:db8::2]:80"))
	out := buf.String()
	for _, addr := range []string{"192.0.2.1", "2001:db8", "192.0.2.10", "198.51.100.7", "198.51.100.8"} {
		if strings.Contains(out, addr) {
			t.Errorf("the log has %s:\n%s", addr, out)
		}
	}
	if !strings.Contains(out, "boom") || !strings.Contains(out, "broken pipe") {
		t.Errorf("the log lost the errors themselves:\n%s", out)
	}
}

// failingWriter is a client connection that breaks while a page is sent.
type failingWriter struct {
	*httptest.ResponseRecorder
	headers int
}

func (w *failingWriter) WriteHeader(code int) {
	w.headers++
	w.ResponseRecorder.WriteHeader(code)
}

func (w *failingWriter) Write([]byte) (int, error) {
	return 0, &net.OpError{Op: "write", Net: "tcp",
		Source: &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 8080},
		Addr:   &net.TCPAddr{IP: net.ParseIP("203.0.113.5"), Port: 40312}, Err: errors.New("broken pipe")}
}

// TestSendFailureLogged checks that a page that cannot be sent is logged
// without the client's address, as the client's doing rather than an
// error, and is not answered a second time.
func TestSendFailureLogged(t *testing.T) {
	var buf bytes.Buffer
	h := newServer(t, Config{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}).Handler()
	w := &failingWriter{ResponseRecorder: httptest.NewRecorder()}
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	out := buf.String()
	if strings.Contains(out, "203.0.113.5") || strings.Contains(out, ":40312") {
		t.Errorf("the log has the client's address:\n%s", out)
	}
	if !strings.Contains(out, `"msg":"send page"`) || strings.Contains(out, `"level":"ERROR"`) {
		t.Errorf("a send failure is not logged as one:\n%s", out)
	}
	if w.headers != 1 || w.Code != http.StatusOK {
		t.Errorf("answered %d times, status %d", w.headers, w.Code)
	}
}
