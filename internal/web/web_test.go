package web

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kakekomi/kakekomi/internal/kb"
	"github.com/kakekomi/kakekomi/internal/triage"
)

// testAt is a Tuesday morning in Japan, when the usual desks are open, so
// that pages do not depend on when the tests run.
var testAt = time.Date(2026, 11, 24, 10, 30, 0, 0, time.FixedZone("JST", 9*3600))

// executed records every template a test rendered, for TestMain.
var executed = struct {
	sync.Mutex
	names map[string]bool
}{names: map[string]bool{}}

// TestMain fails the suite when an embedded template was never executed by
// any test, so every page and partial is rendered at least once.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" {
		files, _ := fs.Glob(templateFS, "templates/*/*.html")
		var missed []string
		for _, f := range files {
			if name := path.Base(f); !executed.names[name] {
				missed = append(missed, name)
			}
		}
		if len(missed) > 0 {
			fmt.Fprintf(os.Stderr, "templates never executed by a test: %v\n", missed)
			code = 1
		}
	}
	os.Exit(code)
}

var (
	kbOnce sync.Once
	testKB *kb.KB
	kbErr  error
)

// loadKB loads the embedded knowledge base once; it must have no problems.
func loadKB(t testing.TB) *kb.KB {
	t.Helper()
	kbOnce.Do(func() { testKB, kbErr = kb.Load(kb.Embedded()) })
	if kbErr != nil {
		if testKB == nil {
			t.Fatal(kbErr)
		}
		t.Errorf("knowledge base has problems (see internal/kb tests): %d", len(kbErr.(kb.Problems)))
	}
	return testKB
}

// newServer returns a server on the embedded knowledge base at testAt,
// recording the templates it renders.
func newServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testAt }
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = 1000 // the tests are one client sending many requests
	}
	s, err := New(loadKB(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.tpl().onRender = func(name string) {
		executed.Lock()
		executed.names[name] = true
		executed.Unlock()
	}
	return s
}

// tpl returns the server's templates; tests hook into them.
func (s *Server) tpl() *templates { return s.h.tpl }

type request struct {
	method, target, contentType string
	body                        string
	header                      map[string]string
}

func do(t testing.TB, h http.Handler, req request) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(req.method, req.target, strings.NewReader(req.body))
	if req.contentType != "" {
		r.Header.Set("Content-Type", req.contentType)
	}
	for k, v := range req.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func get(t testing.TB, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, h, request{method: "GET", target: target})
}

func postForm(t testing.TB, h http.Handler, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, h, request{method: "POST", target: target, contentType: "application/x-www-form-urlencoded", body: form.Encode()})
}

func postJSON(t testing.TB, h http.Handler, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, h, request{method: "POST", target: target, contentType: "application/json", body: body})
}

// wantPage checks the status of a page and that it has every word of want
// and no missing message.
func wantPage(t *testing.T, w *httptest.ResponseRecorder, status int, want ...string) string {
	t.Helper()
	body := w.Body.String()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body:\n%.2000s", w.Code, status, body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q, want text/html", ct)
	}
	if strings.Contains(body, missingMark) {
		i := strings.Index(body, missingMark)
		t.Errorf("page has a missing message: %s", body[i:min(len(body), i+60)])
	}
	if strings.Contains(body, "ZgotmplZ") {
		t.Errorf("page has a value html/template refused (ZgotmplZ)")
	}
	for _, s := range want {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	return body
}

const phishingText = "銀行を名乗るSMSが届いて、リンクを開いてIDとパスワードを入力してしまいました。"

func TestMessagesHaveBothLanguages(t *testing.T) {
	for key := range messages["ja"] {
		if _, ok := messages["en"][key]; !ok {
			t.Errorf("%s has no English", key)
		}
	}
	for key := range messages["en"] {
		if _, ok := messages["ja"][key]; !ok {
			t.Errorf("%s has no Japanese", key)
		}
	}
}

func TestHome(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	body := wantPage(t, get(t, h, "/"), 200,
		`<html lang="ja">`,
		`<label for="text" class="big">何があったか、あなたの言葉で書いてください</label>`,
		`<form class="describe" method="post" action="/triage">`,
		"保存を選ばないかぎり",
		`href="/?lang=en"`)
	// The emergency route comes before the form: 110, 119 and a crisis
	// line with whether it answers now.
	sos, form := strings.Index(body, `class="sos"`), strings.Index(body, `class="describe"`)
	if sos < 0 || sos > form || !strings.Contains(body[sos:form], `href="tel:110"`) || !strings.Contains(body[sos:form], "いま受付中") {
		t.Error("the home page does not open with the emergency route and an open crisis line")
	}
	k := loadKB(t)
	for _, typ := range k.Types {
		if !strings.Contains(body, `href="/types/`+typ.ID+`"`) || !strings.Contains(body, htmlText(typ.Plain.JA)) {
			t.Errorf("home lacks the choice of %s", typ.ID)
		}
	}
	wantPage(t, get(t, h, "/?lang=en"), 200, `<html lang="en">`, "Describe what happened, in your own words", `href="/types/`+k.Types[0].ID+`?lang=en"`)
}

