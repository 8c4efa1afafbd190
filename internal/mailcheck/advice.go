package mailcheck

import (
	"fmt"
	"path"
	"strings"
)

// Where reports go: the Council of Anti-Phishing Japan takes phishing mail
// and SMS, the Japan Data Communications Association's spam centre takes
// advertising mail sent without consent.
const (
	antiphishingAddr = "info@antiphishing.jp"
	spamCenterAddr   = "meiwaku@dekyo.or.jp"
)

// advice says what to do now, in plain Japanese, for the verdict and for
// what the message asked for.
func advice(r *Result, found map[string][]string) []string {
	var out []string
	switch r.Verdict {
	case Phishing:
		who := "その会社"
		if r.BrandName != "" {
			who = r.BrandName
		}
		out = append(out,
			"メールやSMSのリンクは開かないでください。返信もしないでください。",
			fmt.Sprintf("心配なときは、%sの公式アプリや、自分でブックマークした公式サイトで確かめてください。", who),
			"電話で確かめるときは、メッセージに書かれた番号ではなく、カードの裏面や公式サイトなど自分で調べた番号にかけてください。",
			"もしリンクを開いてIDやパスワードを入力してしまったら、すぐに公式サイトからパスワードを変更してください。同じパスワードを使っているほかのサービスも変えてください。",
			"カード番号を入力してしまったら、すぐにカード会社（カードの裏面の番号）に電話して、カードを止めてもらってください。",
			"銀行のパスワードや暗証番号、乱数表を入力してしまったら、すぐに銀行に電話して口座を止めてもらい、警察のサイバー犯罪相談窓口にも相談してください。",
			"このメッセージはフィッシング対策協議会に報告できます（下の報告文を使えます）。報告したら削除してかまいません。")
	case Fraud:
		out = append(out,
			"お金は払わないでください。身に覚えのない請求に払う必要はありません。",
			"メッセージに書かれた電話番号やメールアドレスには連絡しないでください。連絡すると名前や電話番号を知られ、さらに請求されます。")
		if found["support_scam"] != nil {
			out = append(out, "偽の警告画面が出ているときは、ブラウザを閉じるか、パソコンを再起動してください。遠隔操作ソフトは入れないでください。電子マネーのカードを買うよう言われたら詐欺です。")
		}
		if found["sakura_bait"] != nil || found["dating_bait"] != nil {
			out = append(out, "「お金をあげる」という話でポイントやお金を払ってしまったときは、振込先や支払いの記録を残して、消費者ホットライン（188）に相談してください。")
		}
		if mentionsCourt(found["fictitious_billing"]) {
			out = append(out, "本物の裁判所からの通知は、メールやSMSではなく「特別送達」の郵便で届きます。心配なときは、自分で調べた裁判所の番号に確かめてください。")
		}
		out = append(out,
			"困ったときや、もう払ってしまったときは、消費者ホットライン（188）か、警察相談専用電話（#9110）に相談してください。")
	case Spam:
		out = append(out,
			"広告メールです。リンクや「配信停止」の案内は開かず、削除してかまいません。開くと、アドレスが使われていると知られてしまうことがあります。",
			"同意していないのに届く広告メールは、迷惑メール相談センターに情報提供できます（下の報告文を使えます）。",
			"携帯電話会社やメールサービスの迷惑メールフィルターを設定すると、届きにくくなります。")
	case Suspicious:
		out = append(out,
			"はっきりとは言えませんが、怪しい点があります。リンクは開かず、書かれた電話番号にも電話しないでください。",
			"本物かどうかは、公式アプリや自分で調べた公式サイト・電話番号で確かめてください。")
	default:
		out = append(out,
			"強い怪しさは見つかりませんでした。それでも心配なときは、リンクから開かず、公式アプリや自分で調べた公式サイトで確かめてください。")
	}
	return out
}

