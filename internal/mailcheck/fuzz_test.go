package mailcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var verdicts = map[string]bool{Phishing: true, Fraud: true, Spam: true, Suspicious: true, None: true}

// checkInvariants holds for every result: a known verdict, explained
// signals, advice, and a report that carries no live link.
func checkInvariants(t *testing.T, r *Result, err error) {
	t.Helper()
	if err != nil {
		for _, e := range []error{ErrEmpty, ErrTooLarge, ErrHeaderTooLarge, ErrTooDeep, ErrTooManyParts, ErrNotUTF8, ErrBadURL, ErrNotMail} {
			if errors.Is(err, e) {
				return
			}
		}
		t.Fatalf("unexpected error kind: %v", err)
	}
	if !verdicts[r.Verdict] || len(r.Advice) == 0 {
		t.Fatalf("verdict %q advice %v", r.Verdict, r.Advice)
	}
	for _, s := range r.Signals {
		if s.Text == "" || s.Weight <= 0 || strings.Contains(s.Text, "%!") {
			t.Fatalf("signal %+v", s)
		}
	}
	if r.Report != nil {
		for _, l := range r.Links {
			if strings.Contains(l.URL, "://") && !strings.HasPrefix(strings.ToLower(l.URL), "hxxp") {
				t.Fatalf("link not defanged: %q", l.URL)
			}
		}
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatal(err)
	}
}

func FuzzCheckMail(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "eml", "*.eml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("Subject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=\r\nFrom: \x1b$B%F%9%H\x1b(B <a@b.example>\r\n\r\nhello"))
	f.Add([]byte("From: broken <<@>>\r\nContent-Type: multipart/alternative; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/html\r\n\r\n<a href=\"http://[::1]/\">x</a><a href=\"%zz\">"))
	f.Add([]byte("Subject: x\r\nAuthentication-Results: ;;; spf=\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!"))
	c := newTestChecker(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, lang := range []string{"ja", "en"} {
			r, err := c.CheckMail(bytes.NewReader(b), Options{Lang: lang})
			checkInvariants(t, r, err)
		}
	})
}

func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://amazon.co.jp/", "https://аmazon.co.jp/", "http://3232235777/", "hxxps://example[.]com", "www.xn--mazon-3ve.co.jp",
		"https://login.rakuten.co.jp.evil.example.top/a?b#c", "http://[::1]:80/", "https://ａｍａｚｏｎ．ｃｏ．ｊｐ", "http://user:pass@bit.ly/x", "mailto:x@example.com", "http://%41.com"} {
		f.Add(s)
	}
	c := newTestChecker(f)
	f.Fuzz(func(t *testing.T, s string) {
		for _, lang := range []string{"ja", "en"} {
			r, err := c.CheckURL(s, Options{Lang: lang})
			checkInvariants(t, r, err)
		}
	})
}

func FuzzCheckText(f *testing.F) {
	for _, s := range []string{"【Amazon】https://amazon-co-jp.xyz/ アカウント停止", "未納料金 03-1234-5678", "ｱﾏｿﾞﾝ", "http://", "www.", "a.b.c.d.e.f.com/"} {
		f.Add(s)
	}
	c := newTestChecker(f)
	f.Fuzz(func(t *testing.T, s string) {
		for _, lang := range []string{"ja", "en"} {
			r, err := c.CheckText(s, Options{Lang: lang})
			checkInvariants(t, r, err)
		}
	})
}