// htmlText escapes s the way html/template writes text.
func htmlText(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&#34;")
		case '\'':
			b.WriteString("&#39;")
		case '+':
			b.WriteString("&#43;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestResultPage(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	w := postForm(t, h, "/triage", url.Values{"text": {phishingText}})
	body := wantPage(t, w, 200, `<html lang="ja">`, "あなたへのご案内", "いますぐ", "してはいけないこと", "相談できる窓口", `href="tel:`, "情報の出どころ", "印刷用のページを開く")
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	if !strings.Contains(body, htmlText(phishingText)) {
		t.Error("the result does not show the description back")
	}
	// The steps come in the order of urgency.
	last := -1
	for _, when := range []string{"いますぐ", "今日中に", "近いうちに", "落ち着いたら"} {
		i := strings.Index(body, `">`+when+`</h3>`)
		if i < 0 {
			continue
		}
		if i < last {
			t.Errorf("%s comes before a more urgent group", when)
		}
		last = i
	}
	if last < 0 {
		t.Error("no step group")
	}
	if strings.Contains(body, "emergency") && strings.Contains(body, `role="alert" aria-labelledby="em-title"`) {
		t.Error("an emergency banner on a phishing text")
	}
}

func TestResultEnglish(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	// The language switch of a result posts the description and answers
	// again, so the person keeps the plan they were reading.
	ja := wantPage(t, postForm(t, h, "/triage", url.Values{"text": {phishingText}, "a.entered_what": {"password"}}), 200, `class="lang-form" method="post" action="/triage"`)
	for _, field := range []string{`name="lang" value="en"`, `name="text" value="` + htmlText(phishingText), `name="a.entered_what" value="password"`} {
		if !strings.Contains(ja[:strings.Index(ja, "<main")], field) {
			t.Errorf("the language switch lacks %s", field)
		}
	}
	wantPage(t, postForm(t, h, "/triage", url.Values{"text": {phishingText}, "lang": {"en"}}), 200, `<html lang="en">`, "Right now", "Where to get help")
}

func TestEmergencyFirst(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	body := wantPage(t, postForm(t, h, "/triage", url.Values{"text": {"SNSで知り合った人に裸の写真を送ったら、ばらまくと脅されています。もう死にたいです。"}}), 200,
		`class="emergency"`, `href="tel:110"`)
	// Only the page's heading comes before the banner (headings stay in order).
	title, banner, rest := strings.Index(body, "<h1>"), strings.Index(body, `class="emergency"`), strings.Index(body, `class="summary"`)
	if !(title < banner && banner < rest) {
		t.Error("the emergency banner is not the first thing under the page's title")
	}
}

// TestFollowUpChangesPlan answers a follow-up question the way the form
// does and sees the plan change.
func TestFollowUpChangesPlan(t *testing.T) {
	s := newServer(t, Config{})
	h := s.Handler()
	text := "通販サイトで買い物をしてお金を払ったのに、商品が届きません。お店と連絡がとれません。"
	q, opt, changed := findChangingAnswer(t, s, text)
	if q == "" {
		t.Fatal("no follow-up question changes the plan of a shopping fraud")
	}
	before := wantPage(t, postForm(t, h, "/triage", url.Values{"text": {text}}), 200, `name="a.`+q+`"`)
	after := wantPage(t, postForm(t, h, "/triage", url.Values{"text": {text}, "a." + q: {opt}}), 200,
		fmt.Sprintf(`name="a.%s" value="%s" checked`, q, opt))
	if before == after {
		t.Fatal("answering changed nothing")
	}
	if !strings.Contains(after, htmlText(changed)) {
		t.Errorf("the refined plan lacks %q", changed)
	}

	// The follow-up form carries what its page showed and the new page
	// says what the answer changed.
	shown := func(page string) url.Values {
		v := url.Values{"text": {text}, "refine": {"1"}, "a." + q: {opt}}
		for _, f := range []string{"pd", "ps"} {
			m := regexp.MustCompile(`name="` + f + `" value="([^"]*)"`).FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("the follow-up form lacks %s", f)
			}
			v.Set(f, m[1])
		}
		return v
	}
	refined := wantPage(t, postForm(t, h, "/triage", shown(before)), 200,
		"答えに合わせて、案内を変えました")
	if !strings.Contains(refined, "やることを") && !strings.Contains(refined, "加えた窓口") {
		t.Error("the notice does not say what changed")
	}
	same := wantPage(t, postForm(t, h, "/triage", shown(after)), 200,
		"案内は変わりません")
	if strings.Contains(same, "加えた窓口") {
		t.Error("the same answers again are reported as a change")
	}
}

