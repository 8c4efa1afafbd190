package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kakekomi/kakekomi/internal/store"
)

// caseEnv runs case commands in-process with a data folder, a clock and
// environment variables of its own.
type caseEnv struct {
	t    *testing.T
	dir  string
	now  time.Time
	vars map[string]string
}

func newCaseEnv(t *testing.T) *caseEnv {
	return &caseEnv{t: t, dir: t.TempDir(), now: time.Date(2026, 11, 24, 1, 30, 0, 0, time.UTC), vars: map[string]string{}}
}

func (e *caseEnv) run(stdin string, args ...string) (int, string, string) {
	e.t.Helper()
	var out, errOut bytes.Buffer
	env := Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string { return e.vars[k] },
		Now:    func() time.Time { return e.now },
	}
	args = append([]string{"case", args[0], "--data", e.dir}, args[1:]...)
	code := Run(context.Background(), args, env)
	return code, out.String(), errOut.String()
}

// must runs a command that must succeed and returns its output.
func (e *caseEnv) must(stdin string, args ...string) string {
	e.t.Helper()
	code, out, errOut := e.run(stdin, args...)
	if code != 0 {
		e.t.Fatalf("kakekomi case %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

var codeRE = regexp.MustCompile(`ケース番号: ([0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5})`)

func newCode(t *testing.T, out string) string {
	t.Helper()
	m := codeRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no case code in output:\n%s", out)
	}
	if !strings.Contains(out, "一度しか表示しません") {
		t.Errorf("new code shown without the warning to keep it:\n%s", out)
	}
	return m[1]
}

const (
	sentinelDesc  = "SENTINEL説明5d2c"
	sentinelEmail = "sentinel-7a@example.jp"
)

func TestCaseLifecycle(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	e := newCaseEnv(t)
	out := e.must("", "new", "ネット通販で腕時計を注文して39800円を振り込んだのに届かない。"+sentinelDesc)
	code := newCode(t, out)

	e.must("", "add", code,
		"--timeline", "2026-11-18 20:00|サイトで注文した",
		"--party", "name=格安ウォッチ,url=https://kakuyasu.example/,email="+sentinelEmail+",address=東京都千代田区1-1-1",
		"--money", "39,800|2026-11-19 10:00|銀行振込|サンプル銀行 本店 普通 1234567",
		"--entered", "注文画面|address,phone",
		"--progress", "2026-11-22|消費生活センター|R-1|警察にもと言われた|警察署へ",
		"--progress", "2026-11-23|police_cyber_desk|||",
		"--step", "keep_evidence",
		"--request", "口座を止めてほしい")
	png := filepath.Join(e.dir, "screen.png")
	os.WriteFile(png, append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...), 0o600)
	if out := e.must("", "evidence", code, png); !strings.Contains(out, "SHA-256") {
		t.Errorf("evidence output: %s", out)
	}

	show := e.must("", "show", code)
	for _, want := range []string{"39,800円", "https://kakuyasu.example/", sentinelEmail, "screen.png", "受付番号 R-1", "[x]", "口座を止めてほしい", "住所、電話番号"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	if h := e.must("", "sheet", code, "--html"); !strings.Contains(h, "<!DOCTYPE html>") || !strings.Contains(h, "39,800円") || !strings.Contains(h, cyberDesk(t)) {
		t.Errorf("sheet --html:\n%s", h)
	}
	if l := e.must("", "letter", code, "demand", "--goods", "腕時計"); !strings.Contains(l, "39,800円") || !strings.Contains(l, "3通") {
		t.Errorf("letter demand:\n%s", l)
	}

	zipPath := filepath.Join(e.dir, "export.zip")
	e.must("", "export", code, zipPath)
	code2 := newCode(t, e.must("", "import", zipPath))
	if code2 == code {
		t.Fatal("import reused the old code")
	}
	if show2 := e.must("", "show", code2); !strings.Contains(show2, "screen.png") || !strings.Contains(show2, sentinelEmail) {
		t.Errorf("imported case lacks data:\n%s", show2)
	}

	e.must("", "delete", code)
	if c, _, errOut := e.run("", "show", code); c != 2 || !strings.Contains(errOut, "見つかりません") {
		t.Errorf("show after delete: exit %d, %s", c, errOut)
	}

	for _, secret := range []string{sentinelDesc, sentinelEmail, code, code2} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log holds case data %q:\n%s", secret, logs.String())
		}
	}
}