// mentionsCourt reports whether billing wording threatens court action.
func mentionsCourt(words []string) bool {
	for _, w := range words {
		if strings.ContainsAny(w, "訴裁差執") {
			return true
		}
	}
	return false
}

// report writes the message for the desk that takes it, or returns nil.
// URLs are written safely (hxxps://example[.]com) so that nobody opens
// them by mistake.
func report(r *Result, m *message) *Report {
	var to, subject, intro string
	switch r.Verdict {
	case Phishing:
		to = antiphishingAddr
		subject = "フィッシングの報告"
		if r.BrandName != "" {
			subject += "（" + r.BrandName + "をかたるもの）"
		}
		intro = "フィッシングと思われるメッセージを受け取りましたので、報告します。"
	case Spam:
		to = spamCenterAddr
		subject = "迷惑メール（広告）の情報提供"
		intro = "同意していない広告メールを受け取りましたので、情報提供します。"
	default:
		return nil
	}
	var b strings.Builder
	b.WriteString(intro + "\n")
	if m.kind == "mail" {
		b.WriteString("（受け取ったメールそのものを、このメールに添付して転送します。）\n")
	}
	b.WriteString("\n")
	kind := map[string]string{"mail": "メール", "text": "SMS・メッセージ", "url": "URL"}[m.kind]
	fmt.Fprintf(&b, "・種類: %s\n", kind)
	if m.mail != nil {
		if m.mail.Date != "" {
			fmt.Fprintf(&b, "・受信日時: %s\n", m.mail.Date)
		}
		fmt.Fprintf(&b, "・件名: %s\n", m.mail.Subject)
		fmt.Fprintf(&b, "・差出人: %s <%s>\n", m.mail.FromName, defangHost(m.mail.FromAddr))
	}
	if r.BrandName != "" {
		fmt.Fprintf(&b, "・名乗っている組織: %s\n", r.BrandName)
	}
	if m.kind == "text" {
		fmt.Fprintf(&b, "・本文（要約）: %s\n", summary(m.body))
	}
	if len(r.Links) > 0 {
		b.WriteString("・メッセージ中のURL（誤って開かないよう hxxp と [.] に書き換えています）:\n")
		for _, l := range first(linkURLs(r.Links), 10) {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	if len(r.Phones) > 0 {
		fmt.Fprintf(&b, "・メッセージ中の電話番号: %s\n", strings.Join(r.Phones, "、"))
	}
	b.WriteString("・怪しいと判断した理由:\n")
	for _, s := range first(signalTexts(r.Signals), 5) {
		fmt.Fprintf(&b, "  - %s\n", s)
	}
	return &Report{To: to, Subject: subject, Body: b.String()}
}

// summary shortens a pasted text for a report, with its URLs defanged.
func summary(s string) string {
	s = urlPattern.ReplaceAllStringFunc(s, defang)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

func linkURLs(ls []Link) []string {
	var out []string
	for _, l := range ls {
		if !contains(out, l.URL) {
			out = append(out, l.URL)
		}
	}
	return out
}

func signalTexts(ss []Signal) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Text
	}
	return out
}

// riskyExts are attachments that run code or hide it when opened.
var riskyExts = map[string]bool{
	".exe": true, ".scr": true, ".com": true, ".bat": true, ".cmd": true, ".js": true, ".jse": true,
	".vbs": true, ".vbe": true, ".wsf": true, ".hta": true, ".lnk": true, ".iso": true, ".img": true,
	".zip": true, ".rar": true, ".7z": true, ".html": true, ".htm": true, ".xlsm": true, ".docm": true,
	".pptm": true, ".one": true, ".msi": true, ".apk": true, ".jar": true, ".ps1": true, ".svg": true,
}

func risky(name, mediaType string) bool {
	return riskyExts[strings.ToLower(path.Ext(name))] ||
		strings.Contains(mediaType, "msdownload") || strings.Contains(mediaType, "android.package")
}
