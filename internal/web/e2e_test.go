package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is where Debian installs Chromium (package chromium).
const chromiumPath = "/usr/bin/chromium"

// browserTest starts the real server on a loopback port and a headless
// Chromium, and returns the server's base URL and a browser context.
func browserTest(t *testing.T, javascript bool) (string, context.Context) {
	t.Helper()
	return browserTestAt(t, javascript, testAt)
}

// browserTestAt is browserTest with the server's clock at a chosen moment.
func browserTestAt(t *testing.T, javascript bool, at time.Time) (string, context.Context) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		// CI installs Chromium and sets this, so that a missing browser
		// fails there instead of passing silently.
		if os.Getenv("KAKEKOMI_REQUIRE_BROWSER") != "" {
			t.Fatalf("KAKEKOMI_REQUIRE_BROWSER is set but Chromium is missing at %s", chromiumPath)
		}
		t.Skipf("end-to-end tests need Chromium at %s (Debian package chromium)", chromiumPath)
	}
	addr := serveTest(t, newServer(t, Config{DataDir: t.TempDir(), Now: func() time.Time { return at }}))

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(360, 800),
	}
	if !javascript {
		opts = append(opts, chromedp.Flag("blink-settings", "scriptEnabled=false"))
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	// A bound against a hung browser, not a speed test: the accessibility
	// test opens a dozen pages and runs axe-core on each on a loaded machine.
	tctx, tcancel := context.WithTimeout(bctx, 3*time.Minute)
	t.Cleanup(tcancel)
	return "http://" + addr, tctx
}

// screenshotDir is where screenshots go: $KAKEKOMI_SCREENSHOTS, or a
// temporary folder.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("KAKEKOMI_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshots saves the whole page at phone and desktop widths.
func screenshots(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	for _, width := range []int64{360, 1280} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800)); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 gives PNG
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, name+"-"+map[int64]string{360: "360", 1280: "1280"}[width]+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 800)); err != nil {
		t.Fatal(err)
	}
}

func readText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

