package web

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testCert writes a self-signed certificate for 127.0.0.1 and its key to
// PEM files and returns their paths and a pool that trusts it.
func testCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "kakekomi test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// syncBuffer is a log buffer the server writes from its own goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestTLS(t *testing.T) {
	certFile, keyFile, pool := testCert(t)
	var logs syncBuffer
	s := newServer(t, Config{TLSCert: certFile, TLSKey: keyFile, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	addr := serveTest(t, s)
	for proto, tr := range map[string]*http.Transport{
		"HTTP/1.1": {TLSClientConfig: &tls.Config{RootCAs: pool}, TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{}},
		"HTTP/2.0": {TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true},
	} {
		resp, err := (&http.Client{Transport: tr}).Get("https://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		tr.CloseIdleConnections()
		if resp.StatusCode != 200 || resp.Proto != proto {
			t.Errorf("over TLS: %d %s, want 200 %s", resp.StatusCode, resp.Proto, proto)
		}
		if got := resp.Header.Get("Strict-Transport-Security"); got != "max-age=31536000" {
			t.Errorf("%s: Strict-Transport-Security %q", proto, got)
		}
	}

	// Plain HTTP to the TLS port is refused.
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("plain HTTP to the TLS port: %d", resp.StatusCode)
	}

	// A failed handshake is logged by net/http with the client's address:
	// the log must keep the event but not the address.
	c := dial(t, addr)
	c.Write([]byte("\x16\x03\x01\x00\x05hello"))
	c.closedByServer()
	if out := logs.String(); !strings.Contains(out, "TLS handshake error") || strings.Contains(out, c.LocalAddr().String()) {
		t.Errorf("handshake failure log:\n%s", out)
	}

	// Without TLS there is no HSTS.
	w := get(t, newServer(t, Config{}).Handler(), "/")
	if got := w.Header().Get("Strict-Transport-Security"); got != "" {
		t.Errorf("plain HTTP answer with Strict-Transport-Security %q", got)
	}
}

func TestTLSBadFiles(t *testing.T) {
	certFile, keyFile, _ := testCert(t)
	for _, cfg := range []Config{
		{TLSCert: certFile},
		{TLSKey: keyFile},
		{TLSCert: keyFile, TLSKey: certFile},
		{TLSCert: filepath.Join(t.TempDir(), "none.pem"), TLSKey: keyFile},
	} {
		if _, err := New(loadKB(t), cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}
