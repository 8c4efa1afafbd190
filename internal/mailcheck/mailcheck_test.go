package mailcheck

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kakekomi/kakekomi/internal/kb"
)

func checkFile(t *testing.T, c *Checker, name string) *Result {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "eml", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := c.CheckMail(f, Options{})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

func hasSignal(r *Result, id string) bool {
	return slices.ContainsFunc(r.Signals, func(s Signal) bool { return s.ID == id })
}

// TestMailHeaders checks that Japanese headers come out readable whatever
// the sender's mailer did with them, since the subject and sender name are
// what the person recognises and what the report quotes.
func TestMailHeaders(t *testing.T) {
	c := newTestChecker(t)
	tests := []struct {
		file, subject, fromName, fromAddr string
	}{
		{"e_p04.eml", "【緊急】口座凍結のお知らせ", "【三菱UFJ銀行】", "mufg@bk-mufg-jp.com"},                      // raw ISO-2022-JP (ESC $ B) in headers
		{"e_p12.eml", "【えきねっと】会員情報の確認", "えきねっと", "info@eki-net-member.xyz"},                     // raw Shift_JIS bytes in headers
		{"e_p03.eml", "【楽天カード】カード利用停止のお知らせ", "楽天カード株式会社", "service@rakutencard-info.jp"},        // =?Shift_JIS?B?
		{"e_l05.eml", "お振込受付のお知らせ", "三菱UFJ銀行", "info@bk.mufg.jp"},                               // =?EUC-JP?B?
		{"e_l01.eml", "Amazon.co.jp ご注文の確認", "Amazon.co.jp", "auto-confirm@amazon.co.jp"},       // =?ISO-2022-JP?B?
		{"e_p11.eml", "【Microsoft】パスワードの有効期限が切れます", "Microsoft 365", "admin@ms365-mail.online"}, // raw UTF-8
	}
	for _, tt := range tests {
		r := checkFile(t, c, tt.file)
		if r.Mail == nil {
			t.Fatalf("%s: no mail summary", tt.file)
		}
		if r.Mail.Subject != tt.subject || r.Mail.FromName != tt.fromName || r.Mail.FromAddr != tt.fromAddr {
			t.Errorf("%s: got subject %q from %q <%s>, want %q from %q <%s>", tt.file,
				r.Mail.Subject, r.Mail.FromName, r.Mail.FromAddr, tt.subject, tt.fromName, tt.fromAddr)
		}
	}
}

// TestMailBodies checks that bodies in every Japanese encoding are read:
// the pressure wording is only found if the body was decoded.
func TestMailBodies(t *testing.T) {
	c := newTestChecker(t)
	for _, file := range []string{"e_p01.eml" /* ISO-2022-JP 7bit */, "e_p03.eml" /* Shift_JIS base64 */, "e_p05.eml" /* EUC-JP 8bit */, "e_p04.eml"} {
		if r := checkFile(t, c, file); !hasSignal(r, "pressure") {
			t.Errorf("%s: body wording not found (signals %v)", file, signalIDs(r))
		}
	}
}

func TestMailAuthAndLinks(t *testing.T) {
	c := newTestChecker(t)
	r := checkFile(t, c, "e_p01.eml")
	if r.Mail.SPF != "fail" || r.Mail.DMARC != "fail" || r.Mail.DKIM != "none" || !hasSignal(r, "auth_failed") {
		t.Errorf("e_p01: spf=%s dkim=%s dmarc=%s signals %v", r.Mail.SPF, r.Mail.DKIM, r.Mail.DMARC, signalIDs(r))
	}
	if !hasSignal(r, "display_name_mismatch") {
		t.Errorf("e_p01: display name Amazon from another domain not noticed: %v", signalIDs(r))
	}
	// An HTML link showing the bank's address but going elsewhere.
	r = checkFile(t, c, "e_p02.eml")
	if !hasSignal(r, "link_text_mismatch") {
		t.Errorf("e_p02: link text mismatch not noticed: %v", signalIDs(r))
	}
	if !slices.ContainsFunc(r.Links, func(l Link) bool { return l.Domain == "smbc-login-check.xyz" && l.Text == "https://www.smbc.co.jp/" }) {
		t.Errorf("e_p02: links %+v lack the real target with its visible text", r.Links)
	}
	// A real notice: passed authentication, own domain, own links.
	r = checkFile(t, c, "e_l01.eml")
	if r.Verdict != None || r.Brand != "amazon" {
		t.Errorf("e_l01: verdict %s brand %s signals %v, want none for amazon", r.Verdict, r.Brand, signalIDs(r))
	}
}

// TestForgedSender checks that a From address forged to the brand's own
// domain, with no Authentication-Results to expose it, does not make a
// mail with fake links pass as real.
func TestForgedSender(t *testing.T) {
	r := checkFile(t, newTestChecker(t), "e_p14.eml")
	if r.Verdict != Phishing || r.Brand != "amazon" {
		t.Errorf("verdict %s brand %s signals %v, want phishing for amazon", r.Verdict, r.Brand, signalIDs(r))
	}
}

func TestAttachmentsNeverOpened(t *testing.T) {
	c := newTestChecker(t)
	r := checkFile(t, c, "e_p08.eml")
	sum := sha256.Sum256([]byte("<html><form>card</form></html>"))
	want := Attachment{Name: "verify.html", Type: "text/html", Size: 30, SHA256: hex.EncodeToString(sum[:])}
	if len(r.Attachments) != 1 || r.Attachments[0] != want {
		t.Errorf("attachments %+v, want %+v", r.Attachments, want)
	}
	if !hasSignal(r, "risky_attachment") {
		t.Errorf("an HTML attachment asking for card data is not flagged: %v", signalIDs(r))
	}
}

func TestCheckURL(t *testing.T) {
	c := newTestChecker(t)
	tests := []struct {
		url, verdict, signal, brand string
	}{
		{"https://аmazon.co.jp/", Phishing, "lookalike_domain", "amazon"}, // Cyrillic а
		{"https://xn--mazon-3ve.co.jp/", Phishing, "lookalike_domain", "amazon"},
		{"https://amaz0n.co.jp/", Phishing, "lookalike_domain", "amazon"},
		{"https://rnercari.com/", Phishing, "lookalike_domain", "mercari"},
		{"https://paypa1.ne.jp/", Phishing, "lookalike_domain", "paypay"},
		{"https://login.rakuten.co.jp.evil.example.top/", Phishing, "lookalike_domain", "rakuten"},
		{"https://amazon-co-jp.xyz/", Phishing, "lookalike_domain", "amazon"},
		{"http://192.0.2.1/login", Suspicious, "ip_link", ""},
		{"http://3232235777/", Suspicious, "ip_link", ""},
		{"https://bit.ly/abc", None, "shortener", ""},
		{"https://ａｍａｚｏｎ．ｃｏ．ｊｐ/", None, "", ""}, // full width is the real one
		{"www.amazon.co.jp/gp/cart", None, "", ""},
		{"https://www.e-tax.nta.go.jp/", None, "", ""},
		{"hxxps://example[.]com/", None, "", ""},
	}
	for _, tt := range tests {
		r, err := c.CheckURL(tt.url, Options{})
		if err != nil {
			t.Errorf("%s: %v", tt.url, err)
			continue
		}
		if r.Verdict != tt.verdict || (tt.signal != "" && !hasSignal(r, tt.signal)) || r.Brand != tt.brand {
			t.Errorf("%s: verdict %s brand %q signals %v, want %s brand %q with %q", tt.url, r.Verdict, r.Brand, signalIDs(r), tt.verdict, tt.brand, tt.signal)
		}
	}
}

func TestInputErrors(t *testing.T) {
	c := newTestChecker(t)
	if _, err := c.CheckText(" \n ", Options{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty text: %v", err)
	}
	if _, err := c.CheckText("\xff\xfe", Options{}); !errors.Is(err, ErrNotUTF8) {
		t.Errorf("bad UTF-8: %v", err)
	}
	if _, err := c.CheckText(strings.Repeat("あ", MaxTextBytes), Options{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge text: %v", err)
	}
	for _, u := range []string{"not a url", "javascript:alert(1)", "mailto:a@example.com", "http://"} {
		if _, err := c.CheckURL(u, Options{}); !errors.Is(err, ErrBadURL) {
			t.Errorf("CheckURL(%q): %v, want ErrBadURL", u, err)
		}
	}
	if _, err := c.CheckMail(strings.NewReader(""), Options{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty mail: %v", err)
	}
	if _, err := c.CheckMail(strings.NewReader("just some pasted words\nwithout headers"), Options{}); !errors.Is(err, ErrNotMail) {
		t.Errorf("pasted text as mail: %v", err)
	}
	huge := io.MultiReader(strings.NewReader("Subject: x\r\n\r\n"), io.LimitReader(zeros{}, MaxMailBytes))
	if _, err := c.CheckMail(huge, Options{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge mail: %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// TestReportIsSafe checks the ready report: the right desk, the URLs
// written so that they cannot be opened by a tap, and the council's items.
func TestReportIsSafe(t *testing.T) {
	c := newTestChecker(t)
	r, err := c.CheckText("【Amazon】お支払い方法に問題があります。24時間以内に更新しないとアカウントを停止します。 https://amazon-co-jp.xyz/login", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Report == nil || r.Report.To != "info@antiphishing.jp" {
		t.Fatalf("phishing report: %+v", r.Report)
	}
	body := r.Report.Subject + r.Report.Body
	if strings.Contains(body, "https://") || strings.Contains(body, "amazon-co-jp.xyz") || !strings.Contains(body, "hxxps://amazon-co-jp[.]xyz/login") {
		t.Errorf("report must carry the URL defanged only:\n%s", body)
	}
	if !strings.Contains(r.Report.Subject, "Amazon") {
		t.Errorf("report subject %q does not name the brand", r.Report.Subject)
	}
	m := checkFile(t, c, "e_p01.eml")
	for _, want := range []string{"件名: 【重要】Amazonアカウントの確認が必要です", "差出人: Amazon.co.jp <account-update@amazon-secure-jp[.]top>", "受信日時: 2026-11-21T10:00:00+09:00", "添付して転送"} {
		if !strings.Contains(m.Report.Body, want) {
			t.Errorf("mail report lacks %q:\n%s", want, m.Report.Body)
		}
	}
	s := checkFile(t, c, "e_s01.eml")
	if s.Verdict != Spam || s.Report == nil || s.Report.To != "meiwaku@dekyo.or.jp" {
		t.Errorf("spam: verdict %s report %+v", s.Verdict, s.Report)
	}
	f, _ := c.CheckText("有料動画の未納料金が発生しています。本日中にご連絡なき場合、法的措置に移行します。03-5555-1234", Options{})
	if f.Verdict != Fraud || f.Report != nil {
		t.Errorf("fictitious billing: verdict %s report %+v, want fraud without a report", f.Verdict, f.Report)
	}
}

// TestAdviceSafety checks the rules every answer keeps: never to call the
// number in the message or pay, and what to do if details were typed in.
func TestAdviceSafety(t *testing.T) {
	c := newTestChecker(t)
	f, _ := c.CheckText("有料動画の未納料金が発生しています。本日中にご連絡なき場合、法的措置に移行します。03-5555-1234", Options{})
	all := strings.Join(f.Advice, "\n")
	if strings.Contains(all, "03-5555-1234") || !strings.Contains(all, "払わないで") || !strings.Contains(all, "連絡しないで") {
		t.Errorf("fraud advice:\n%s", all)
	}
	if !slices.Equal(f.Types, []string{"fictitious_billing"}) || !slices.Equal(f.Phones, []string{"03-5555-1234"}) {
		t.Errorf("fraud types %v phones %v", f.Types, f.Phones)
	}
	p, _ := c.CheckText("【ゆうちょ銀行】第二暗証番号と合言葉を入力してください。https://jp-bank-yucho.cn/", Options{})
	all = strings.Join(p.Advice, "\n")
	for _, want := range []string{"パスワードを変更", "カード会社", "銀行に電話"} {
		if !strings.Contains(all, want) {
			t.Errorf("phishing advice lacks %q:\n%s", want, all)
		}
	}
	if !slices.Equal(p.Types, []string{"phishing", "banking_fraud"}) {
		t.Errorf("second-PIN phishing types %v", p.Types)
	}
}

// TestTypesExist checks that every trouble type the checker can name is in
// the knowledge base, so that the triage plan can follow.
func TestTypesExist(t *testing.T) {
	k, err := kb.Load(kb.Embedded())
	if err != nil {
		t.Skipf("knowledge base not complete yet: %v", err)
	}
	have := map[string]bool{}
	for _, ty := range k.Types {
		have[ty.ID] = true
	}
	// The phrase groups' types are checked by kb.Load.
	for _, n := range []string{"phishing", "spam_mail", "fictitious_billing"} {
		if !have[n] {
			t.Errorf("type %q is not in the knowledge base", n)
		}
	}
}

func TestBrandsData(t *testing.T) {
	c := newTestChecker(t)
	k, _ := kb.Load(kb.Embedded())
	if len(k.Brands) < 40 {
		t.Errorf("%d brands, want at least 40", len(k.Brands))
	}
	for _, id := range []string{"amazon", "rakuten", "mercari", "yahoo", "docomo", "au", "softbank", "rakuten_mobile", "yamato", "sagawa", "japanpost", "nta", "mynaportal", "apple", "google", "microsoft", "line", "paypay", "etc_meisai", "mufg", "smbc", "mizuho", "yucho"} {
		if !slices.ContainsFunc(k.Brands, func(b *kb.Brand) bool { return b.ID == id }) {
			t.Errorf("brand %s missing", id)
		}
	}
	// Messages name brands in many spellings.
	for text, want := range map[string]string{"ｱﾏｿﾞﾝ": "amazon", "あまぞん": "amazon", "AMAZON": "amazon", "楽天カードのお知らせ": "rakuten_card", "クロネコヤマト": "yamato", "e-Tax": "nta", "august": ""} {
		got := ""
		if bs := c.brands.mentions(foldText(text)); len(bs) > 0 {
			got = bs[0].ID
		}
		if got != want {
			t.Errorf("brand in %q = %q, want %q", text, got, want)
		}
	}
}

func TestSkeleton(t *testing.T) {
	for _, tt := range []struct{ a, b string }{{"amaz0n", "amazon"}, {"аmazon", "amazon"}, {"rnercari", "mercari"}, {"paypa1", "paypal"}, {"vvindows", "windows"}, {"appIe", "apple"}, {"ａｍａｚｏｎ", "amazon"}} {
		if skeleton(tt.a) != skeleton(tt.b) {
			t.Errorf("skeleton(%q) = %q, skeleton(%q) = %q", tt.a, skeleton(tt.a), tt.b, skeleton(tt.b))
		}
	}
	for _, tt := range []struct {
		a, b string
		want bool
	}{{"amazom", "amazon", true}, {"amzaon", "amazon", true}, {"amazonn", "amazon", true}, {"amazon", "amazon", false}, {"amazing", "amazon", false}} {
		if got := editDistance1(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance1(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

func TestDecodeRaw(t *testing.T) {
	for _, enc := range []func(string) []byte{sjis, eucjp} {
		if got := decodeRaw(string(enc("【緊急】口座凍結のお知らせ"))); got != "【緊急】口座凍結のお知らせ" {
			t.Errorf("decodeRaw = %q", got)
		}
	}
	if got := decodeRaw("plain ascii"); got != "plain ascii" {
		t.Errorf("decodeRaw changed ASCII: %q", got)
	}
}

// TestConcurrentUse backs the promise that one Checker serves many
// requests at once (run with -race): the same texts give the same verdicts
// from four goroutines as from one.
func TestConcurrentUse(t *testing.T) {
	c := newTestChecker(t)
	var texts []string
	want := map[string]string{}
	for _, s := range readCorpus(t) {
		if s.Kind == "text" && len(texts) < 40 {
			r, err := c.CheckText(s.Input, Options{})
			if err != nil {
				t.Fatal(err)
			}
			texts = append(texts, s.Input)
			want[s.Input] = r.Verdict
		}
	}
	errs := make(chan string, len(texts))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for _, text := range texts[w*10 : w*10+10] {
				if r, err := c.CheckText(text, Options{}); err != nil || r.Verdict != want[text] {
					errs <- text
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for text := range errs {
		t.Errorf("concurrent check of %q differs", text)
	}
}