func do2(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// TestBrowserJourney is what a person does: describe the trouble, read the
// plan, answer a follow-up and see the plan change, print it, and look for
// a desk open at night.
func TestBrowserJourney(t *testing.T) {
	base, ctx := browserTest(t, true)
	shots := screenshotDir(t)
	text := "通販サイトで買い物をしてお金を払ったのに、商品が届きません。お店と連絡がとれません。"

	do2(t, ctx, "open home", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#text")))
	if title, _ := chromedp.Run(ctx, chromedp.Title()); !strings.Contains(title, "何があったか") {
		t.Errorf("home title %q", title)
	}
	screenshots(t, ctx, shots, "home")

	do2(t, ctx, "describe", chromedp.SetValue(chromedp.CSS("#text"), text),
		chromedp.Click(chromedp.CSS("form.describe button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#steps-title")))
	plan := readText(t, ctx, "main")
	for _, want := range []string{"あなたへのご案内", "まずすること", "してはいけないこと", "やること", "相談できる窓口"} {
		if !strings.Contains(plan, want) {
			t.Errorf("the plan lacks %q", want)
		}
	}
	screenshots(t, ctx, shots, "result")

	s := newServer(t, Config{})
	q, opt, changed := findChangingAnswer(t, s, text)
	if q == "" {
		t.Fatal("no follow-up answer changes this plan")
	}
	radio := `input[name="a.` + q + `"][value="` + opt + `"]`
	do2(t, ctx, "answer", chromedp.Click(chromedp.CSS("#questions > summary")), chromedp.Click(chromedp.CSS(radio)),
		chromedp.Click(chromedp.CSS(".questions button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#changed-title")),
		chromedp.Click(chromedp.CSS("#steps > summary")))
	if refined := readText(t, ctx, "main"); !strings.Contains(refined, changed) || !strings.Contains(refined, "答えに合わせて、案内を変えました") {
		t.Errorf("after answering %s=%s the plan lacks %q or does not say it changed", q, opt, changed)
	}
	screenshots(t, ctx, shots, "refined")

	do2(t, ctx, "print", chromedp.Click(chromedp.CSS("section.print button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("body.printable")))
	if p := readText(t, ctx, "main"); !strings.Contains(p, "ご案内（印刷用）") || !strings.Contains(p, text) {
		t.Errorf("the print view lacks the title or the description")
	}
	screenshots(t, ctx, shots, "print")

	do2(t, ctx, "directory", chromedp.Navigate(base+"/desks"), chromedp.WaitVisible(chromedp.CSS("#open")))
	all, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll(".desk")))
	if err != nil {
		t.Fatal(err)
	}
	do2(t, ctx, "filter", chromedp.Click(chromedp.CSS("#open")),
		chromedp.Click(chromedp.CSS("form.filter details > summary")),
		chromedp.SetValue(chromedp.CSS("#at"), "2026-11-29T03:00"),
		chromedp.Click(chromedp.CSS("form.filter button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`#open[checked]`)))
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.Contains(loc, "open=1") {
		t.Errorf("the filter did not go to the address: %s", loc)
	}
	open, _ := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll(".desk"), chromedp.AtLeast(0)))
	if len(open) >= len(all) {
		t.Errorf("open at 3 a.m. on Sunday: %d of %d desks", len(open), len(all))
	}
	if strings.Contains(readText(t, ctx, "main"), "いまは受付時間外") {
		t.Error("the open-now filter shows a closed desk")
	}
	screenshots(t, ctx, shots, "desks-open")

	do2(t, ctx, "emergency", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#text")),
		chromedp.SetValue(chromedp.CSS("#text"), "SNSでずっと悪口を書かれています。もう死にたいです。"),
		chromedp.Click(chromedp.CSS("form.describe button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#steps-title")))
	if calls, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(".emergency a.call"), chromedp.AtLeast(0))); err != nil || len(calls) == 0 {
		t.Errorf("no call button in an emergency banner (%v)", err)
	}
	screenshots(t, ctx, shots, "emergency")

	do2(t, ctx, "check", chromedp.Navigate(base+"/check?lang=en"), chromedp.WaitVisible(chromedp.CSS("#ctext")),
		chromedp.SetValue(chromedp.CSS("#ctext"), "Your account is locked. Log in at http://amazon.example.top/"),
		chromedp.Click(chromedp.CSS(".check-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#verdict-title")))
	screenshots(t, ctx, shots, "check-en")
}

// TestBrowserWithoutJavaScript checks that the navigator works with
// JavaScript turned off: the forms post and the server renders.
func TestBrowserWithoutJavaScript(t *testing.T) {
	base, ctx := browserTest(t, false)
	do2(t, ctx, "describe", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#text")),
		chromedp.SetValue(chromedp.CSS("#text"), phishingText),
		chromedp.Click(chromedp.CSS("form.describe button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#steps-title")))
	if !strings.Contains(readText(t, ctx, "main"), "まずすること") {
		t.Error("no plan without JavaScript")
	}
	screenshots(t, ctx, screenshotDir(t), "nojs-result")
	// Make sure the browser really ran without JavaScript.
	do2(t, ctx, "script probe", chromedp.Navigate(`data:text/html,<title>off</title><script>document.title="on"</script>`))
	if title, _ := chromedp.Run(ctx, chromedp.Title()); title != "off" {
		t.Errorf("JavaScript was on (title %q)", title)
	}
}

// TestBrowserCase saves a case from a result, opens it again with its
// code, adds to its timeline and opens the consultation sheet.
func TestBrowserCase(t *testing.T) {
	base, ctx := browserTest(t, false)
	shots := screenshotDir(t)
	do2(t, ctx, "describe", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#text")),
		chromedp.SetValue(chromedp.CSS("#text"), phishingText),
		chromedp.Click(chromedp.CSS("form.describe button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#save-title")))
	do2(t, ctx, "save", chromedp.Click(chromedp.CSS("section.save button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#case-code")))
	code := readText(t, ctx, "#case-code")
	if len(code) != 23 {
		t.Fatalf("case code %q", code)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); strings.Contains(loc, code) || strings.Contains(loc, "?") {
		t.Errorf("the code page's address %s", loc)
	}
	screenshots(t, ctx, shots, "case-code")

	// Open it again from the home page, as a person does days later.
	do2(t, ctx, "open", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#code")),
		chromedp.SetValue(chromedp.CSS("#code"), strings.ToLower(code)),
		chromedp.Click(chromedp.CSS("form.open button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#tl-title")))
	do2(t, ctx, "timeline", chromedp.SetValue(chromedp.CSS("#timeline-what"), "銀行を名乗るSMSが届いた"),
		chromedp.SetValue(chromedp.CSS("#timeline-time"), "21:15"),
		chromedp.Click(chromedp.CSS(`form#timeline button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".saved-notice")))
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "#tl-title") {
		t.Errorf("after adding, the page is at %s, not back at the timeline", loc)
	}
	if main := readText(t, ctx, "main"); !strings.Contains(main, "銀行を名乗るSMSが届いた") || !strings.Contains(main, "時系列に追加しました") {
		t.Error("the timeline entry is not on the case page")
	}
	screenshots(t, ctx, shots, "case")

	do2(t, ctx, "sheet", chromedp.Click(chromedp.CSS(`form[action="/case/sheet"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("body.printable")))
	if sh := readText(t, ctx, "main"); !strings.Contains(sh, "相談シート（ネットトラブル）") || !strings.Contains(sh, "銀行を名乗るSMSが届いた") {
		t.Error("the sheet lacks its title or the timeline")
	}
	screenshots(t, ctx, shots, "case-sheet")
}
