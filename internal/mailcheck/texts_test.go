package mailcheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// emittedIDs returns every signal id c can emit: the phrase groups' ids
// and the literal ids of the j.add calls in judge.go and learned.go.
func emittedIDs(t *testing.T, c *Checker) []string {
	t.Helper()
	var ids []string
	for _, g := range c.groups {
		ids = append(ids, g.ID)
	}
	for _, name := range []string{"judge.go", "learned.go"} {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, addedIDs(f)...)
	}
	if len(ids) <= len(c.groups) {
		t.Fatal("found no j.add calls")
	}
	return ids
}

// addedIDs returns the literal ids of the add calls in f.
func addedIDs(f *ast.File) []string {
	var ids []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "add" || len(call.Args) == 0 {
			return true
		}
		if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
			id, _ := strconv.Unquote(lit.Value)
			ids = append(ids, id)
		}
		return true
	})
	return ids
}

var verbPattern = regexp.MustCompile(`%[a-z]`)

// TestSignalTextsBothLanguages holds every signal the checker can emit to
// an explanation in Japanese and in English that take the same arguments,
// so that nobody reading in English meets a missing or garbled reason.
func TestSignalTextsBothLanguages(t *testing.T) {
	c := newTestChecker(t)
	ids := emittedIDs(t, c)
	for _, id := range ids {
		txt, ok := c.texts[id]
		if !ok {
			t.Errorf("signal %q has no text", id)
			continue
		}
		ja, en := txt.In("ja"), txt.In("en")
		if ja == "" || en == "" {
			t.Errorf("signal %q: ja %q, en %q: both are needed", id, ja, en)
		}
		if jv, ev := verbPattern.FindAllString(ja, -1), verbPattern.FindAllString(en, -1); !slices.Equal(jv, ev) {
			t.Errorf("signal %q: Japanese takes %v, English %v", id, jv, ev)
		}
		if hasJapanese(en) {
			t.Errorf("signal %q: English text has Japanese: %q", id, en)
		}
	}
	for id := range signalTexts {
		if !slices.Contains(ids, id) {
			t.Errorf("signalTexts has %q, which the checker never emits", id)
		}
	}
}

// hasJapanese reports whether s has kana or kanji.
func hasJapanese(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) {
			return true
		}
	}
	return false
}

// quotedOrBracketed are the parts of an English text that may rightly be
// Japanese: words quoted from the message, and names given in brackets
// (the desk's Japanese name, a domain, a phone number).
var quotedOrBracketed = regexp.MustCompile(`\x{201c}[^\x{201d}]*\x{201d}|\([^)]*\)`)

// TestEnglishCheck checks every message of the corpus in English: the
// verdict and the reasons are the same as in Japanese, signals and advice
// are English apart from quoted words and bracketed names, and the report
// to the Japanese desk stays exactly the Japanese one.
func TestEnglishCheck(t *testing.T) {
	c := newTestChecker(t)
	englishBrand := false
	for _, s := range readCorpus(t) {
		ja := c.checkSample(t, s, Options{})
		en := c.checkSample(t, s, Options{Lang: "en"})
		if en.Verdict != ja.Verdict || en.Brand != ja.Brand || !slices.Equal(en.Types, ja.Types) {
			t.Errorf("%s: English verdict %s %s %v, Japanese %s %s %v", s.ID, en.Verdict, en.Brand, en.Types, ja.Verdict, ja.Brand, ja.Types)
			continue
		}
		if len(en.Signals) != len(ja.Signals) {
			t.Errorf("%s: %d English signals, %d Japanese", s.ID, len(en.Signals), len(ja.Signals))
			continue
		}
		for i, sig := range en.Signals {
			if sig.ID != ja.Signals[i].ID || sig.Weight != ja.Signals[i].Weight {
				t.Errorf("%s: signal %d is %s %.2f in English, %s %.2f in Japanese", s.ID, i, sig.ID, sig.Weight, ja.Signals[i].ID, ja.Signals[i].Weight)
			}
			if rest := quotedOrBracketed.ReplaceAllString(sig.Text, ""); hasJapanese(rest) || strings.Contains(sig.Text, "%!") {
				t.Errorf("%s: signal %s is not plain English: %q", s.ID, sig.ID, sig.Text)
			}
		}
		if len(en.Advice) != len(ja.Advice) {
			t.Errorf("%s: %d English advice lines, %d Japanese", s.ID, len(en.Advice), len(ja.Advice))
		}
		for _, a := range en.Advice {
			if rest := quotedOrBracketed.ReplaceAllString(a, ""); hasJapanese(rest) || a == "" {
				t.Errorf("%s: advice is not plain English: %q", s.ID, a)
			}
		}
		if (en.Report == nil) != (ja.Report == nil) || en.Report != nil && *en.Report != *ja.Report {
			t.Errorf("%s: the report differs in English:\n%+v\nwant the Japanese one:\n%+v", s.ID, en.Report, ja.Report)
		}
		if en.Report != nil && !slices.ContainsFunc(en.Advice, func(a string) bool { return strings.Contains(a, "in Japanese on purpose") }) {
			t.Errorf("%s: the advice does not say why the report is in Japanese: %q", s.ID, en.Advice)
		}
		if en.BrandName != "" && !hasJapanese(en.BrandName) {
			englishBrand = true
		}
	}
	if !englishBrand {
		t.Error("no result named its brand in English")
	}
}

// TestAdviceBothLanguages walks every branch of the advice: each line has
// an English counterpart, and the Japanese is what it always was.
func TestAdviceBothLanguages(t *testing.T) {
	every := map[string][]string{"support_scam": {"x"}, "sakura_bait": {"x"}, "fictitious_billing": {"訴訟"}}
	for _, v := range []string{Phishing, Fraud, Spam, Suspicious, None} {
		for _, found := range []map[string][]string{nil, every} {
			for _, brand := range []string{"", "Amazon"} {
				r := &Result{Verdict: v, BrandName: brand}
				ja, en := advice(r, found, "ja"), advice(r, found, "en")
				if len(ja) == 0 || len(ja) != len(en) {
					t.Fatalf("%s: %d Japanese lines, %d English", v, len(ja), len(en))
				}
				for i := range en {
					if en[i] == "" || hasJapanese(quotedOrBracketed.ReplaceAllString(en[i], "")) {
						t.Errorf("%s: English line %d is %q", v, i, en[i])
					}
					if !hasJapanese(ja[i]) {
						t.Errorf("%s: Japanese line %d is %q", v, i, ja[i])
					}
				}
			}
		}
	}
}
