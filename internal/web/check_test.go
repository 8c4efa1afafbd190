package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

const phishingSMS = "【重要】お客様のアカウントを停止しました。http://amazon-co-jp.example.top/login で確認してください"

// TestCheckPageEnglish checks that a foreign resident using the English
// page reads the verdict, the reasons and the advice in English, while the
// report for the Japanese desk stays in Japanese and says why.
func TestCheckPageEnglish(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	w := postForm(t, h, "/check", url.Values{"lang": {"en"}, "text": {phishingSMS}})
	wantPage(t, w, 200, `<html lang="en">`, "Very likely a fake message (phishing)",
		"Do not open the links in the mail or text message", "try to rush or frighten you",
		"in Japanese on purpose", "フィッシングの報告")
	// Japanese reasons appear only in the report's body.
	if strings.Contains(w.Body.String(), "メールやSMSのリンクは開かないでください") {
		t.Error("the English page shows Japanese advice")
	}
	// The Japanese page is unchanged.
	wantPage(t, postForm(t, h, "/check", url.Values{"text": {phishingSMS}}), 200,
		"メールやSMSのリンクは開かないでください", "急がせたり不安にさせたりする言葉があります")
}

// TestAPICheckLang checks that the API answers in the language asked for,
// by the JSON field or, for a raw mail, by ?lang=, and refuses others.
func TestAPICheckLang(t *testing.T) {
	h := newServer(t, Config{}).Handler()
	for _, c := range []struct {
		name, target, contentType, body string
		english                         bool
	}{
		{"field", "/api/v1/check", "application/json", `{"text":"` + phishingSMS + `","lang":"en"}`, true},
		{"query", "/api/v1/check?lang=en", "application/json", `{"text":"` + phishingSMS + `"}`, true},
		{"mail query", "/api/v1/check?lang=en", "message/rfc822", sampleMail, true},
		{"field wins", "/api/v1/check?lang=en", "application/json", `{"text":"` + phishingSMS + `","lang":"ja"}`, false},
		{"default", "/api/v1/check", "application/json", `{"text":"` + phishingSMS + `"}`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := do(t, h, request{method: "POST", target: c.target, contentType: c.contentType, body: c.body})
			var r struct {
				Verdict string `json:"verdict"`
				Signals []struct {
					Text string `json:"text"`
				} `json:"signals"`
				Advice []string `json:"advice"`
				Report *struct {
					Subject string `json:"subject"`
				} `json:"report"`
			}
			if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &r) != nil || r.Verdict != "phishing" || len(r.Signals) == 0 || r.Report == nil {
				t.Fatalf("%d %s", w.Code, w.Body.String())
			}
			if got := strings.HasPrefix(r.Advice[0], "Do not open"); got != c.english {
				t.Errorf("first advice %q, want English %v", r.Advice[0], c.english)
			}
			if !strings.HasPrefix(r.Report.Subject, "フィッシングの報告") {
				t.Errorf("report subject %q, want it in Japanese", r.Report.Subject)
			}
		})
	}
	wantAPIError(t, do(t, h, request{method: "POST", target: "/api/v1/check", contentType: "application/json", body: `{"text":"a","lang":"fr"}`}), 400, "bad_lang")
	wantAPIError(t, do(t, h, request{method: "POST", target: "/api/v1/check?lang=fr", contentType: "message/rfc822", body: sampleMail}), 400, "bad_lang")
}
