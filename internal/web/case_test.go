package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kakekomi/kakekomi/internal/casefile"
	"github.com/kakekomi/kakekomi/internal/sheet"
)

// clock is a test clock that can be moved forward.
type clock struct {
	sync.Mutex
	t time.Time
}

func (c *clock) now() time.Time { c.Lock(); defer c.Unlock(); return c.t }

func (c *clock) add(d time.Duration) { c.Lock(); c.t = c.t.Add(d); c.Unlock() }

// caseServer returns a server that keeps cases in a temporary SQLite
// file, and its clock.
func caseServer(t *testing.T, cfg Config) (*Server, *clock) {
	t.Helper()
	c := &clock{t: testAt}
	cfg.DataDir = t.TempDir()
	cfg.Now = c.now
	s := newServer(t, cfg)
	t.Cleanup(func() { s.Close() })
	return s, c
}

var codeRE = regexp.MustCompile(`id="case-code">([0-9A-Z-]+)<`)

// saveCase saves text as a case through the result page's form and
// returns the code shown.
func saveCase(t *testing.T, h http.Handler, text, pass string) string {
	t.Helper()
	w := postForm(t, h, "/cases", url.Values{"text": {text}, "pass": {pass}, "pass2": {pass}})
	body := wantPage(t, w, 200, "相談メモを保存しました", "この番号は、いまこの画面にしか表示しません", "運営している私たちにも")
	wantNoStore(t, w)
	m := codeRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no code on the saved page:\n%.3000s", body)
	}
	return m[1]
}

func wantNoStore(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
}

// caseForm posts a case form with the code (and passphrase) to target.
func caseForm(t *testing.T, h http.Handler, target, code, pass string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("code", code)
	if pass != "" {
		form.Set("pass", pass)
	}
	w := postForm(t, h, target, form)
	wantNoStore(t, w)
	return w
}

// upload posts a multipart form with one file.
func upload(t *testing.T, h http.Handler, target string, fields url.Values, field, name string, data []byte) *httptest.ResponseRecorder {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if field != "" {
		fw, err := mw.CreateFormFile(field, name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	w := do(t, h, request{method: "POST", target: target, contentType: mw.FormDataContentType(), body: buf.String()})
	wantNoStore(t, w)
	return w
}

// pngFile is the start of a PNG file, enough for content sniffing.
var pngFile = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 64)...)

func TestSaveAndOpenCase(t *testing.T) {
	s, _ := caseServer(t, Config{})
	h := s.Handler()

	// The result page offers to save, carrying the description.
	body := wantPage(t, postForm(t, h, "/triage", url.Values{"text": {phishingText}}), 200,
		"この内容を保存する（相談メモを作る）", `action="/cases"`, `name="pass2"`)
	if !strings.Contains(body, `name="text" value="`+htmlText(phishingText)+`"`) {
		t.Error("the save form does not carry the description")
	}
	wantPage(t, get(t, h, "/"), 200, "保存した相談メモを開く", `action="/case"`, `action="/cases/import"`)

	code := saveCase(t, h, phishingText, "")
	w := caseForm(t, h, "/case", code, "", nil)
	wantPage(t, w, 200, "相談メモ", htmlText(phishingText), "保存期限", "2027年5月23日", "暗号化して保存しています",
		`action="/case/timeline#tl-title"`, `action="/case/evidence#ev-title"`, `action="/case/sheet"`, `action="/case/delete"`)
	// The language switch opens the same case in English.
	if body := w.Body.String(); !strings.Contains(body, `class="lang-form" method="post" action="/case"`) || !strings.Contains(body, `name="code" value="`+code+`"`) {
		t.Error("the language switch of a case page does not keep the case open")
	}
	// The desks of the case's troubles, with call links, and on its sheet.
	if body := w.Body.String(); !strings.Contains(body, `id="desks-title"`) || !strings.Contains(body, `class="call" href="tel:`) {
		t.Error("the case page lists no desk to call")
	}
	wantPage(t, caseForm(t, h, "/case/sheet", code, "", nil), 200, "相談先の電話番号", `href="tel:`)
	// The code as people copy it: lower case, spaces, O for 0.
	loose := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	wantPage(t, caseForm(t, h, "/case", loose, "", nil), 200, htmlText(phishingText))

	// A case chosen from the list has no text; the type's name stands in.
	typ := loadKB(t).Types[0]
	w = postForm(t, h, "/cases", url.Values{"type": {typ.ID}})
	wantPage(t, w, 200, "相談メモを保存しました")
}

