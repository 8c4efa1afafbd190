package sheet

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kakekomi/kakekomi/internal/casefile"
)

var t0 = time.Date(2026, 11, 24, 10, 30, 0, 0, time.FixedZone("JST", 9*3600))

func runes(s string) float64 { return float64(utf8.RuneCountInString(s)) }

func TestWrapKinsoku(t *testing.T) {
	tests := []struct {
		text  string
		width float64
		want  []string
	}{
		// 。 would start line 2: the break moves back one.
		{"あいうえおかきくけこ。さしす", 10, []string{"あいうえおかきくけ", "こ。さしす"}},
		// 「 would end line 1: it goes down with its word.
		{"あいうえおかきくけ「こ」さしす", 10, []string{"あいうえおかきくけ", "「こ」さしす"}},
		// ー and small kana do not start a line.
		{"ABCDEFGHIスーパー", 10, []string{"ABCDEFGHI", "スーパー"}},
		{"かきくけこさしすせそっと", 10, []string{"かきくけこさしすせ", "そっと"}},
		// A URL that fits on a line is not cut.
		{"サイト https://shop.example/", 24, []string{"サイト", "https://shop.example/"}},
		{"私は貴殿（https://shop.example/）から", 23, []string{"私は貴殿", "（https://shop.example/）", "から"}},
		{"一行目\n\n三行目", 10, []string{"一行目", "", "三行目"}},
	}
	for _, tt := range tests {
		got := Wrap(tt.text, tt.width, runes)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Wrap(%q, %v) = %q, want %q", tt.text, tt.width, got, tt.want)
		}
	}
}

// FuzzWrap checks Wrap's promises on any text: no text is lost, no line
// is too wide unless it is one character, and kinsoku holds wherever the
// break had room to move.
func FuzzWrap(f *testing.F) {
	for _, s := range []string{"", "あいうえお。かきくけこ「さしすせそ」", "https://example.com/a/b?c=d 振り込みました。", "\n\n）））（（（", "ーーーーーーーーーーーー"} {
		f.Add(s, 6)
	}
	f.Fuzz(func(t *testing.T, s string, w int) {
		if !utf8.ValidString(s) || w < 1 || w > 200 {
			return
		}
		lines := Wrap(s, float64(w), runes)
		joined := strings.ReplaceAll(strings.Join(lines, ""), " ", "")
		want := strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", ""), "\n", ""), " ", "")
		if joined != want {
			t.Fatalf("text changed: %q -> %q", s, lines)
		}
		for _, l := range lines {
			if runes(l) > float64(w) && utf8.RuneCountInString(l) > 1 {
				t.Fatalf("line %q wider than %d", l, w)
			}
		}
	})
}

func sampleCase(t *testing.T) *casefile.Case {
	t.Helper()
	c, err := casefile.Open("ネット通販で腕時計を注文し、39,800円を振り込みましたが、商品が届かず、お店と連絡がとれません。", nil, nil, t0)
	if err != nil {
		t.Fatal(err)
	}
	c.Types = []casefile.Type{{ID: "online_shop_fraud", Label: "詐欺サイト・通販で代金を払ったのに商品が届かない"}}
	c.Timeline = []casefile.Event{
		{At: t0.Add(-24 * time.Hour), What: "代金を振り込んだ"},
		{At: t0.Add(-72 * time.Hour), What: "「格安ウォッチ」というサイトで注文した"},
	}
	c.Parties = []casefile.Party{{Name: "格安ウォッチ", URL: "https://kakuyasu-watch.example/", Account: "サンプル銀行 本店 普通 1234567 ヤマダタロウ", Email: "info@kakuyasu-watch.example"}}
	c.Payments = []casefile.Payment{{AmountJPY: 39800, At: t0.Add(-24 * time.Hour), Method: "銀行振込", Account: "サンプル銀行 本店 普通 1234567"}}
	c.Entered = []casefile.Entered{{Where: "格安ウォッチの注文画面", What: []string{"address", "phone"}}}
	c.Evidence = []casefile.Evidence{{ID: "0123456789abcdef", Name: "注文確認メール.txt", Type: "text/plain; charset=utf-8", Size: 2048, SHA256: strings.Repeat("ab", 32), Received: t0}}
	c.Progress = []casefile.Progress{{At: t0, Desk: "消費生活センター（188）", Reference: "2026-1234", Result: "警察にも相談するよう言われた", Next: "警察署へ行く"}}
	c.Request = "振込先の口座を止めて、お金を取り戻したいです。"
	return c
}

