package letters

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kakekomi/kakekomi/internal/casefile"
)

var jst = time.FixedZone("JST", 9*3600)

func TestCount(t *testing.T) {
	tests := []struct {
		line string
		want int
	}{
		{"あいう", 3},
		{"「はい」", 3},    // a bracket pair counts once
		{"（１）と（２）", 5}, // two pairs
		{"広さ１０㎡", 6},   // ㎡ counts 2
		{"①②", 2},
		{"」だけ", 3}, // a closing bracket with no opening counts
	}
	for _, tt := range tests {
		if got := Count(tt.line); got != tt.want {
			t.Errorf("Count(%q) = %d, want %d", tt.line, got, tt.want)
		}
	}
}

func TestValidateNamesEachProblem(t *testing.T) {
	long := strings.Repeat("あ", 27)
	var p1 Page
	for range 21 {
		p1 = append(p1, strings.Repeat("い", 26))
	}
	pages := []Page{{"はじめ", long, "", "おわり😀"}, p1}
	got := Validate(pages, Horizontal26x20)
	var msgs []string
	for _, p := range got {
		msgs = append(msgs, p.String())
	}
	want := []string{
		"1枚目 2行目: 27字あります（1行26字まで）",
		"1枚目 4行目: 使えない文字 '😀' があります",
		"2枚目: 21行あります（1枚20行まで）",
		"2枚目: 546字あります（1枚520字まで）",
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
	// The same lines are fine at 1行26字 in the 13-column format? No: each line is too long there.
	if n := len(Validate([]Page{{long}}, Horizontal13x40)); n != 1 {
		t.Errorf("13x40: %d problems, want 1", n)
	}
}

func demandCase(t *testing.T) *casefile.Case {
	c, err := casefile.Open("通販で代金を振り込んだのに商品が届かない", nil, nil, time.Date(2026, 11, 24, 10, 0, 0, 0, jst))
	if err != nil {
		t.Fatal(err)
	}
	c.Parties = []casefile.Party{{Name: "株式会社サンプル商店", Address: "東京都千代田区一丁目1番1号", URL: "https://sample-shop.example/"}}
	c.Payments = []casefile.Payment{{AmountJPY: 39800, At: time.Date(2026, 11, 1, 0, 0, 0, 0, jst), Method: "銀行振込"}}
	return c
}

func TestDemandFitsThePostOffice(t *testing.T) {
	c := demandCase(t)
	for _, vertical := range []bool{false, true} {
		l := Demand(c, Options{Date: time.Date(2026, 11, 24, 0, 0, 0, 0, jst), Goods: "腕時計", SenderName: "山田花子", SenderAddress: "大阪府大阪市北区二丁目2番2号", Vertical: vertical})
		if len(l.Problems) != 0 {
			t.Errorf("vertical=%v: draft breaks the limits: %v", vertical, l.Problems)
		}
		if p := Validate(l.Pages, *l.Format); len(p) != 0 {
			t.Errorf("vertical=%v: %v", vertical, p)
		}
		txt := l.Text()
		for _, want := range []string{"39,800円", "2026年12月8日までに", "3通", "法的手段", "少額訴訟"} {
			if !strings.Contains(txt, want) {
				t.Errorf("vertical=%v: demand lacks %q:\n%s", vertical, want, txt)
			}
		}
		for _, p := range l.Pages {
			for _, line := range p {
				if r, _ := utf8.DecodeRuneInString(line); strings.ContainsRune("、。」）", r) {
					t.Errorf("line starts with %q: %q", r, line)
				}
			}
		}
	}
}

func TestSmallClaimsOnlyWhenItApplies(t *testing.T) {
	c := demandCase(t)
	if SmallClaims(c, true) == "" {
		t.Error("39,800円 with a known address: small claims not explained")
	}
	if SmallClaims(c, false) != "" {
		t.Error("small claims explained without the other side's address")
	}
	c.Payments[0].AmountJPY = 600_001
	if SmallClaims(c, true) != "" {
		t.Error("small claims explained above 60万円")
	}
}

func TestTakedownHasTheFormFields(t *testing.T) {
	l := Takedown(demandCase(t), Options{Date: time.Date(2026, 11, 24, 0, 0, 0, 0, jst), URL: "https://bbs.example/thread/1#5"})
	for _, want := range []string{"侵害情報の通知書 兼 送信防止措置依頼書", "御中", "権利を侵害されたと主張する者", "掲載されている場所", "https://bbs.example/thread/1#5",
		"掲載されている情報", "侵害されたとする権利", "権利が侵害されたとする理由", "7日以内", "専用の削除フォーム"} {
		if !strings.Contains(l.Text(), want) {
			t.Errorf("takedown lacks %q", want)
		}
	}
}

func TestPhishingReport(t *testing.T) {
	c := demandCase(t)
	l := Phishing(c, Options{})
	if l.To != "info@antiphishing.jp" || !strings.Contains(l.Body, "https://sample-shop.example/") || !strings.Contains(l.Text(), "スクリーンショット") {
		t.Errorf("phishing report:\n%s", l.Text())
	}
}

func TestObjectionDeadline(t *testing.T) {
	holidays := map[string]bool{"2026-11-23": true}
	isHoliday := func(t time.Time) bool { return holidays[t.Format(time.DateOnly)] }
	tests := []struct{ received, last, next string }{
		{"2026-11-24", "2026-12-08", "2026-12-08"}, // Tuesday to Tuesday
		{"2026-11-07", "2026-11-21", "2026-11-24"}, // Saturday; Monday 23rd a holiday
		{"2026-12-17", "2026-12-31", "2027-01-04"}, // year-end closure
	}
	for _, tt := range tests {
		r, _ := time.ParseInLocation(time.DateOnly, tt.received, jst)
		last, next := ObjectionDeadline(r, isHoliday)
		if last.Format(time.DateOnly) != tt.last || next.Format(time.DateOnly) != tt.next {
			t.Errorf("received %s: deadline %s / %s, want %s / %s", tt.received, last.Format(time.DateOnly), next.Format(time.DateOnly), tt.last, tt.next)
		}
	}
	if txt := PaymentOrder(time.Date(2026, 11, 7, 0, 0, 0, 0, jst), isHoliday).Text(); !strings.Contains(txt, "2026年11月21日（土）") || !strings.Contains(txt, "2026年11月24日（火）まで延びます") {
		t.Errorf("payment order text:\n%s", txt)
	}
}

// FuzzValidate feeds any text to the validator and to Layout: problems
// name pages and lines that exist, and what Layout produces passes.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{"", "通知書\n\n　私は、（株）サンプルに代金を支払いました。", "\f\f", strings.Repeat("あ", 600), "「「「」」」㎡㎡\n\f（（（", "😀\x00\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pages := ParsePages(s)
		for _, p := range Validate(pages, Horizontal26x20) {
			if p.Page < 1 || p.Page > len(pages) || p.Line < 0 || p.Line > len(pages[p.Page-1]) {
				t.Fatalf("problem %+v names no place in %d pages", p, len(pages))
			}
		}
		if !utf8.ValidString(s) {
			return
		}
		for _, f := range []Format{Horizontal26x20, Horizontal20x26, Horizontal13x40, Vertical20x26} {
			laid := Layout(s, f)
			for _, p := range Validate(laid, f) {
				if !strings.Contains(p.Msg, "使えない文字") {
					t.Fatalf("%s: Layout output breaks the limits: %v", f.Name, p)
				}
			}
		}
	})
}