func TestOpenCaseErrors(t *testing.T) {
	s, _ := caseServer(t, Config{})
	h := s.Handler()
	code := saveCase(t, h, phishingText, "")
	other := "00000-00000-00000-00000"
	if code == other {
		t.Skip("the random code is the one used as unknown")
	}
	wantPage(t, caseForm(t, h, "/case", other, "", nil), 404, "この番号の相談メモは見つかりません", `value="`+other+`"`)
	wantPage(t, caseForm(t, h, "/case", "not a code", "", nil), 400, "番号の形がちがいます")
	// The code as typed on a Japanese keyboard opens the case.
	wide := strings.Map(func(r rune) rune {
		switch {
		case r == '-':
			return 'ー'
		case r < 0x80:
			return r + 0xFEE0 // the full-width form
		}
		return r
	}, code)
	wantPage(t, caseForm(t, h, "/case", wide, "", nil), 200, "相談メモ")
	wantPage(t, postForm(t, h, "/case", url.Values{}), 400, "番号を入れてください")
	// A case without a passphrase does not open with one.
	wantPage(t, caseForm(t, h, "/case", code, "himitsu", nil), 403, "合言葉がちがうか")
	for _, target := range []string{"/case/timeline", "/case/party", "/case/payment", "/case/entered", "/case/progress", "/case/step",
		"/case/renew", "/case/delete", "/case/export", "/case/sheet", "/case/sheet.pdf", "/case/letter"} {
		// Each with a code of its own: one code fails only five times in a row.
		wantPage(t, caseForm(t, h, target, casefile.NewCode(), "", nil), 404, "この番号の相談メモは見つかりません")
		wantPage(t, postForm(t, h, target, url.Values{"what": {"x"}}), 400, "番号を入れてください")
	}
}

func TestCasePassphrase(t *testing.T) {
	s, _ := caseServer(t, Config{})
	h := s.Handler()
	w := postForm(t, h, "/cases", url.Values{"text": {phishingText}, "pass": {"さくら"}, "pass2": {"さくら。"}})
	wantPage(t, w, 400, "2つの合言葉が同じではありません", htmlText(phishingText))

	code := saveCase(t, h, phishingText, "さくら")
	wantPage(t, caseForm(t, h, "/case", code, "", nil), 403, "合言葉がちがうか")
	wantPage(t, caseForm(t, h, "/case", code, "もみじ", nil), 403, "合言葉がちがうか")
	body := wantPage(t, caseForm(t, h, "/case", code, "さくら", nil), 200, htmlText(phishingText))
	// Every form of the page carries the passphrase, so actions work.
	if n, m := strings.Count(body, `name="pass" value="さくら"`), strings.Count(body, "<form"); n != m {
		t.Errorf("%d of %d forms carry the passphrase", n, m)
	}
	wantPage(t, caseForm(t, h, "/case/timeline", code, "", url.Values{"date": {"2026-11-20"}, "what": {"x"}}), 403)
	wantPage(t, caseForm(t, h, "/case/timeline", code, "さくら", url.Values{"date": {"2026-11-20"}, "what": {"SMSが届いた"}}), 200, "SMSが届いた")
}