func TestDesksSection(t *testing.T) {
	s := New(sampleCase(t), t0, nil)
	s.AddDesks([]Desk{{Name: "消費者ホットライン", Phone: "188", Hours: "平日 10:00〜16:00"}})
	last := s.Sections[len(s.Sections)-1]
	if last.Title != "10. 相談先の電話番号" || last.Phones[0] != "188" {
		t.Errorf("desks section = %+v", last)
	}
	if txt := s.Text(80); !strings.Contains(txt, "消費者ホットライン　188（平日 10:00〜16:00）") {
		t.Errorf("text sheet lacks the desk's number:\n%s", txt)
	}
}

func TestTextHasEveryFact(t *testing.T) {
	txt := New(sampleCase(t), t0, nil).Text(80)
	for _, want := range []string{"相談シート", "2026年11月24日", "いつ: 2026年11月21日 10時30分 ごろから", "https://kakuyasu-watch.example/",
		"39,800円", "サンプル銀行", "住所、電話番号", strings.Repeat("ab", 32), "受付番号 2026-1234", "お金を取り戻したい"} {
		if !strings.Contains(txt, want) {
			t.Errorf("text sheet lacks %q:\n%s", want, txt)
		}
	}
	// The timeline is in time order whatever the order of entry.
	if strings.Index(txt, "注文した") > strings.Index(txt, "代金を振り込んだ") {
		t.Errorf("timeline not sorted:\n%s", txt)
	}
}

func TestHTMLEscapes(t *testing.T) {
	c := sampleCase(t)
	c.Description = `<script>alert(1)</script>`
	h, err := New(c, t0, nil).HTML()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(h, []byte("<script>")) || !bytes.Contains(h, []byte("&lt;script&gt;")) {
		t.Errorf("description not escaped")
	}
}

func TestFindFontMissing(t *testing.T) {
	if _, err := FindFont(filepath.Join(t.TempDir(), "none.ttf")); err == nil {
		t.Error("missing --font accepted")
	}
	old := FontPaths
	FontPaths = nil
	defer func() { FontPaths = old }()
	if _, err := FindFont(""); !errors.Is(err, ErrNoFont) {
		t.Errorf("no font: %v, want ErrNoFont", err)
	}
}

// TestPDFText renders the PDF and reads it back with poppler's pdftotext,
// as a desk's computer would.
func TestPDFText(t *testing.T) {
	ttf, err := FindFont("")
	if err != nil {
		t.Skip("IPAex Gothic not installed (Debian fonts-ipaexfont)")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (Debian poppler-utils)")
	}
	c := sampleCase(t)
	// Long enough to need wrapping and a second page.
	for i := range 40 {
		c.Timeline = append(c.Timeline, casefile.Event{At: t0.Add(time.Duration(i) * time.Hour), What: "お店にメールで問い合わせましたが、返事はありませんでした。"})
	}
	pdf, err := New(c, t0, nil).PDF(ttf)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "sheet.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	txt := string(out)
	for _, want := range []string{"相談シート", "39,800円", "https://kakuyasu-watch.example/", "振り込みましたが", "お金を取り戻したいです。", strings.Repeat("ab", 32)} {
		if !strings.Contains(txt, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	for _, l := range strings.Split(txt, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && isNoStart([]rune(l)[0]) {
			t.Errorf("PDF line starts with a forbidden character: %q", l)
		}
	}
	if png := os.Getenv("KAKEKOMI_SHEET_PNG"); png != "" {
		exec.Command("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", path, png).Run()
	}
}