// TestResultFirstScreen checks what a phone shows before any scrolling: the
// trouble, the first step, the first don't and one call button, in that
// order, before the folded sections; and a question offers "not sure" once.
func TestResultFirstScreen(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	body := wantPage(t, postForm(t, h, "/triage", url.Values{"text": {"フリマアプリで買った商品が届かず、出品者と連絡が取れません。"}}), 200,
		`class="summary"`, "考えられるトラブル", "まずすること", "してはいけないこと", `class="one-call"`)
	order := []string{`class="summary"`, `class="trouble"`, `class="first"`, `class="first-dont"`, `class="one-call"`, `<details class="fold" id="steps">`, `id="desks"`}
	last := -1
	for _, mark := range order {
		i := strings.Index(body, mark)
		if i < last {
			t.Errorf("%s is out of order on the first screen", mark)
		}
		last = i
	}
	if n := strings.Count(body, "分からない") + strings.Count(body, "わからない・答えない"); n > strings.Count(body, "<fieldset>") {
		t.Errorf("%d 'not sure' choices for %d questions", n, strings.Count(body, "<fieldset>"))
	}
}

// TestSourcesByPublisher: desk cards name who published their sources,
// never a seed id or a raw address.
func TestSourcesByPublisher(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	body := wantPage(t, get(t, h, "/desks"), 200, "情報の出どころ", "神奈川県警察", "国民生活センター")
	if strings.Contains(body, "seed:S") {
		t.Error("a desk card shows a seed id")
	}
	for _, part := range strings.Split(body, `<p class="sources">`)[1:] {
		part, _, _ = strings.Cut(part, "</p>")
		if strings.Contains(part, `">http`) {
			t.Errorf("a source is named by its address: %.200s", part)
		}
	}
}

// TestEmergencyChats: in a child's emergency, chat and LINE counselling of
// the crisis desks are offered beside the phones, and no other desk's chat.
func TestEmergencyChats(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	body := wantPage(t, postForm(t, h, "/triage", url.Values{"text": {"クラスのLINEで悪口を言われ続けて、もう消えたいです。中2です。"}, "minor": {"1"}}), 200,
		"チャットやLINEで相談できます", "https://childline.or.jp/chat", "24時間つながります")
	banner := body[strings.Index(body, `class="emergency"`):strings.Index(body, `class="summary"`)]
	if strings.Contains(banner, "じんけん") {
		t.Error("the emergency banner offers a human-rights chat, which is no crisis line")
	}
}

// findChangingAnswer finds a question of the plan of text and an answer
// that brings a step or desk the plan did not have.
func findChangingAnswer(t testing.TB, s *Server, text string) (question, option, newItem string) {
	e := s.h.engine
	base, err := e.Triage(triage.Input{Text: text, At: testAt})
	if err != nil {
		t.Fatal(err)
	}
	had := map[string]bool{}
	for _, st := range base.Steps {
		had[st.Text] = true
	}
	for _, d := range base.Desks {
		had[d.Name] = true
	}
	for _, q := range base.Questions {
		for _, o := range q.Options {
			if o.Value == q.Answer {
				continue
			}
			r, err := e.Triage(triage.Input{Text: text, At: testAt, Context: triage.Context{Answers: map[string]string{q.ID: o.Value}}})
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range r.Steps {
				if !had[st.Text] {
					return q.ID, o.Value, st.Text
				}
			}
			for _, d := range r.Desks {
				if !had[d.Name] {
					return q.ID, o.Value, d.Name
				}
			}
		}
	}
	return "", "", ""
}

func TestResultInputErrors(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	wantPage(t, postForm(t, h, "/triage", url.Values{"text": {"  "}}), 400, "何があったかを書いてください。", `<textarea id="text"`)
	wantPage(t, postForm(t, h, "/triage", url.Values{"text": {strings.Repeat("あ", triage.MaxTextRunes+1)}}), 400, "文章が長すぎます")
	wantPage(t, postForm(t, h, "/triage", url.Values{"text": {phishingText}, "a.no_such_question": {"x"}}), 400, "答えを読み取れませんでした")
	big := url.Values{"text": {strings.Repeat("a", formLimit)}}
	wantPage(t, postForm(t, h, "/triage", big), 413, "大きすぎます")
}