// TestCaseEntriesChangeAndRemove: a person corrects an entry, removes one,
// and a mistaken form comes back with the error beside it and what was
// typed still in it.
func TestCaseEntriesChangeAndRemove(t *testing.T) {
	s, _ := caseServer(t, Config{})
	h := s.Handler()
	code := saveCase(t, h, phishingText, "")
	caseForm(t, h, "/case/timeline", code, "", url.Values{"date": {"2026-11-20"}, "what": {"SMSが届いた"}})
	caseForm(t, h, "/case/payment", code, "", url.Values{"date": {"2026-11-21"}, "amount": {"３９，８００円"}})
	k, err := casefile.DeriveKeys(code, "")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.h.store.Load(t.Context(), k)
	if err != nil {
		t.Fatal(err)
	}
	ref := entryRef(0, c.Timeline[0])
	body := wantPage(t, caseForm(t, h, "/case/timeline", code, "", url.Values{"ref": {ref}, "date": {"2026-11-20"}, "what": {"銀行を名乗るSMSが届いた"}}), 200,
		"直しました", "銀行を名乗るSMSが届いた")
	if strings.Contains(body, "<strong>2026年11月20日（金）</strong> SMSが届いた") {
		t.Error("the old entry is still there after the change")
	}
	// A form made before the change no longer fits the entry.
	wantPage(t, caseForm(t, h, "/case/remove", code, "", url.Values{"list": {"timeline"}, "ref": {ref}}), 400, "ほかの画面で変わったか消されています")
	c, _ = s.h.store.Load(t.Context(), k)
	body = wantPage(t, caseForm(t, h, "/case/remove", code, "", url.Values{"list": {"payment"}, "ref": {entryRef(0, c.Payments[0])}}), 200, "消しました")
	if strings.Contains(body, "39,800円") {
		t.Error("the removed payment is still listed")
	}
	// A failed letter form keeps what was typed.
	wantPage(t, caseForm(t, h, "/case/letter", code, "", url.Values{"form": {"letter"}, "kind": {"objection"}, "from_name": {"山田花子"}, "received": {"きのう"}}), 400,
		`id="letter-error"`, `value="山田花子"`, `value="objection" checked`)
	// A wrong date: the error stands beside the form, the text stays.
	body = wantPage(t, caseForm(t, h, "/case/timeline", code, "", url.Values{"form": {"timeline"}, "date": {"あした"}, "what": {"電話がかかってきた"}}), 400,
		`id="timeline-error"`, `href="#timeline"`, ">電話がかかってきた</textarea>")
	if i, j := strings.Index(body, `id="timeline-error"`), strings.Index(body, `id="timeline-what"`); i < 0 || j < i {
		t.Error("the error is not beside the form it belongs to")
	}
}