func TestCaseCodeFromEnvAndPassphrase(t *testing.T) {
	e := newCaseEnv(t)
	code := newCode(t, e.must("あいことば\nSNSで知らない人からお金を要求された", "new", "--passphrase-stdin"))
	e.vars["KAKEKOMI_CASE_CODE"] = code
	if c, _, errOut := e.run("", "show"); c != 2 || !strings.Contains(errOut, "合言葉") {
		t.Errorf("show without passphrase: exit %d, %s", c, errOut)
	}
	if c, _, _ := e.run("ちがう\n", "show", "--passphrase-stdin"); c != 2 {
		t.Errorf("wrong passphrase: exit %d, want 2", c)
	}
	if out := e.must("あいことば\n", "show", "--passphrase-stdin"); !strings.Contains(out, "お金を要求された") {
		t.Errorf("show with code from env:\n%s", out)
	}
}

func TestCaseExpires(t *testing.T) {
	e := newCaseEnv(t)
	code := newCode(t, e.must("", "new", "--keep", "30", "フリマアプリで商品が届かない"))
	e.now = e.now.Add(29 * 24 * time.Hour)
	e.must("", "renew", code, "--keep", "30")
	e.now = e.now.Add(29 * 24 * time.Hour)
	e.must("", "show", code)
	e.now = e.now.Add(2 * 24 * time.Hour)
	if c, _, _ := e.run("", "show", code); c != 2 {
		t.Errorf("show after expiry: exit %d, want 2 (not found)", c)
	}
}

func TestCaseUsage(t *testing.T) {
	e := newCaseEnv(t)
	for _, args := range [][]string{{"show"}, {"add", "ABCDE-ABCDE-ABCDE-ABCDE"}, {"show", "not-a-code"}, {"letter", "ABCDE-ABCDE-ABCDE-ABCDE", "poem"}} {
		if c, _, errOut := e.run("", args...); c != 2 || errOut == "" {
			t.Errorf("case %v: exit %d (%q), want 2 with a message", args, c, errOut)
		}
	}
}

func TestCaseSheetPDF(t *testing.T) {
	e := newCaseEnv(t)
	code := newCode(t, e.must("", "new", "ネット通販で代金を振り込んだのに商品が届かない"))
	missing := filepath.Join(e.dir, "none.ttf")
	if c, _, errOut := e.run("", "sheet", code, "--pdf", filepath.Join(e.dir, "x.pdf"), "--font", missing); c != 2 || !strings.Contains(errOut, "font") {
		t.Errorf("missing font: exit %d, %q", c, errOut)
	}
	if _, err := os.Stat("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"); err != nil {
		t.Skip("IPAex Gothic not installed (Debian fonts-ipaexfont)")
	}
	out := filepath.Join(e.dir, "sheet.pdf")
	e.must("", "sheet", code, "--pdf", out)
	b, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Errorf("no PDF written: %v", err)
	}
}

// cyberDesk is the name the sheet must show for the desk id police_cyber_desk.
func cyberDesk(t *testing.T) string {
	k, err := loadKB()
	if err != nil {
		t.Fatal(err)
	}
	return "2026年11月23日　" + k.Desk("police_cyber_desk").Name.JA
}