func TestTypePlan(t *testing.T) {
	s := newServer(t, Config{})
	h := s.Handler()
	for _, typ := range loadKB(t).Types {
		body := wantPage(t, get(t, h, "/types/"+typ.ID), 200, "選んだトラブル", htmlText(typ.Plain.JA), "相談できる窓口")
		// The follow-up form carries the choice.
		if strings.Contains(body, `name="a.`) && !strings.Contains(body, `name="type" value="`+typ.ID+`"`) {
			t.Errorf("%s: the follow-up form loses the chosen type", typ.ID)
		}
	}
	wantPage(t, get(t, h, "/types/no_such_type"), 404, "ページが見つかりません")
}

func TestPrint(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	w := postForm(t, h, "/print", url.Values{"text": {phishingText}})
	body := wantPage(t, w, 200, `<body class="printable">`, "ご案内（印刷用）", htmlText(phishingText), "いますぐ", "相談できる窓口", "/static/style.")
	if strings.Contains(body, "<nav") || strings.Contains(body, "<form") {
		t.Error("the print view has navigation or forms")
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Error("the print view may be cached")
	}
}

func TestDesksPage(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	all := wantPage(t, get(t, h, "/desks"), 200, "相談窓口の一覧", `type="datetime-local"`, `<label for="at">`, "2026年11月24日（火）10:30")
	// At 3 a.m. on a Sunday most desks are closed: the filter keeps fewer.
	night := wantPage(t, get(t, h, "/desks?open=1&at=2026-11-29T03:00"), 200, `value="2026-11-29T03:00"`, `id="open" name="open" value="1" checked`)
	if strings.Count(night, `class="desk`) >= strings.Count(all, `class="desk`) {
		t.Error("the open-now filter kept every desk at 3 a.m. on a Sunday")
	}
	if strings.Contains(night, "いまは受付時間外") {
		t.Error("the open-now filter shows a closed desk")
	}
	wantPage(t, get(t, h, "/desks?at=yesterday"), 400, "日時を読み取れませんでした")

	// Desks are grouped by trouble; choosing one shows its desks only.
	for _, g := range []string{"いのちの危険・脅し・つきまとい", "買い物・お金の詐欺", "書き込み・画像・いじめ"} {
		if !strings.Contains(all, "<h2 id=\"g-") || !strings.Contains(all, g) {
			t.Errorf("the directory lacks the group %s", g)
		}
	}
	shop := wantPage(t, get(t, h, "/desks?type=auction_fraud"), 200, "この困りごとの相談先", `value="auction_fraud" selected`)
	if n := strings.Count(shop, `<article class="desk"`); n == 0 || n >= strings.Count(all, `class="desk`) {
		t.Errorf("the auction filter shows %d desks", n)
	}
	if strings.Index(shop, "auction_operator") > strings.Index(shop, "police_9110") && strings.Contains(shop, "police_9110") {
		t.Error("the auction desks do not start with the marketplace's own desk")
	}
	wantPage(t, get(t, h, "/desks?lang=en"), 200, `<html lang="en">`, "Help desks")
}

func TestCheckPage(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	wantPage(t, get(t, h, "/check"), 200, `enctype="multipart/form-data"`, `<label for="ctext"`, `<label for="curl">`, `<label for="ceml">`)
	w := postForm(t, h, "/check", url.Values{"text": {"【重要】お客様のアカウントを停止しました。http://amazon-co-jp.example.top/login で確認してください"}})
	wantPage(t, w, 200, "調べた結果")
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Error("a check result may be cached")
	}
	wantPage(t, postForm(t, h, "/check", url.Values{"url": {"http://amazon-co-jp.example.top/login"}}), 200, "調べた結果")
	wantPage(t, postForm(t, h, "/check", url.Values{}), 400, "どれかを入れてください")

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("eml", "mail.eml")
	fw.Write([]byte(sampleMail))
	mw.WriteField("lang", "en")
	mw.Close()
	wantPage(t, do(t, h, request{method: "POST", target: "/check", contentType: mw.FormDataContentType(), body: buf.String()}), 200, `<html lang="en">`, "Result")

	buf.Reset()
	mw = multipart.NewWriter(&buf)
	fw, _ = mw.CreateFormFile("eml", "nested.eml")
	fw.Write([]byte(nestedMail(20000)))
	mw.Close()
	wantPage(t, do(t, h, request{method: "POST", target: "/check", contentType: mw.FormDataContentType(), body: buf.String()}), 413, "入れ子が深すぎる", "本文だけを貼り付けて")
}

