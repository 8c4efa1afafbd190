package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServe(t *testing.T) {
	var stderr bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &stderr, Getenv: func(string) string { return "" }, Now: time.Now}
	for _, args := range [][]string{
		{"serve", "--rate-limit", "0"}, {"serve", "--nope"}, {"serve", "extra"},
		{"serve", "--trusted-proxy", "proxy.example"}, {"serve", "--tls-cert", "cert.pem"},
		{"serve", "--max-inflight", "-1"}, {"serve", "--max-conns", "many"}, {"serve", "--trusted-proxy", "10.0.0.0/33"},
	} {
		if code := Run(context.Background(), args, env); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	// A cancelled context (as after SIGINT) makes serve start, create the
	// data folder and shut down cleanly.
	dir := filepath.Join(t.TempDir(), "kakekomi-data")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	stderr.Reset()
	if code := Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, env); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("data folder: %v", err)
	}
}

func TestParsePrefixes(t *testing.T) {
	got, err := parsePrefixes("10.0.0.0/8, 192.0.2.7,fd00::/8,::ffff:198.51.100.1,10.1.2.3/16")
	if err != nil {
		t.Fatal(err)
	}
	want := "[10.0.0.0/8 192.0.2.7/32 fd00::/8 198.51.100.1/32 10.1.0.0/16]"
	if fmt.Sprint(got) != want {
		t.Errorf("got %v, want %s", got, want)
	}
	for _, bad := range []string{"", "10.0.0.0/8,", "proxy", "10.0.0.0/40"} {
		if _, err := parsePrefixes(bad); err == nil {
			t.Errorf("parsePrefixes(%q) accepted", bad)
		}
	}
}
