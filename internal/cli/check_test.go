package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const smishing = "【Amazon】お支払い方法に問題があります。24時間以内に更新しないとアカウントを停止します。 https://amazon-co-jp.xyz/login"

func TestCheckTextReadable(t *testing.T) {
	code, out, errOut := run(t, "", "check", "--text", smishing)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"判定: フィッシング", "Amazon", "リンクは開かないで", "報告先: info@antiphishing.jp", "hxxps://amazon-co-jp[.]xyz/login"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "https://amazon-co-jp.xyz") {
		t.Errorf("output carries a live link:\n%s", out)
	}
}

// TestCheckTextEnglish checks that --lang en explains the verdict, the
// reasons and the advice in English, and keeps the report for the
// Japanese desk in Japanese with a note why.
func TestCheckTextEnglish(t *testing.T) {
	code, out, errOut := run(t, "", "check", "--lang", "en", "--text", smishing)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Verdict: Very likely a fake message (phishing)", "Pretends to be: Amazon\n", "try to rush or frighten you",
		"Do not open the links", "in Japanese on purpose", "Report to: info@antiphishing.jp", "Subject: フィッシングの報告", "Kind of trouble: "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, ja := range []string{"判定", "メールやSMSのリンクは開かないでください", "どうすればよいか"} {
		if strings.Contains(out, ja) {
			t.Errorf("English output has %q:\n%s", ja, out)
		}
	}
	if code, _, _ := run(t, "", "check", "--lang", "fr", "--text", smishing); code != 2 {
		t.Errorf("--lang fr: exit %d, want 2", code)
	}
}

func TestCheckMailFileAndStdin(t *testing.T) {
	path := filepath.Join("..", "mailcheck", "testdata", "eml", "e_p04.eml")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"check", "--json", path}, {"check", "--json", "-"}} {
		code, out, errOut := run(t, string(raw), args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		var r struct {
			Verdict string   `json:"verdict"`
			Brand   string   `json:"brand"`
			Types   []string `json:"types"`
			Signals []struct {
				ID string `json:"id"`
			} `json:"signals"`
			Report struct {
				To string `json:"to"`
			} `json:"report"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		if r.Verdict != "phishing" || r.Brand != "mufg" || len(r.Types) == 0 || r.Types[0] != "phishing" || r.Report.To != "info@antiphishing.jp" || len(r.Signals) == 0 {
			t.Errorf("%v: %+v", args, r)
		}
	}
}

func TestCheckBadInputExitsTwo(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		args  []string
	}{
		{"nothing to check", "", []string{"check"}},
		{"two inputs", "", []string{"check", "--text", "a", "--url", "https://example.com/"}},
		{"missing file", "", []string{"check", "no-such-file.eml"}},
		{"empty text", "", []string{"check", "--text", " "}},
		{"bad url", "", []string{"check", "--url", "javascript:alert(1)"}},
		{"not a mail", "hello\nworld", []string{"check", "-"}},
		{"empty mail", "", []string{"check", "-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := run(t, tt.stdin, tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2 (%s)", code, errOut)
			}
			if n := strings.Count(errOut, "\n"); n != 1 {
				t.Errorf("stderr has %d lines, want one: %q", n, errOut)
			}
		})
	}
}

func TestCheckBatchGoesOnAfterBadLine(t *testing.T) {
	eml, err := os.ReadFile(filepath.Join("..", "mailcheck", "testdata", "eml", "e_l03.eml"))
	if err != nil {
		t.Fatal(err)
	}
	emlLine, _ := json.Marshal(map[string]string{"id": "m", "eml": string(eml)})
	in := strings.Join([]string{
		`{"id":"a","text":"` + smishing + `"}`,
		`not json`,
		`{"id":"c"}`,
		`{"id":"d","url":"mailto:x@example.com"}`,
		`{"id":"e","url":"https://amaz0n.co.jp/"}`,
		string(emlLine),
		`{"id":"f","text":"` + smishing + `","lang":"en"}`,
		`{"id":"g","text":"` + smishing + `","lang":"fr"}`,
	}, "\n")
	code, out, errOut := run(t, in, "check", "--jsonl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 8 {
		t.Fatalf("got %d output lines, want 8:\n%s", len(lines), out)
	}
	want := []struct{ id, code, verdict string }{
		{"a", "", "phishing"}, {"", "bad_json", ""}, {"c", "missing_input", ""}, {"d", "bad_url", ""}, {"e", "", "phishing"}, {"m", "", "none"},
		{"f", "", "phishing"}, {"g", "bad_lang", ""},
	}
	for i, l := range lines {
		var obj struct {
			ID      string   `json:"id"`
			Verdict string   `json:"verdict"`
			Advice  []string `json:"advice"`
			Error   *struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(l), &obj); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		code := ""
		if obj.Error != nil {
			code = obj.Error.Code
			if obj.Error.Message == "" {
				t.Errorf("line %d: error without a message", i+1)
			}
		}
		if obj.ID != want[i].id || code != want[i].code || obj.Verdict != want[i].verdict {
			t.Errorf("line %d: id %q code %q verdict %q, want %+v", i+1, obj.ID, code, obj.Verdict, want[i])
		}
		if english := obj.ID == "f"; len(obj.Advice) > 0 && strings.HasPrefix(obj.Advice[0], "Do not open") != english {
			t.Errorf("line %d: advice %q, want English %v", i+1, obj.Advice[0], english)
		}
	}
}