// nestedMail returns a mail of depth multipart sections, each inside the
// one before.
func nestedMail(depth int) string {
	var b strings.Builder
	b.WriteString("From: a@example.com\r\nSubject: nested\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n")
	for i := 1; i <= depth; i++ {
		fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n", i-1, i)
	}
	fmt.Fprintf(&b, "--b%d\r\nContent-Type: text/plain\r\n\r\nhello\r\n", depth)
	return b.String()
}

const sampleMail = "From: Amazon <info@amazon-security.example.top>\r\nTo: you@example.jp\r\nSubject: =?UTF-8?B?44Ki44Kr44Km44Oz44OI5YGc5q2i?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nアカウントを停止しました。https://amazon-security.example.top/ で確認してください。\r\n"

func TestErrorPages(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	wantPage(t, get(t, h, "/no/such/page"), 404, "ページが見つかりません")
	wantPage(t, get(t, h, "/no/such/page?lang=en"), 404, "Page not found")
}

func TestSecurityHeaders(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	for _, target := range []string{"/", "/desks", "/check", "/healthz", "/api/v1/desks", "/no/such/page", assetNames["style.css"]} {
		w := get(t, h, target)
		for k, v := range map[string]string{
			"Content-Security-Policy": contentSecurityPolicy,
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"X-Frame-Options":         "DENY",
		} {
			if got := w.Header().Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", target, k, got, v)
			}
		}
		if !strings.Contains(w.Header().Get("Permissions-Policy"), "camera=()") {
			t.Errorf("%s: no Permissions-Policy", target)
		}
	}
	if !strings.Contains(contentSecurityPolicy, "frame-ancestors 'none'") || !strings.Contains(contentSecurityPolicy, "script-src 'none'") {
		t.Error("the CSP allows framing or scripts")
	}
}

func TestStatic(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	home := get(t, h, "/").Body.String()
	i := strings.Index(home, `href="/static/`)
	if i < 0 {
		t.Fatal("no style sheet link")
	}
	href := home[i+len(`href="`):]
	href = href[:strings.IndexByte(href, '"')]
	w := get(t, h, href)
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/css") || !strings.Contains(w.Body.String(), "@media print") {
		t.Fatalf("style sheet: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	if !strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
		t.Error("the hashed style sheet is not cached")
	}
	if get(t, h, "/static/other.css").Code != 404 {
		t.Error("an unknown static file is served")
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	for _, target := range []string{"/triage", "/print", "/check", "/api/v1/triage", "/api/v1/check"} {
		w := do(t, h, request{method: "POST", target: target, contentType: "application/x-www-form-urlencoded", body: "text=x",
			header: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}})
		if w.Code != http.StatusForbidden {
			t.Errorf("cross-origin POST %s: status %d, want 403", target, w.Code)
		}
	}
	// A same-origin form post goes through.
	w := do(t, h, request{method: "POST", target: "/triage", contentType: "application/x-www-form-urlencoded", body: url.Values{"text": {phishingText}}.Encode(),
		header: map[string]string{"Sec-Fetch-Site": "same-origin"}})
	if w.Code != 200 {
		t.Errorf("same-origin POST: status %d", w.Code)
	}
}