func TestCaseEntries(t *testing.T) {
	s, _ := caseServer(t, Config{})
	h := s.Handler()
	code := saveCase(t, h, phishingText, "")

	wantPage(t, caseForm(t, h, "/case/timeline", code, "", url.Values{"date": {"2026-11-20"}, "time": {"21:15"}, "what": {"銀行を名乗るSMSが届いた"}}), 200,
		"時系列に追加しました", "2026年11月20日（金）21:15", "銀行を名乗るSMSが届いた")
	wantPage(t, caseForm(t, h, "/case/timeline", code, "", url.Values{"date": {"2026-11-20"}, "what": {"  "}}), 400, "何があったかを書いてください")
	wantPage(t, caseForm(t, h, "/case/timeline", code, "", url.Values{"date": {"11月20日"}, "what": {"x"}}), 400, "日付を読み取れませんでした")
	wantPage(t, caseForm(t, h, "/case/timeline", code, "", url.Values{"date": {"2026-11-20"}, "what": {strings.Repeat("あ", 2001)}}), 400, "2000文字まで")

	wantPage(t, caseForm(t, h, "/case/party", code, "", url.Values{"name": {"ヤマダ銀行サポート"}, "url": {"https://yamada-bank.example.top/login"}, "sns": {"@yamada_support"}}), 200,
		"相手の情報を追加しました", "ヤマダ銀行サポート", "https://yamada-bank.example.top/login", "@yamada_support")
	wantPage(t, caseForm(t, h, "/case/party", code, "", url.Values{"name": {" "}}), 400, "どれか1つは書いてください")

	wantPage(t, caseForm(t, h, "/case/payment", code, "", url.Values{"amount": {"３９，８００円"}, "date": {"2026-11-21"}, "method": {"ギフトカード"}}), 200,
		"お金の記録を追加しました", "39,800円", "ギフトカード")
	wantPage(t, caseForm(t, h, "/case/payment", code, "", url.Values{"amount": {"1000"}, "date": {"2026-11-22"}}), 200, "合計", "40,800円")
	wantPage(t, caseForm(t, h, "/case/payment", code, "", url.Values{"amount": {"たくさん"}, "date": {"2026-11-21"}}), 400, "金額を数字で書いてください")

	wantPage(t, caseForm(t, h, "/case/entered", code, "", url.Values{"where": {"にせの銀行サイト"}, "kind": {"id", "password", "nonsense"}}), 200,
		"入力した情報を追加しました", "にせの銀行サイト", "ID・ログイン名、パスワード")
	wantPage(t, caseForm(t, h, "/case/entered", code, "", url.Values{"where": {"x"}}), 400, "1つ以上選んでください")

	desk := loadKB(t).Desks[0]
	wantPage(t, caseForm(t, h, "/case/progress", code, "", url.Values{"date": {"2026-11-22"}, "desk": {desk.ID}, "reference": {"R-123"}, "result": {"被害届を出すよう言われた"}, "next": {"警察署へ行く"}}), 200,
		"相談した窓口を記録しました", htmlText(desk.Name.JA), "R-123", "被害届を出すよう言われた", "警察署へ行く")
	wantPage(t, caseForm(t, h, "/case/progress", code, "", url.Values{"date": {"2026-11-22"}, "desk": {""}, "desk_other": {"市役所の相談室"}}), 200, "市役所の相談室")
	wantPage(t, caseForm(t, h, "/case/progress", code, "", url.Values{"date": {"2026-11-22"}, "desk": {""}}), 400, "窓口を選ぶか")

	body := wantPage(t, caseForm(t, h, "/case", code, "", nil), 200)
	m := regexp.MustCompile(`name="step" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the case page has no plan step to tick")
	}
	wantPage(t, caseForm(t, h, "/case/step", code, "", url.Values{"step": {m[1]}, "done": {"1"}}), 200, "チェックを変えました", "2026年11月24日 に済み", "まだ済んでいない")
	wantPage(t, caseForm(t, h, "/case/step", code, "", url.Values{"step": {"no-such-step"}, "done": {"1"}}), 400)

	// The consultation sheet has it all.
	wantPage(t, caseForm(t, h, "/case/sheet", code, "", nil), 200, "相談シート（ネットトラブル）", "銀行を名乗るSMSが届いた", "ヤマダ銀行サポート",
		"39,800円", "パスワード", "R-123", "済: ", `class="printable"`, `action="/case/sheet.pdf"`)
}

func TestCaseEnglish(t *testing.T) {
	s, _ := caseServer(t, Config{})
	h := s.Handler()
	w := postForm(t, h, "/cases", url.Values{"text": {phishingText}, "lang": {"en"}})
	body := wantPage(t, w, 200, `<html lang="en">`, "This code is shown only now", "not even us")
	code := codeRE.FindStringSubmatch(body)[1]
	wantPage(t, caseForm(t, h, "/case/payment", code, "", url.Values{"lang": {"en"}, "amount": {"39800"}, "date": {"2026-11-21"}}), 200,
		"Added the payment", "¥39,800", "21 Nov 2026", "Kept until 23 May 2027")
}

func TestEvidenceUpload(t *testing.T) {
	s, _ := caseServer(t, Config{})
	h := s.Handler()
	code := saveCase(t, h, phishingText, "")
	keys := url.Values{"code": {code}}

	w := upload(t, h, "/case/evidence", url.Values{"code": {code}, "note": {"SMSの画面"}}, "file", "screen.png", pngFile)
	wantPage(t, w, 200, "「screen.png」を保存しました", "image/png", "SHA-256", sha256Hex(pngFile), "SMSの画面", "2026年11月24日（火）10:30")

	// A program may be the evidence: it is kept, under a name that does not
	// run, and marked.
	program := []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00")
	wantPage(t, upload(t, h, "/case/evidence", keys, "file", "photo.jpg", program), 200,
		"開いても動かない名前「photo.jpg.evidence」", "application/octet-stream", sha256Hex(program), "プログラムとして動くファイルです。開かないでください。")
	wantPage(t, upload(t, h, "/case/evidence", keys, "file", "invoice.docm", []byte("PK\x03\x04\x14\x00\x06\x00")), 415, "この種類のファイルは保存できません")
	wantPage(t, upload(t, h, "/case/evidence", keys, "file", "empty.png", nil), 400, "ファイルが空です")
	wantPage(t, upload(t, h, "/case/evidence", keys, "", "", nil), 400, "保存するファイルを選んでください")
	wantPage(t, upload(t, h, "/case/evidence", url.Values{}, "file", "a.png", pngFile), 400, "番号を入れてください")
	wantPage(t, upload(t, h, "/case/evidence", url.Values{"code": {"00000-00000-00000-00000"}}, "file", "a.png", pngFile), 404)

	big := append(bytes.Clone(pngFile), make([]byte, casefile.MaxEvidenceBytes)...)
	wantPage(t, upload(t, h, "/case/evidence", keys, "file", "big.png", big), 413, "1つのファイルは20MBまで")
	// A body of unknown length (chunked) is cut off at the limit.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("code", code)
	fw, _ := mw.CreateFormFile("file", "big.png")
	fw.Write(big)
	mw.Close()
	r := httptest.NewRequest("POST", "/case/evidence", io.MultiReader(&buf))
	r.ContentLength = -1
	r.Header.Set("Content-Type", mw.FormDataContentType())
	cw := httptest.NewRecorder()
	h.ServeHTTP(cw, r)
	wantPage(t, cw, 413, "1つのファイルは20MBまで")
	// The file just over the limit, with the body under the form's limit.
	justOver := append(bytes.Clone(pngFile), make([]byte, casefile.MaxEvidenceBytes-len(pngFile)+1)...)
	wantPage(t, upload(t, h, "/case/evidence", keys, "file", "big.png", justOver), 413, "1つのファイルは20MBまで")

	// Only the picture and the program were kept.
	body := wantPage(t, caseForm(t, h, "/case", code, "", nil), 200)
	if n := strings.Count(body, "SHA-256："); n != 2 {
		t.Errorf("%d evidence files shown, want 2", n)
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestRenewDeleteCase(t *testing.T) {
	s, clk := caseServer(t, Config{})
	h := s.Handler()
	code := saveCase(t, h, phishingText, "")
	clk.add(10 * 24 * time.Hour)
	wantPage(t, caseForm(t, h, "/case/renew", code, "", nil), 200, "保存期限を延ばしました", "2027年6月2日")

	wantPage(t, caseForm(t, h, "/case/delete", code, "", nil), 200, "相談メモを消しますか", `name="confirm" value="yes"`, "相談メモに戻る")
	wantPage(t, caseForm(t, h, "/case", code, "", nil), 200) // asking deletes nothing
	wantPage(t, caseForm(t, h, "/case/delete", code, "", url.Values{"confirm": {"yes"}}), 200, "相談メモを消しました")
	wantPage(t, caseForm(t, h, "/case", code, "", nil), 404, "この番号の相談メモは見つかりません")
}

func TestExpiredCasesArePurged(t *testing.T) {
	s, clk := caseServer(t, Config{})
	h := s.Handler()
	code := saveCase(t, h, phishingText, "")
	clk.add(casefile.DefaultTTL + time.Hour)
	wantPage(t, caseForm(t, h, "/case", code, "", nil), 404)
	if err := s.purgeExpired(context.Background()); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.h.store.DB().QueryRow(`SELECT count(*) FROM cases`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d expired cases left after the purge", n)
	}
}

func TestExportImportCase(t *testing.T) {
	s, _ := caseServer(t, Config{})
	h := s.Handler()
	code := saveCase(t, h, phishingText, "")
	upload(t, h, "/case/evidence", url.Values{"code": {code}}, "file", "screen.png", pngFile)

	w := caseForm(t, h, "/case/export", code, "", nil)
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/zip" || !strings.Contains(w.Header().Get("Content-Disposition"), `filename="kakekomi-case.zip"`) {
		t.Fatalf("export: %d %v", w.Code, w.Header())
	}
	zip := w.Body.Bytes()
	b, err := casefile.ReadBundle(bytes.NewReader(zip))
	if err != nil || b.Case.Description != phishingText || len(b.Case.Evidence) != 1 {
		t.Fatalf("the export does not read back: %v", err)
	}

	w = upload(t, h, "/cases/import", url.Values{"pass": {"ふじ"}, "pass2": {"ふじ"}}, "bundle", "kakekomi-case.zip", zip)
	body := wantPage(t, w, 200, "ファイルから読み込みました（証拠のファイル 1件）", "合言葉も必要です")
	newCode := codeRE.FindStringSubmatch(body)[1]
	if newCode == code {
		t.Error("the import kept the old code")
	}
	wantPage(t, caseForm(t, h, "/case", newCode, "ふじ", nil), 200, htmlText(phishingText), "screen.png")

	wantPage(t, upload(t, h, "/cases/import", url.Values{}, "bundle", "x.zip", []byte("not a zip")), 400, "このファイルは読み込めませんでした")
	wantPage(t, upload(t, h, "/cases/import", url.Values{}, "", "", nil), 400, "読み込むファイルを選んでください")
	wantPage(t, upload(t, h, "/cases/import", url.Values{"pass": {"a"}, "pass2": {"b"}}, "bundle", "x.zip", zip), 400, "2つの合言葉が同じではありません")
}

func TestSheetPDF(t *testing.T) {
	s, _ := caseServer(t, Config{})
	h := s.Handler()
	code := saveCase(t, h, phishingText, "")

	s.h.font = func() ([]byte, error) { return nil, sheet.ErrNoFont }
	wantPage(t, caseForm(t, h, "/case/sheet.pdf", code, "", nil), 503, "日本語の文字（フォント）が、このサーバーにありません")

	ttf, err := sheet.FindFont("")
	if errors.Is(err, sheet.ErrNoFont) {
		t.Skip("the PDF needs IPAex Gothic (Debian package fonts-ipaexfont)")
	}
	if err != nil {
		t.Fatal(err)
	}
	s.h.font = func() ([]byte, error) { return ttf, nil }
	w := caseForm(t, h, "/case/sheet.pdf", code, "", nil)
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(w.Body.Bytes(), []byte("%PDF")) {
		t.Fatalf("PDF: %d %v %.20q", w.Code, w.Header(), w.Body.String())
	}
}

func TestLetters(t *testing.T) {
	s, _ := caseServer(t, Config{})
	h := s.Handler()
	code := saveCase(t, h, "通販サイトで39800円を振り込んだのに商品が届きません。", "")
	caseForm(t, h, "/case/party", code, "", url.Values{"name": {"ショップABC"}, "address": {"東京都千代田区1-1"}})

	wantPage(t, caseForm(t, h, "/case/letter", code, "", url.Values{"kind": {"demand"}, "goods": {"スニーカー"}, "from_name": {"山田太郎"}}), 200,
		"内容証明郵便", "スニーカー", "ショップABC", "郵便局の字数の決まりに合っているか", "1行・1枚の字数の決まりに合っています", "1枚目", "出す前に読んでください")
	// A long goods name makes a line the post office refuses? No: the
	// layout wraps. A vertical layout is a different format.
	wantPage(t, caseForm(t, h, "/case/letter", code, "", url.Values{"kind": {"demand"}, "vertical": {"1"}}), 200, "縦書き（1行20字・1枚26行）")
	wantPage(t, caseForm(t, h, "/case/letter", code, "", url.Values{"kind": {"takedown"}, "post_url": {"https://bbs.example.jp/t/1"}}), 200, "送信防止措置依頼書", "https://bbs.example.jp/t/1")
	wantPage(t, caseForm(t, h, "/case/letter", code, "", url.Values{"kind": {"phishing"}}), 200, "info@antiphishing.jp", "フィッシングの報告")
	wantPage(t, caseForm(t, h, "/case/letter", code, "", url.Values{"kind": {"objection"}, "received": {"2026-11-20"}}), 200, "異議を出す期限", "2026年12月4日")
	wantPage(t, caseForm(t, h, "/case/letter", code, "", url.Values{"kind": {"objection"}}), 400, "支払督促を受け取った日を入れてください")
	wantPage(t, caseForm(t, h, "/case/letter", code, "", url.Values{"kind": {"poem"}}), 400, "作るものを選んでください")
	wantPage(t, caseForm(t, h, "/case/letter", code, "", url.Values{"kind": {"demand"}, "deadline": {"soon"}}), 400, "日付を読み取れませんでした")
}

// TestLetterFindings shows the validator's findings when a line cannot
// be laid out within the post office's limits.
func TestLetterFindings(t *testing.T) {
	s, _ := caseServer(t, Config{})
	h := s.Handler()
	code := saveCase(t, h, phishingText, "")
	// An emoji is a character the post office does not accept.
	body := wantPage(t, caseForm(t, h, "/case/letter", code, "", url.Values{"kind": {"demand"}, "goods": {"靴😀"}}), 200, "使えない文字")
	if strings.Contains(body, "1行・1枚の字数の決まりに合っています") {
		t.Error("a letter with findings is said to be within the limits")
	}
}

func TestCasesOffWithoutDataFolder(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	if body := wantPage(t, get(t, h, "/"), 200); strings.Contains(body, `action="/case"`) {
		t.Error("the home page offers to open cases with saving off")
	}
	if body := wantPage(t, postForm(t, h, "/triage", url.Values{"text": {phishingText}}), 200); strings.Contains(body, `action="/cases"`) {
		t.Error("the result page offers to save with saving off")
	}
	wantPage(t, postForm(t, h, "/case", url.Values{"code": {"00000-00000-00000-00000"}}), 503, "保存やPDFの作成を使えません")
}

// TestCaseLogKeepsNoCaseData checks that nothing a person saves, nor the
// code or passphrase, reaches the log.
func TestCaseLogKeepsNoCaseData(t *testing.T) {
	var buf bytes.Buffer
	s, _ := caseServer(t, Config{Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	h := s.Handler()
	const (
		desc  = "センチネル説明文ABC123が届きました"
		pass  = "センチネル合言葉XYZ"
		event = "センチネル出来事QQQ"
		party = "センチネル相手RRR"
		file  = "sentinel-file-SSS.png"
		note  = "センチネルメモTTT"
	)
	code := saveCase(t, h, desc, pass)
	caseForm(t, h, "/case/timeline", code, pass, url.Values{"date": {"2026-11-20"}, "what": {event}})
	caseForm(t, h, "/case/party", code, pass, url.Values{"name": {party}, "account": {"9876543"}})
	upload(t, h, "/case/evidence", url.Values{"code": {code}, "pass": {pass}, "note": {note}}, "file", file, pngFile)
	caseForm(t, h, "/case/sheet", code, pass, nil)
	caseForm(t, h, "/case/letter", code, pass, url.Values{"kind": {"demand"}})
	caseForm(t, h, "/case", code, "wrong", nil)
	caseForm(t, h, "/case/export", code, pass, nil)
	log := buf.String()
	for _, bad := range []string{desc, pass, event, party, "9876543", file, note, code, strings.ReplaceAll(code, "-", ""), "192.0.2.1"} {
		if strings.Contains(log, bad) || strings.Contains(log, html.EscapeString(bad)) {
			t.Errorf("the log contains %q", bad)
		}
	}
	for _, want := range []string{`"route":"POST /cases"`, `"route":"POST /case/evidence"`, `"route":"POST /case"`, `"status":403`} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %s:\n%s", want, log)
		}
	}
}

func TestEnteredKindsHaveWords(t *testing.T) {
	for kind, ja := range casefile.EnteredKinds {
		if messages["ja"]["kind."+kind] != ja {
			t.Errorf("kind.%s: %q, want the case file's %q", kind, messages["ja"]["kind."+kind], ja)
		}
		if messages["en"]["kind."+kind] == "" {
			t.Errorf("kind.%s has no English", kind)
		}
	}
}

func TestParseYen(t *testing.T) {
	for in, want := range map[string]int64{"39800": 39800, "39,800円": 39800, "３９，８００": 39800, "¥ 1,000": 1000} {
		if got, ok := parseYen(in); !ok || got != want {
			t.Errorf("parseYen(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "0", "-5", "たくさん", "1e3", "10000000000000"} {
		if _, ok := parseYen(in); ok {
			t.Errorf("parseYen(%q) accepted", in)
		}
	}
}

func FuzzParseYen(f *testing.F) {
	for _, s := range []string{"39800", "３９，８００円", "¥1,000", "", "-1", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, ok := parseYen(s); ok && (n <= 0 || n > 1e12) {
			t.Errorf("parseYen(%q) = %d", s, n)
		}
	})
}

func FuzzFormDate(f *testing.F) {
	for _, s := range []string{"2026-11-24", "2026-02-30", "", "11月24日"} {
		f.Add(s, "21:15")
	}
	f.Fuzz(func(t *testing.T, date, clock string) {
		at, err := formDate(url.Values{"d": {date}, "t": {clock}}, "d", "t", true)
		if err == nil && at.IsZero() {
			t.Errorf("formDate(%q, %q) gave the zero time without an error", date, clock)
		}
	})
}

// BenchmarkOpenCase measures opening a saved case: the key derivation
// (Argon2id, once for the code and once more for a passphrase) dominates,
// on purpose.
func BenchmarkOpenCase(b *testing.B) {
	for _, pass := range []string{"", "さくら"} {
		name := "code"
		if pass != "" {
			name = "code+passphrase"
		}
		b.Run(name, func(b *testing.B) {
			c := &clock{t: testAt}
			s := newServer(b, Config{DataDir: b.TempDir(), Now: c.now})
			defer s.Close()
			h := s.Handler()
			w := postForm(b, h, "/cases", url.Values{"text": {phishingText}, "pass": {pass}, "pass2": {pass}})
			code := codeRE.FindStringSubmatch(w.Body.String())[1]
			form := url.Values{"code": {code}, "pass": {pass}}
			for b.Loop() {
				if w := postForm(b, h, "/case", form); w.Code != 200 {
					b.Fatal(w.Code)
				}
			}
		})
	}
}
