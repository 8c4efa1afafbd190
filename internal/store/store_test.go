package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kakekomi/kakekomi/internal/casefile"
)

// sentinel strings are planted in case data; they must never appear in
// the database in the clear, nor in any log.
const (
	sentinelText  = "SENTINEL-描述-7f3a"
	sentinelParty = "sentinel-party@example.jp"
	sentinelFile  = "SENTINEL-FILE-CONTENT-9c1e"
)

var t0 = time.Date(2026, 11, 24, 10, 30, 0, 0, time.FixedZone("JST", 9*3600))

// forEachStore runs fn on a fresh SQLite store and, when
// KAKEKOMI_TEST_POSTGRES names a server, on a fresh PostgreSQL schema.
func forEachStore(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Run("sqlite", func(t *testing.T) {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "data", DefaultFile))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		s.Now = func() time.Time { return t0 }
		fn(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("KAKEKOMI_TEST_POSTGRES")
		if dsn == "" {
			t.Skip("KAKEKOMI_TEST_POSTGRES is not set (a postgres:// DSN of a test database)")
		}
		s := openPostgresSchema(t, dsn)
		s.Now = func() time.Time { return t0 }
		fn(t, s)
	})
}

// openPostgresSchema opens the store in a new schema of the test database,
// dropped when the test ends, so tests do not see each other's rows.
func openPostgresSchema(t *testing.T, dsn string) *Store {
	t.Helper()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [6]byte
	rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`) })
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	s, err := Open(context.Background(), dsn+sep+"search_path="+schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newCase(t *testing.T) *casefile.Case {
	t.Helper()
	c, err := casefile.Open("通販サイトで代金を振り込んだのに商品が届かない "+sentinelText, nil, map[string]string{"payment_method": "bank_transfer"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	c.Types = []casefile.Type{{ID: "online_shop_fraud", Label: "通販詐欺"}}
	c.Steps = []casefile.Step{{ID: "stop_payment", Text: "銀行に連絡する"}}
	c.Timeline = []casefile.Event{{At: t0.Add(-48 * time.Hour), What: "サイトで注文した"}}
	c.Parties = []casefile.Party{{Name: "株式会社サンプル", Email: sentinelParty, Account: "○○銀行 △△支店 普通 1234567"}}
	c.Payments = []casefile.Payment{{AmountJPY: 39800, At: t0.Add(-47 * time.Hour), Method: "銀行振込"}}
	return c
}

func mustKeys(t *testing.T, code, pass string) casefile.Keys {
	t.Helper()
	k, err := casefile.DeriveKeys(code, pass)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestCreateLoad(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		code := casefile.NewCode()
		k := mustKeys(t, code, "")
		c := newCase(t)
		if err := s.Create(ctx, k, casefile.Bundle{Case: c}, t0.Add(casefile.DefaultTTL)); err != nil {
			t.Fatal(err)
		}
		// The person types the code in lower case without dashes.
		k2 := mustKeys(t, strings.ToLower(strings.ReplaceAll(code, "-", "")), "")
		got, err := s.Load(ctx, k2)
		if err != nil {
			t.Fatal(err)
		}
		if got.Description != c.Description || got.Parties[0].Email != sentinelParty || got.Payments[0].AmountJPY != 39800 || !got.Timeline[0].At.Equal(c.Timeline[0].At) {
			t.Errorf("loaded case differs: %+v", got)
		}
		if _, err := s.Load(ctx, mustKeys(t, casefile.NewCode(), "")); !errors.Is(err, casefile.ErrNotFound) {
			t.Errorf("unknown code: got %v, want ErrNotFound", err)
		}
	})
}

func TestPassphrase(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		code := casefile.NewCode()
		if err := s.Create(ctx, mustKeys(t, code, "あいことば"), casefile.Bundle{Case: newCase(t)}, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		for _, pass := range []string{"", "ちがう"} {
			if _, err := s.Load(ctx, mustKeys(t, code, pass)); !errors.Is(err, casefile.ErrPassphrase) {
				t.Errorf("passphrase %q: got %v, want ErrPassphrase", pass, err)
			}
		}
		if _, err := s.Load(ctx, mustKeys(t, code, "あいことば")); err != nil {
			t.Errorf("right passphrase: %v", err)
		}
		if has, err := s.HasPassphrase(ctx, mustKeys(t, code, "").Lookup); err != nil || !has {
			t.Errorf("HasPassphrase: %v, %v; want true", has, err)
		}
		plain := casefile.NewCode()
		if err := s.Create(ctx, mustKeys(t, plain, ""), casefile.Bundle{Case: newCase(t)}, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if has, err := s.HasPassphrase(ctx, mustKeys(t, plain, "").Lookup); err != nil || has {
			t.Errorf("HasPassphrase of a case without one: %v, %v", has, err)
		}
		if _, err := s.HasPassphrase(ctx, mustKeys(t, casefile.NewCode(), "").Lookup); !errors.Is(err, casefile.ErrNotFound) {
			t.Errorf("HasPassphrase of no case: %v, want ErrNotFound", err)
		}
	})
}

func TestEvidenceAndSealedAtRest(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		k := mustKeys(t, casefile.NewCode(), "")
		if err := s.Create(ctx, k, casefile.Bundle{Case: newCase(t)}, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		data := []byte("件名: ご注文の確認\n" + sentinelFile + "\n")
		e, err := s.AddEvidence(ctx, k, "../../mail.txt", data, "")
		if err != nil {
			t.Fatal(err)
		}
		if e.Name != "mail.txt" || !strings.HasPrefix(e.Type, "text/plain") || e.Size != int64(len(data)) {
			t.Errorf("evidence = %+v", e)
		}
		got, err := s.Evidence(ctx, k, e.ID)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("evidence back: %q, %v", got, err)
		}
		if e, err := s.AddEvidence(ctx, k, "setup.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), ""); err != nil || !e.Runnable() {
			t.Errorf("program kept as %+v, %v; want it kept made safe", e, err)
		}
		if _, err := s.AddEvidence(ctx, k, "invoice.docm", []byte("PK\x03\x04\x14\x00\x06\x00"), ""); !errors.Is(err, casefile.ErrFileType) {
			t.Errorf("office file accepted as evidence: %v", err)
		}
		// Nothing readable in any column.
		for _, q := range []string{`SELECT body FROM cases`, `SELECT data FROM evidence_parts`} {
			rows, err := s.db.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var b []byte
				rows.Scan(&b)
				for _, sentinel := range []string{sentinelText, sentinelParty, sentinelFile, "サンプル"} {
					if bytes.Contains(b, []byte(sentinel)) {
						t.Errorf("%s: %q stored in the clear", q, sentinel)
					}
				}
			}
			rows.Close()
		}
	})
}

// TestRemoveEvidence: a removed file is gone from the case and its bytes
// from the store.
func TestRemoveEvidence(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		k := mustKeys(t, casefile.NewCode(), "")
		if err := s.Create(ctx, k, casefile.Bundle{Case: newCase(t)}, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		e, err := s.AddEvidence(ctx, k, "memo.txt", []byte("メモ"), "")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveEvidence(ctx, k, e.ID); err != nil {
			t.Fatal(err)
		}
		if c, err := s.Load(ctx, k); err != nil || len(c.Evidence) != 0 {
			t.Errorf("after removal the case has %d files (%v)", len(c.Evidence), err)
		}
		var n int
		if err := s.db.QueryRow(`SELECT (SELECT count(*) FROM evidence WHERE lookup = $1) + (SELECT count(*) FROM evidence_parts WHERE lookup = $1)`, k.Lookup).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d evidence rows left (%v)", n, err)
		}
		if err := s.RemoveEvidence(ctx, k, e.ID); !errors.Is(err, casefile.ErrNotFound) {
			t.Errorf("removing it again: %v, want not found", err)
		}
	})
}

func TestUpdateMarksSteps(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		k := mustKeys(t, casefile.NewCode(), "")
		if err := s.Create(ctx, k, casefile.Bundle{Case: newCase(t)}, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		err := s.Update(ctx, k, func(c *casefile.Case) error {
			c.Progress = append(c.Progress, casefile.Progress{At: t0, Desk: "consumer_hotline_188", Reference: "R-1", Result: "相談した"})
			return c.MarkStep("stop_payment", true, t0)
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Update(ctx, k, func(c *casefile.Case) error { return c.MarkStep("nope", true, t0) }); !errors.Is(err, casefile.ErrInvalid) {
			t.Errorf("unknown step: %v", err)
		}
		c, err := s.Load(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		if c.Steps[0].Done.IsZero() || len(c.Progress) != 1 {
			t.Errorf("update lost: %+v", c)
		}
	})
}

func TestDeleteAndPurge(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		gone, kept, renewed := mustKeys(t, casefile.NewCode(), ""), mustKeys(t, casefile.NewCode(), ""), mustKeys(t, casefile.NewCode(), "")
		for _, k := range []casefile.Keys{gone, kept, renewed} {
			if err := s.Create(ctx, k, casefile.Bundle{Case: newCase(t)}, t0.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AddEvidence(ctx, k, "a.txt", []byte("memo"), ""); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Delete(ctx, gone); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Load(ctx, gone); !errors.Is(err, casefile.ErrNotFound) {
			t.Errorf("deleted case still loads: %v", err)
		}
		if err := s.Renew(ctx, renewed, t0.Add(casefile.DefaultTTL)); err != nil {
			t.Fatal(err)
		}
		n, err := s.Purge(ctx, t0.Add(2*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("purge = %d, %v; want 1 (the case not renewed)", n, err)
		}
		if _, err := s.Load(ctx, renewed); err != nil {
			t.Errorf("renewed case purged: %v", err)
		}
		var files int
		s.db.QueryRow(`SELECT COUNT(*) FROM evidence_parts`).Scan(&files)
		if files != 1 {
			t.Errorf("%d evidence parts left, want 1 (the renewed case's)", files)
		}
	})
}

func TestExportImport(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		k := mustKeys(t, casefile.NewCode(), "")
		if err := s.Create(ctx, k, casefile.Bundle{Case: newCase(t)}, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
		if _, err := s.AddEvidence(ctx, k, "screen.png", png, ""); err != nil {
			t.Fatal(err)
		}
		b, err := s.Bundle(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		var zipped bytes.Buffer
		if err := casefile.WriteBundle(&zipped, b, t0); err != nil {
			t.Fatal(err)
		}
		back, err := casefile.ReadBundle(bytes.NewReader(zipped.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		k2 := mustKeys(t, casefile.NewCode(), "")
		if err := s.Create(ctx, k2, back, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, err := s.Evidence(ctx, k2, back.Case.Evidence[0].ID)
		if err != nil || !bytes.Equal(got, png) {
			t.Errorf("imported evidence: %v", err)
		}
	})
}

// TestEvidenceParts checks that a file is kept in sealed parts that
// cannot be reordered, and that a file kept whole before parts came still
// reads.
func TestEvidenceParts(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		k := mustKeys(t, casefile.NewCode(), "")
		if err := s.Create(ctx, k, casefile.Bundle{Case: newCase(t)}, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		data := append([]byte("件名: ご注文の確認\n"), bytes.Repeat([]byte("本文の行\n"), 5*partSize/(2*len("本文の行\n")))...)
		e, err := s.AddEvidence(ctx, k, "mail.txt", data, "")
		if err != nil {
			t.Fatal(err)
		}
		var parts int
		s.db.QueryRow(`SELECT COUNT(*) FROM evidence_parts WHERE id = $1`, e.ID).Scan(&parts)
		if parts != 3 {
			t.Errorf("a file of %d bytes kept in %d parts, want 3", len(data), parts)
		}
		if got, err := s.Evidence(ctx, k, e.ID); err != nil || !bytes.Equal(got, data) {
			t.Errorf("evidence back: %d bytes, %v", len(got), err)
		}

		// The first two parts swapped.
		for _, move := range [][2]int{{0, -1}, {1, 0}, {-1, 1}} {
			if _, err := s.db.Exec(`UPDATE evidence_parts SET part = $1 WHERE id = $2 AND part = $3`, move[1], e.ID, move[0]); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Evidence(ctx, k, e.ID); err == nil {
			t.Error("parts read back in another order")
		}

		old := []byte("件名: 以前の証拠\n")
		whole, err := casefile.NewEvidence("old.txt", old, t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Update(ctx, k, func(c *casefile.Case) error { c.Evidence = append(c.Evidence, whole); return nil }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.Exec(`INSERT INTO evidence (lookup, id, data) VALUES ($1, $2, $3)`, k.Lookup, whole.ID, k.Seal(evidencePrefx+whole.ID, old)); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Evidence(ctx, k, whole.ID); err != nil || !bytes.Equal(got, old) {
			t.Errorf("a file kept whole: %q, %v", got, err)
		}
	})
}

// TestCreateKeepsNothingOfAFailedImport checks that a case whose files
// fail half-way (an import found broken at its second file) leaves
// neither the case nor its first file behind.
func TestCreateKeepsNothingOfAFailedImport(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		c := newCase(t)
		for _, name := range []string{"a.txt", "b.txt"} {
			e, err := casefile.NewEvidence(name, []byte("メールの本文 "+name), t0)
			if err != nil {
				t.Fatal(err)
			}
			c.Evidence = append(c.Evidence, e)
		}
		broken := errors.New("the export is broken")
		b := casefile.Bundle{Case: c, File: func(e casefile.Evidence) (io.Reader, error) {
			if e.ID == c.Evidence[1].ID {
				return nil, broken
			}
			return strings.NewReader("メールの本文 a.txt"), nil
		}}
		k := mustKeys(t, casefile.NewCode(), "")
		if err := s.Create(ctx, k, b, t0.Add(time.Hour)); !errors.Is(err, broken) {
			t.Fatalf("create = %v, want the file's error", err)
		}
		var cases, files int
		s.db.QueryRow(`SELECT COUNT(*) FROM cases WHERE lookup = $1`, k.Lookup).Scan(&cases)
		s.db.QueryRow(`SELECT COUNT(*) FROM evidence_parts WHERE lookup = $1`, k.Lookup).Scan(&files)
		if cases != 0 || files != 0 {
			t.Errorf("%d cases and %d files kept of a failed import", cases, files)
		}
	})
}