func TestRateLimit(t *testing.T) {
	h := newServer(t, Config{RateLimit: 0.001}).Handler() // bursts of 20, then nothing
	for i := range minRateBurst {
		if w := get(t, h, "/api/v1/desks"); w.Code != 200 {
			t.Fatalf("request %d: status %d", i, w.Code)
		}
	}
	w := get(t, h, "/api/v1/desks")
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Fatalf("over the limit: status %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	wantAPIError(t, w, 429, "rate_limited")
	wantPage(t, get(t, h, "/"), 429, "少し時間をおいてください")
	// The health probe is never limited.
	if get(t, h, "/healthz").Code != 200 {
		t.Error("the health probe is rate limited")
	}
	// Another client is not affected.
	r := httptest.NewRequest("GET", "/api/v1/desks", nil)
	r.RemoteAddr = "198.51.100.7:5555"
	rw := httptest.NewRecorder()
	h.ServeHTTP(rw, r)
	if rw.Code != 200 {
		t.Errorf("another client: status %d", rw.Code)
	}
}

func TestLimiterForgetsIdleClients(t *testing.T) {
	now := testAt
	l := newLimiter(1, 1, func() time.Time { return now })
	l.allow("a")
	if ok, _ := l.allow("a"); ok {
		t.Fatal("second request within the same instant allowed")
	}
	now = now.Add(2 * limiterTTL)
	l.allow("b")
	if _, ok := l.clients["a"]; ok {
		t.Error("an idle client is still remembered")
	}
}

// TestAccessLogKeepsNoPersonalData checks that the log names the route and
// status but never the description, the path's values or the client.
func TestAccessLogKeepsNoPersonalData(t *testing.T) {
	var buf bytes.Buffer
	h := newServer(t, Config{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}).Handler()
	secret := "山田花子の口座番号1234567"
	postForm(t, h, "/triage", url.Values{"text": {secret}, "a.payment_method": {"card"}})
	postJSON(t, h, "/api/v1/triage", `{"text":"`+secret+`"}`)
	get(t, h, "/desks?at=2026-11-24T10:30")
	get(t, h, "/types/phishing")
	log := buf.String()
	for _, bad := range []string{secret, "1234567", "192.0.2.1", "payment_method", "2026-11-24T10:30", "phishing"} {
		if strings.Contains(log, bad) {
			t.Errorf("the access log contains %q:\n%s", bad, log)
		}
	}
	for _, want := range []string{`"route":"POST /triage"`, `"route":"POST /api/v1/triage"`, `"route":"GET /desks"`, `"route":"GET /types/{id}"`, `"status":200`, `"duration"`} {
		if !strings.Contains(log, want) {
			t.Errorf("the access log lacks %s:\n%s", want, log)
		}
	}
}

// TestMetrics checks that the metrics are served on their own listener
// only, with the health probe, and count the public listener's requests.
func TestMetrics(t *testing.T) {
	s := newServer(t, Config{MetricsAddr: "127.0.0.1:0"})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.serve(ctx, ln, mln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	fetch := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	public, private := "http://"+ln.Addr().String(), "http://"+mln.Addr().String()
	fetch(public + "/healthz")
	if code, _ := fetch(public + "/metrics"); code != 404 {
		t.Errorf("metrics on the public listener: %d", code)
	}
	code, body := fetch(private + "/metrics")
	if code != 200 || !strings.Contains(body, `kakekomi_http_requests_total{route="GET /healthz",status="200"} 1`) {
		t.Errorf("metrics: %d\n%s", code, body)
	}
	for _, gauge := range []string{"\nkakekomi_http_requests_in_flight 0\n", "\nkakekomi_http_open_connections "} {
		if !strings.Contains(body, gauge) {
			t.Errorf("metrics lack %q", gauge)
		}
	}
	if code, body := fetch(private + "/healthz"); code != 200 || body != "ok" {
		t.Errorf("health probe on the metrics listener: %d %q", code, body)
	}
	if code, _ := fetch(private + "/"); code != 404 {
		t.Errorf("the site on the metrics listener: %d", code)
	}
}

func TestHealthz(t *testing.T) {
	w := get(t, newServer(t, Config{}).Handler(), "/healthz")
	if w.Code != 200 || w.Body.String() != "ok" {
		t.Fatalf("healthz: %d %q", w.Code, w.Body.String())
	}
}

// TestServeAndShutdown runs the real server on a loopback port and stops
// it the way SIGINT does, by cancelling its context.
func TestServeAndShutdown(t *testing.T) {
	dir := t.TempDir() + "/data"
	s := newServer(t, Config{DataDir: dir})
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatalf("data folder not created: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

func wantAPIError(t *testing.T, w *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body %s", w.Code, status, w.Body.String())
	}
	var e apiError
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Code != code || e.Error.Message == "" {
		t.Fatalf("error body %s, want code %q (%v)", w.Body.String(), code, err)
	}
}

func TestAPITriage(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	w := postJSON(t, h, "/api/v1/triage", `{"id":"d1","text":"`+phishingText+`","at":"2026-11-24T10:30:00+09:00","context":{"minor":false,"prefecture":"東京都","answers":{}},"lang":"ja"}`)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body.String())
	}
	var r triage.Result
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.ID != "d1" || r.At != "2026-11-24T10:30:00+09:00" || len(r.Types) == 0 || r.Types[0].ID != "phishing" || len(r.Desks) == 0 {
		t.Errorf("unexpected triage: id %q at %q types %v", r.ID, r.At, r.Types)
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Error("a triage answer may be cached")
	}

	for _, c := range []struct {
		name, contentType, body string
		status                  int
		code                    string
	}{
		{"bad JSON", "application/json", `{"text":`, 400, "bad_json"},
		{"unknown field", "application/json", `{"text":"x","colour":"red"}`, 400, "bad_json"},
		{"two objects", "application/json", `{"text":"x"}{"text":"y"}`, 400, "bad_json"},
		{"wrong type", "application/json", `{"text":1}`, 400, "bad_json"},
		{"invalid UTF-8", "application/json", "{\"text\":\"カードの\xff請求\"}", 400, "invalid_utf8"},
		{"lone surrogate", "application/json", `{"text":"カードの\ud800請求"}`, 400, "invalid_utf8"},
		{"empty text", "application/json", `{"text":"   "}`, 400, "empty"},
		{"too long", "application/json", `{"text":"` + strings.Repeat("あ", triage.MaxTextRunes+1) + `"}`, 400, "too_long"},
		{"bad answer", "application/json", `{"text":"x","context":{"answers":{"nope":"x"}}}`, 400, "bad_input"},
		{"bad time", "application/json", `{"text":"x","at":"tomorrow"}`, 400, "bad_time"},
		{"bad lang", "application/json", `{"text":"x","lang":"fr"}`, 400, "bad_lang"},
		{"form", "application/x-www-form-urlencoded", `text=x`, 415, "unsupported_media_type"},
		{"no type", "", `{"text":"x"}`, 415, "unsupported_media_type"},
		{"too large", "application/json", `{"text":"` + strings.Repeat("a", jsonLimit) + `"}`, 413, "too_large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantAPIError(t, postJSON2(t, h, c.contentType, c.body), c.status, c.code)
		})
	}
}

