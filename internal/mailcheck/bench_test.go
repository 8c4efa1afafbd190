package mailcheck

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func BenchmarkCheckMail(b *testing.B) {
	c := newTestChecker(b)
	for _, name := range []string{"e_p02.eml", "e_l01.eml", "e_p03.eml"} {
		raw, err := os.ReadFile(filepath.Join("testdata", "eml", name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := c.CheckMail(bytes.NewReader(raw), Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCheckText(b *testing.B) {
	c := newTestChecker(b)
	texts := map[string]string{
		"smishing": "【Amazon】お支払い方法に問題があります。24時間以内に更新しないとアカウントを停止します。 https://amazon-co-jp.xyz/login",
		"legit":    "ヤマト運輸です。11月24日にお荷物をお届け予定です。お届け日時の変更は https://www.kuronekoyamato.co.jp/ytc/customer/ から。",
	}
	for name, text := range texts {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.CheckText(text, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCheckURL(b *testing.B) {
	c := newTestChecker(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.CheckURL("https://login.rakuten.co.jp.evil.example.top/", Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckHostileMail(b *testing.B) {
	c := newTestChecker(b)
	mails := []struct {
		name string
		raw  []byte
	}{
		{"nested-250", nestedMail(250, "hello")},
		{"nested-500", nestedMail(500, "hello")},
		{"nested-1000", nestedMail(1000, "hello")},
		{"subject-3MB", headerMail("Subject: " + strings.Repeat("x", 3<<20))},
		{"parts-10000", flatMail(10000)},
		{"parts-100000", flatMail(100000)},
	}
	for _, m := range mails {
		b.Run(m.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(m.raw)))
			for b.Loop() {
				c.CheckMail(bytes.NewReader(m.raw), Options{})
			}
		})
	}
}
