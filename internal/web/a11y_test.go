package web

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kakekomi/kakekomi/internal/hours"
)

// axePath is axe-core as .ci/run installs it (npm ci in testdata/axe).
const axePath = "testdata/axe/node_modules/axe-core/axe.min.js"

// phoneWidth is the width of the phones most people in Japan hold (390 px
// CSS pixels: iPhone 12 to 16).
const phoneWidth = 390

// TestAccessibleOnAPhone opens the pages a person in trouble sees, on a
// 390 px phone by day and on a Saturday night, and holds what they rely
// on: axe-core finds no WCAG 2.2 AA violation, nothing is wider than the
// screen, every link and button is at least 44 px high, headings do not
// skip a level, and in an emergency the first call button dials a line
// that is open at that moment.
func TestAccessibleOnAPhone(t *testing.T) {
	axe, err := os.ReadFile(axePath)
	if err != nil {
		if os.Getenv("KAKEKOMI_REQUIRE_BROWSER") != "" {
			t.Fatalf("KAKEKOMI_REQUIRE_BROWSER is set but axe-core is missing (%v): run npm ci in internal/web/testdata/axe", err)
		}
		t.Skipf("accessibility tests need axe-core: npm ci in internal/web/testdata/axe (%v)", err)
	}
	moments := map[string]time.Time{
		"day":   testAt,                                             // Tuesday 10:30
		"night": time.Date(2026, 11, 28, 23, 30, 0, 0, hours.Tokyo), // Saturday 23:30
	}
	for name, at := range moments {
		t.Run(name, func(t *testing.T) {
			base, ctx := browserTestAt(t, true, at)
			do2(t, ctx, "phone", chromedp.EmulateViewport(phoneWidth, 844))
			shots := screenshotDir(t)
			check := func(page string) {
				t.Helper()
				auditPage(t, ctx, string(axe), name+" "+page)
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err == nil {
					file := strings.NewReplacer(" ", "-", "/", "_", "?", "_", "=", "_").Replace("a11y-" + name + "-" + page + ".png")
					os.WriteFile(filepath.Join(shots, file), png, 0o644)
				}
			}
			for _, path := range []string{"/", "/desks", "/desks?type=auction_fraud", "/check", "/?lang=en"} {
				do2(t, ctx, "open "+path, chromedp.Navigate(base+path), chromedp.WaitReady(chromedp.CSS("main")))
				check(path)
			}
			describe := func(text string, minor bool) {
				t.Helper()
				steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/"), chromedp.WaitVisible(chromedp.CSS("#text")),
					chromedp.SetValue(chromedp.CSS("#text"), text)}
				if minor {
					steps = append(steps, chromedp.Click(chromedp.CSS("#minor")))
				}
				steps = append(steps, chromedp.Click(chromedp.CSS("form.describe button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#steps-title")))
				do2(t, ctx, "describe", steps...)
			}
			describe("フリマアプリで買ったゲーム機が届かず、出品者と連絡が取れません。", false)
			check("result")
			do2(t, ctx, "open all", chromedp.Click(chromedp.CSS("#steps > summary")), chromedp.Click(chromedp.CSS("#desks > summary")),
				chromedp.Click(chromedp.CSS("#questions > summary")))
			check("result opened")

			do2(t, ctx, "save", chromedp.Click(chromedp.CSS("section.save button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#case-code")))
			check("case code")
			do2(t, ctx, "open the case", chromedp.Click(chromedp.CSS(`form[action="/case"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("#tl-title")),
				chromedp.SetValue(chromedp.CSS("#timeline-what"), "出品者からの連絡が止まった"),
				chromedp.Click(chromedp.CSS("form#timeline button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(".saved-notice")))
			check("case")

			describe("学校でLINEのグループで悪口を言われて、もう死にたいです。中学2年です。", true)
			check("emergency")
			first := evalString(t, ctx, `(() => { const a = document.querySelector(".emergency a.call"); const s = a && a.parentElement.querySelector(".status"); return (a ? a.getAttribute("href") : "") + " " + (s ? s.className : ""); })()`)
			if !strings.Contains(first, "status open") {
				t.Errorf("%s: the emergency's first call button (%s) does not dial a line open now", name, first)
			}
			if !strings.Contains(evalString(t, ctx, `document.querySelector(".emergency").innerText`), "チャット") {
				t.Errorf("%s: a child's emergency offers no chat or LINE counselling", name)
			}

			do2(t, ctx, "check a message", chromedp.Navigate(base+"/check"), chromedp.WaitVisible(chromedp.CSS("#ctext")),
				chromedp.SetValue(chromedp.CSS("#ctext"), "【重要】お客様のアカウントを一時停止しました。本日中に確認してください https://amaz0n-jp.top/"),
				chromedp.Click(chromedp.CSS(".check-form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#verdict-title")))
			check("check result")
		})
	}
}

// auditPage runs axe-core and the layout checks on the page open in ctx.
func auditPage(t *testing.T, ctx context.Context, axe, page string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](axe)); err != nil {
		t.Fatalf("%s: load axe-core: %v", page, err)
	}
	res := evalString(t, ctx, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}).then(r => JSON.stringify(r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))`)
	var violations []struct {
		ID, Help string
		Nodes    []string
	}
	if err := json.Unmarshal([]byte(res), &violations); err != nil {
		t.Fatalf("%s: read axe-core's answer %q: %v", page, res, err)
	}
	for _, v := range violations {
		t.Errorf("%s: axe %s (%s) at %v", page, v.ID, v.Help, v.Nodes)
	}
	if wide := evalString(t, ctx, `String(document.documentElement.scrollWidth > window.innerWidth)`); wide != "false" {
		t.Errorf("%s: the page is wider than the phone", page)
	}
	small := evalString(t, ctx, `JSON.stringify([...document.querySelectorAll("main a, main button, main summary, header a, main input[type=checkbox], main input[type=radio], main select")]
		.filter(e => e.offsetParent !== null && !e.closest("p.sources, .lines, .hint, .why, .text"))
		.map(e => { const r = e.getBoundingClientRect(); const box = e.matches("input") ? e.parentElement.getBoundingClientRect() : r; return [e.tagName + " " + (e.textContent || e.id).trim().slice(0, 30), Math.round(Math.min(box.height, r.height < 44 && e.matches("input") ? box.height : r.height))]; })
		.filter(([, h]) => h < 44))`)
	if small != "[]" {
		t.Errorf("%s: tap targets under 44 px: %s", page, small)
	}
	skips := evalString(t, ctx, `(() => { let last = 0, bad = []; for (const h of document.querySelectorAll("h1, h2, h3, h4")) { const n = +h.tagName[1]; if (n > last + 1) bad.push(h.tagName + " " + h.textContent.trim().slice(0, 30)); last = n; } return JSON.stringify(bad); })()`)
	if skips != "[]" {
		t.Errorf("%s: headings skip a level: %s", page, skips)
	}
}

// evalString runs JavaScript in the page (awaiting a promise) and returns
// its string result.
func evalString(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	return s
}
