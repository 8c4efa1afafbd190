package store

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kakekomi/kakekomi/internal/casefile"
)

// TestHelperSave is not a test: TestKillDuringSave runs it in a child
// process, which saves cases in a loop and prints each code once its save
// has returned, as the CLI would show it to the person.
func TestHelperSave(t *testing.T) {
	path := os.Getenv("KAKEKOMI_HELPER_DB")
	if path == "" {
		t.Skip("helper process for TestKillDuringSave")
	}
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	for i := 0; ; i++ {
		code := casefile.NewCode()
		k, err := casefile.DeriveKeys(code, "")
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		c := newCase(t)
		if err := s.Create(ctx, k, casefile.Bundle{Case: c}, time.Now().Add(time.Hour)); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		if _, err := s.AddEvidence(ctx, k, "memo.txt", bytes.Repeat([]byte("証拠のメモ "), 2000+i), ""); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("saved", code)
	}
}

// TestKillDuringSave kills a process with SIGKILL while it saves, then
// checks that every case it confirmed is readable, with its evidence, and
// that the database is intact.
func TestKillDuringSave(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a helper process")
	}
	path := filepath.Join(t.TempDir(), DefaultFile)
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperSave$")
		cmd.Env = append(os.Environ(), "KAKEKOMI_HELPER_DB="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var codes []string
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "error") {
				t.Fatalf("round %d: helper: %s", round, line)
			}
			if code, ok := strings.CutPrefix(line, "saved "); ok {
				codes = append(codes, code)
				if len(codes) == 5+round*3 {
					cmd.Process.Signal(syscall.SIGKILL)
				}
			}
		}
		cmd.Wait()
		if len(codes) == 0 {
			t.Fatalf("round %d: helper saved nothing", round)
		}
		s, err := Open(context.Background(), path)
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		var check string
		if err := s.db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
			t.Fatalf("round %d: integrity_check = %q, %v", round, check, err)
		}
		for _, code := range codes {
			b, err := s.Bundle(context.Background(), mustKeys(t, code, ""))
			if err == nil && len(b.Case.Evidence) != 1 {
				err = fmt.Errorf("%d evidence files", len(b.Case.Evidence))
			}
			if err == nil {
				var r io.Reader
				if r, err = b.File(b.Case.Evidence[0]); err == nil {
					_, err = io.Copy(io.Discard, r)
				}
			}
			if err != nil {
				t.Errorf("round %d: confirmed case %s lost after kill: %v", round, code, err)
			}
		}
		s.Close()
	}
}

// TestNoCaseDataInLogs runs every store operation with a logger that
// records everything and checks that no case data reached it.
func TestNoCaseDataInLogs(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		code := casefile.NewCode()
		k := mustKeys(t, code, "")
		if err := s.Create(ctx, k, casefile.Bundle{Case: newCase(t)}, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		s.AddEvidence(ctx, k, "mail.txt", []byte(sentinelFile), "")
		s.AddEvidence(ctx, k, "bad.bin", []byte("\x00\x01"+sentinelFile), "")
		s.Update(ctx, k, func(c *casefile.Case) error { c.Request = sentinelText; return nil })
		if b, err := s.Bundle(ctx, k); err == nil {
			casefile.WriteBundle(io.Discard, b, t0)
		}
		s.Load(ctx, mustKeys(t, code, "wrong"))
		s.Delete(ctx, k)
		s.Purge(ctx, t0.Add(365*24*time.Hour))
		for _, secret := range []string{sentinelText, sentinelParty, sentinelFile, code, k.Lookup} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("log holds case data %q:\n%s", secret, logs.String())
			}
		}
	})
}
