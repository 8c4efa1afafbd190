package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServe(t *testing.T) {
	var stderr bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &stderr, Getenv: func(string) string { return "" }, Now: time.Now}
	for _, args := range [][]string{{"serve", "--rate-limit", "0"}, {"serve", "--nope"}, {"serve", "extra"}} {
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