func postJSON2(t testing.TB, h http.Handler, contentType, body string) *httptest.ResponseRecorder {
	return do(t, h, request{method: "POST", target: "/api/v1/triage", contentType: contentType, body: body})
}

func TestAPIAnswersChangeThePlan(t *testing.T) {
	s := newServer(t, Config{})
	text := "通販サイトで買い物をしてお金を払ったのに、商品が届きません。お店と連絡がとれません。"
	q, opt, changed := findChangingAnswer(t, s, text)
	if q == "" {
		t.Skip("no answer changes this plan")
	}
	body, _ := json.Marshal(map[string]any{"text": text, "at": "2026-11-24T10:30:00+09:00", "context": map[string]any{"answers": map[string]string{q: opt}}})
	w := postJSON(t, s.Handler(), "/api/v1/triage", string(body))
	if w.Code != 200 || !strings.Contains(w.Body.String(), changed) {
		t.Fatalf("status %d; the answer %s=%s did not bring %q", w.Code, q, opt, changed)
	}
}

func TestAPIDesks(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	var all, open struct {
		At    string `json:"at"`
		Desks []struct {
			ID      string `json:"id"`
			OpenNow *bool  `json:"open_now"`
		} `json:"desks"`
	}
	w := get(t, h, "/api/v1/desks?at=2026-11-29T03:00:00%2B09:00")
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &all) != nil {
		t.Fatalf("desks: %d %s", w.Code, w.Body.String())
	}
	w = get(t, h, "/api/v1/desks?open=1&at=2026-11-29T03:00")
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &open) != nil {
		t.Fatalf("open desks: %d %s", w.Code, w.Body.String())
	}
	if all.At != "2026-11-29T03:00:00+09:00" || len(open.Desks) >= len(all.Desks) {
		t.Errorf("at %s: %d open of %d", all.At, len(open.Desks), len(all.Desks))
	}
	for _, d := range open.Desks {
		if d.OpenNow != nil && !*d.OpenNow {
			t.Errorf("a closed desk in open=1: %s", d.ID)
		}
	}
	wantAPIError(t, get(t, h, "/api/v1/desks?at=soon"), 400, "bad_time")
	wantAPIError(t, get(t, h, "/api/v1/desks?open=maybe"), 400, "bad_open")
	wantAPIError(t, get(t, h, "/api/v2/nothing"), 404, "not_found")
}

func TestAPICheck(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	for _, c := range []struct {
		name, contentType, body string
		status                  int
		code                    string
	}{
		{"text", "application/json", `{"id":"m1","text":"アカウントを停止しました。http://amazon.example.top"}`, 200, ""},
		{"url", "application/json", `{"url":"http://amazon.example.top/login"}`, 200, ""},
		{"mail", "message/rfc822", sampleMail, 200, ""},
		{"both", "application/json", `{"text":"a","url":"http://a.example"}`, 400, "bad_fields"},
		{"neither", "application/json", `{}`, 400, "bad_fields"},
		{"empty mail", "message/rfc822", "", 400, "empty"},
		{"bad JSON", "application/json", `{"text"`, 400, "bad_json"},
		{"invalid UTF-8", "application/json", "{\"text\":\"アカウント\xe3\x81停止\"}", 400, "invalid_utf8"},
		{"wrong type", "text/plain", "hello", 415, "unsupported_media_type"},
		{"mail too large", "message/rfc822", strings.Repeat("a", mailLimit+1), 413, "too_large"},
		{"mail nested 20,000 deep", "message/rfc822", nestedMail(20000), 413, "too_deep"},
		{"3 MiB subject", "message/rfc822", "Subject: " + strings.Repeat("x", 3<<20) + "\r\n\r\nhello", 413, "header_too_large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := do(t, h, request{method: "POST", target: "/api/v1/check", contentType: c.contentType, body: c.body})
			if c.status != 200 {
				wantAPIError(t, w, c.status, c.code)
				return
			}
			var r struct {
				ID      string   `json:"id"`
				Verdict string   `json:"verdict"`
				Signals []any    `json:"signals"`
				Advice  []string `json:"advice"`
			}
			if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &r) != nil || r.Verdict == "" || r.Signals == nil {
				t.Fatalf("%d %s", w.Code, w.Body.String())
			}
			if c.name == "text" && r.ID != "m1" {
				t.Errorf("id %q not echoed", r.ID)
			}
		})
	}
}

