package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kakekomi/kakekomi/internal/triage"
)

const loadText = "通販サイトでスニーカーを買って、代金の1万2千円を銀行振込で払いました。もう2週間たつのに商品が届かず、お店にメールしても返事がありません。サイトの会社概要の電話番号もつながりません。どうしたらいいでしょうか。"

// BenchmarkAPITriage is one POST /api/v1/triage through all the
// middleware; compare with BenchmarkEngineTriage for the HTTP layer's share.
func BenchmarkAPITriage(b *testing.B) {
	h := newServer(b, Config{RateLimit: 1e9}).Handler()
	body := `{"text":"` + loadText + `","at":"2026-11-24T10:30:00+09:00","context":{"prefecture":"東京都"}}`
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("POST", "/api/v1/triage", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkEngineTriage is the triage alone, without HTTP.
func BenchmarkEngineTriage(b *testing.B) {
	s := newServer(b, Config{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.h.engine.Triage(triage.Input{Text: loadText, At: testAt, Context: triage.Context{Prefecture: "東京都"}}); err != nil {
			b.Fatal(err)
		}
	}
}