// TestCaseImportRefuses checks that an export made to exhaust memory, and
// one that was changed, are refused in words with exit status 2, and that
// nothing of them is kept.
func TestCaseImportRefuses(t *testing.T) {
	e := newCaseEnv(t)
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "case.json", Method: zip.Deflate})
	w.Write(bytes.Repeat([]byte(" "), 20<<20)) // 20 KiB deflated
	zw.Close()
	bombPath := filepath.Join(e.dir, "bomb.zip")
	os.WriteFile(bombPath, bomb.Bytes(), 0o600)
	if c, _, errOut := e.run("", "import", bombPath); c != 2 || !strings.Contains(errOut, "開くと大きくなりすぎる") {
		t.Errorf("import of a ZIP bomb: exit %d, %s", c, errOut)
	}

	code := newCode(t, e.must("", "new", "フリマで買ったチケットが届かない"))
	note := filepath.Join(e.dir, "note.txt")
	os.WriteFile(note, []byte("取引メッセージの写し"), 0o600)
	e.must("", "evidence", code, note)
	good := filepath.Join(e.dir, "good.zip")
	e.must("", "export", code, good)
	data, _ := os.ReadFile(good)
	changed := filepath.Join(e.dir, "changed.zip")
	os.WriteFile(changed, bytes.Replace(data, []byte("case.json"), []byte("case.jsom"), 1), 0o600)
	if c, _, errOut := e.run("", "import", changed); c != 2 || !strings.Contains(errOut, "このファイルは読み込めません") {
		t.Errorf("import of a changed export: exit %d, %s", c, errOut)
	}
	if n := countCases(t, e); n != 1 {
		t.Errorf("%d cases after refused imports, want the one made", n)
	}
}

// TestCaseExportFailing checks that an export failing half-way leaves no
// file, whole or partial, where it was to go.
func TestCaseExportFailing(t *testing.T) {
	e := newCaseEnv(t)
	code := newCode(t, e.must("", "new", "フリマで買ったチケットが届かない"))
	note := filepath.Join(e.dir, "note.txt")
	os.WriteFile(note, []byte("取引メッセージの写し"), 0o600)
	e.must("", "evidence", code, note)
	s, err := store.Open(context.Background(), filepath.Join(e.dir, store.DefaultFile))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.DB().Exec(`UPDATE evidence_parts SET data = $1`, []byte("spoiled"))
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "case.zip")
	if c, _, _ := e.run("", "export", code, out); c != 1 {
		t.Errorf("export of a spoiled case: exit %d, want 1", c)
	}
	if left, _ := os.ReadDir(filepath.Dir(out)); len(left) != 0 {
		t.Errorf("a failed export left %v", left)
	}
}

// countCases counts the cases in e's store.
func countCases(t *testing.T, e *caseEnv) int {
	t.Helper()
	s, err := store.Open(context.Background(), filepath.Join(e.dir, store.DefaultFile))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int
	if err := s.DB().QueryRow(`SELECT count(*) FROM cases`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCaseEvidenceProgram checks that a script kept as evidence is stored
// byte for byte but shown, listed and exported under a name that does not
// run when opened, with a warning.
func TestCaseEvidenceProgram(t *testing.T) {
	e := newCaseEnv(t)
	code := newCode(t, e.must("", "new", "請求書というメールの添付ファイルを開いてしまった"))
	script := []byte("CreateObject(\"WScript.Shell\").Run \"cmd /c del *\"")
	file := filepath.Join(e.dir, "請求書.vbs")
	os.WriteFile(file, script, 0o600)
	out := e.must("", "evidence", code, file)
	if !strings.Contains(out, "請求書.vbs.evidence") || !strings.Contains(out, "開かないでください") {
		t.Errorf("evidence output: %s", out)
	}
	if show := e.must("", "show", code); !strings.Contains(show, "請求書.vbs.evidence（プログラム・開かないこと") {
		t.Errorf("show:\n%s", show)
	}
	zipPath := filepath.Join(e.dir, "export.zip")
	e.must("", "export", code, zipPath)
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "evidence/") && !strings.HasSuffix(f.Name, "-請求書.vbs.evidence") {
			t.Errorf("exported as %q", f.Name)
		}
	}
}