func TestOpenAPIServed(t *testing.T) {
	w := get(t, newServer(t, Config{}).Handler(), "/api/openapi.json")
	if w.Code != 200 || !json.Valid(w.Body.Bytes()) || !strings.Contains(w.Body.String(), `"openapi": "3.`) {
		t.Fatalf("openapi: %d", w.Code)
	}
}

// FuzzAPITriage sends any body to the triage API: the answer is always a
// JSON object, 200 or a client error, never a server error.
func FuzzAPITriage(f *testing.F) {
	f.Add(`{"text":"` + phishingText + `"}`)
	f.Add(`{"text":"x","at":"2026-11-24T10:30","context":{"minor":true,"answers":{"payment_method":"card"}},"lang":"en"}`)
	f.Add(`{"text":"\ud800"}`)
	f.Add(`[]`)
	f.Add(`{"context":null,"text":"a"}`)
	// The fuzzer is one client sending thousands of requests a second.
	h := newServer(f, Config{RateLimit: 1e9}).Handler()
	f.Fuzz(func(t *testing.T, body string) {
		w := postJSON(t, h, "/api/v1/triage", body)
		if w.Code != 200 && w.Code != 400 && w.Code != 413 {
			t.Fatalf("status %d for %q", w.Code, body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("not JSON: %s", w.Body.String())
		}
	})
}

// FuzzResultForm posts any form to the result page: it renders a page or a
// client error, never a server error.
func FuzzResultForm(f *testing.F) {
	f.Add("text=" + url.QueryEscape(phishingText) + "&a.payment_method=card&minor=1")
	f.Add("type=phishing&lang=en")
	f.Add("text=%ff%fe")
	f.Add("a.amount=over_600k&text=x&type=nope")
	h := newServer(f, Config{RateLimit: 1e9}).Handler()
	f.Fuzz(func(t *testing.T, body string) {
		w := do(t, h, request{method: "POST", target: "/triage", contentType: "application/x-www-form-urlencoded", body: body})
		if w.Code != 200 && w.Code != 400 {
			t.Fatalf("status %d for %q", w.Code, body)
		}
	})
}

func TestParseTime(t *testing.T) {
	h := &handler{now: func() time.Time { return testAt }}
	for in, want := range map[string]string{
		"":                          "2026-11-24T10:30:00+09:00",
		"2026-11-24T10:30:00Z":      "2026-11-24T19:30:00+09:00",
		"2026-11-29T03:00":          "2026-11-29T03:00:00+09:00",
		"2026-11-29 03:00":          "2026-11-29T03:00:00+09:00",
		"2026-11-29T03:00:05":       "2026-11-29T03:00:05+09:00",
		"2026-11-24T10:30:00+09:00": "2026-11-24T10:30:00+09:00",
	} {
		got, err := h.parseTime(in)
		if err != nil || got.Format(time.RFC3339) != want {
			t.Errorf("parseTime(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"tomorrow", "2026-13-01T00:00", "24/11/2026"} {
		if _, err := h.parseTime(bad); err == nil {
			t.Errorf("parseTime(%q) accepted", bad)
		}
	}
}

func TestTelURL(t *testing.T) {
	for in, want := range map[string]string{"0570-064-370": "tel:0570064370", "#9110": "tel:%239110", "110": "tel:110", "": "", "なし": ""} {
		if got := string(telURL(in)); got != want {
			t.Errorf("telURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseTime reads any time field: it is accepted or refused, and an
// accepted time is in Japan time.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"", "2026-11-24T10:30", "2026-11-24T10:30:00Z", "2026-11-24 10:30", "tomorrow", "2026-02-30T00:00"} {
		f.Add(s)
	}
	h := &handler{now: func() time.Time { return testAt }}
	f.Fuzz(func(t *testing.T, s string) {
		at, err := h.parseTime(s)
		if err == nil && at.Location().String() != "Asia/Tokyo" {
			t.Errorf("parseTime(%q) in %s", s, at.Location())
		}
	})
}
