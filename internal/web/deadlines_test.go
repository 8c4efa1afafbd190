package web

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSlowBodyCutOff checks that a client trickling its body is answered
// 408 and disconnected once its grace is over, instead of holding the
// connection.
func TestSlowBodyCutOff(t *testing.T) {
	s := newServer(t, Config{})
	s.h.bodyGrace = 200 * time.Millisecond
	addr := serveTest(t, s)
	for _, c := range []struct{ path, contentType string }{
		{"/triage", "application/x-www-form-urlencoded"},
		{"/api/v1/triage", "application/json"},
	} {
		conn := dial(t, addr)
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: kakekomi.test\r\nContent-Type: %s\r\nContent-Length: 1000\r\n\r\n{", c.path, c.contentType)
		if got := conn.readStatus(t); got != http.StatusRequestTimeout {
			t.Errorf("%s: a stalled body answered %d, want 408", c.path, got)
		}
		if !conn.closedByServer() {
			t.Errorf("%s: the connection stays open after a stalled body", c.path)
		}
	}
}

// TestSlowBodiesDoNotStarve holds 1,000 connections that send a request
// body slowly, as an attacker would, and checks that other clients are
// still answered: a slow body holds a connection, not a share of the
// in-flight limit.
func TestSlowBodiesDoNotStarve(t *testing.T) {
	addr := serveTest(t, newServer(t, Config{RateLimit: 1e6, MaxInFlight: 2}))
	const slow = 1000
	for i := range slow {
		c, err := net.Dial("tcp", addr)
		if errors.Is(err, syscall.EMFILE) {
			t.Skipf("only %d connections: too few file descriptors", i)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST /api/v1/triage HTTP/1.1\r\nHost: kakekomi.test\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
	}
	if got := dial(t, addr).get(t, "/healthz"); got != 200 {
		t.Errorf("health probe beside slow bodies: %d", got)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Post("http://"+addr+"/api/v1/triage", "application/json", strings.NewReader(`{"text":"`+phishingText+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("triage beside slow bodies: %d", resp.StatusCode)
	}
}

// TestLargeDownloadNotCut exports a case with an 8 MB file to a client
// that reads slowly, for longer than the write grace: the ZIP must arrive
// whole, not cut at the server's write timeout.
func TestLargeDownloadNotCut(t *testing.T) {
	s, _ := caseServer(t, Config{})
	s.h.writeGrace = 200 * time.Millisecond
	h := s.Handler()
	code := saveCase(t, h, phishingText, "")
	file := make([]byte, 8<<20)
	rand.Read(file)
	copy(file, pngFile)
	if w := upload(t, h, "/case/evidence", url.Values{"code": {code}}, "file", "screen.png", file); w.Code != 200 {
		t.Fatalf("upload: %d", w.Code)
	}
	addr := serveTest(t, s)

	c := dial(t, addr)
	// A small receive buffer, so that the server waits on the reader.
	c.Conn.(*net.TCPConn).SetReadBuffer(32 << 10)
	form := url.Values{"code": {code}}.Encode()
	fmt.Fprintf(c, "POST /case/export HTTP/1.1\r\nHost: kakekomi.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", len(form), form)
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	for {
		_, err := io.CopyN(&zipped, resp.Body, 64<<10)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d bytes: %v", zipped.Len(), err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped.Bytes()), int64(zipped.Len()))
	if err != nil {
		t.Fatalf("status %d, %d bytes, not a whole ZIP: %v", resp.StatusCode, zipped.Len(), err)
	}
	want := sha256.Sum256(file)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		hsh := sha256.New()
		_, err = io.Copy(hsh, rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if bytes.Equal(hsh.Sum(nil), want[:]) {
			return
		}
	}
	names := []string{}
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	b, _ := json.Marshal(names)
	t.Errorf("the exported ZIP lacks the file: %s", b)
}
