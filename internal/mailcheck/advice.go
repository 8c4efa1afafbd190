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

// advice says what to do now, in plain words of lang, for the verdict and
// for what the message asked for.
func advice(r *Result, found map[string][]string, lang string) []string {
	var out []tr
	switch r.Verdict {
	case Phishing:
		who := tr{"その会社", "the company"}
		if r.BrandName != "" {
			who = tr{r.BrandName, r.BrandName}
		}
		out = append(out,
			tr{"メールやSMSのリンクは開かないでください。返信もしないでください。",
				"Do not open the links in the mail or text message, and do not reply."},
			tr{fmt.Sprintf("心配なときは、%sの公式アプリや、自分でブックマークした公式サイトで確かめてください。", who.ja),
				fmt.Sprintf("If you are worried, check in the official app of %s, or on its official website from a bookmark you made yourself.", who.en)},
			tr{"電話で確かめるときは、メッセージに書かれた番号ではなく、カードの裏面や公式サイトなど自分で調べた番号にかけてください。",
				"To check by phone, do not call the number in the message. Call a number you found yourself, for example on the back of your card or on the official website."},
			tr{"もしリンクを開いてIDやパスワードを入力してしまったら、すぐに公式サイトからパスワードを変更してください。同じパスワードを使っているほかのサービスも変えてください。",
				"If you opened the link and entered your ID or password, change the password at once on the official website. Also change it on any other service where you use the same password."},
			tr{"カード番号を入力してしまったら、すぐにカード会社（カードの裏面の番号）に電話して、カードを止めてもらってください。",
				"If you entered your card number, call your card company at once (the number on the back of the card) and ask them to stop the card."},
			tr{"銀行のパスワードや暗証番号、乱数表を入力してしまったら、すぐに銀行に電話して口座を止めてもらい、警察のサイバー犯罪相談窓口にも相談してください。",
				"If you entered your bank password, PIN or security number card, call your bank at once to have the account stopped, and also contact the police cybercrime desk."},
			tr{"このメッセージはフィッシング対策協議会に報告できます（下の報告文を使えます）。報告したら削除してかまいません。",
				"You can report this message to the Council of Anti-Phishing Japan (フィッシング対策協議会) with the report below. The report is written in Japanese on purpose, because the desk works in Japanese: you can send it as it is. After reporting, you may delete the message."})
	case Fraud:
		out = append(out,
			tr{"お金は払わないでください。身に覚えのない請求に払う必要はありません。",
				"Do not pay. You do not have to pay a bill for something you know nothing about."},
			tr{"メッセージに書かれた電話番号やメールアドレスには連絡しないでください。連絡すると名前や電話番号を知られ、さらに請求されます。",
				"Do not call or write to the phone number or address in the message. If you do, they learn your name and phone number and demand even more."})
		if found["support_scam"] != nil {
			out = append(out, tr{"偽の警告画面が出ているときは、ブラウザを閉じるか、パソコンを再起動してください。遠隔操作ソフトは入れないでください。電子マネーのカードを買うよう言われたら詐欺です。",
				"If a fake warning fills your screen, close the browser or restart the computer. Do not install remote control software. If you are told to buy prepaid cards (electronic money), it is a scam."})
		}
		if found["sakura_bait"] != nil || found["dating_bait"] != nil {
			out = append(out, tr{"「お金をあげる」という話でポイントやお金を払ってしまったときは、振込先や支払いの記録を残して、消費者ホットライン（188）に相談してください。",
				"If you already paid for points or money after being promised money, keep the records of where and how you paid, and call the Consumer Hotline (188)."})
		}
		if mentionsCourt(found["fictitious_billing"]) {
			out = append(out, tr{"本物の裁判所からの通知は、メールやSMSではなく「特別送達」の郵便で届きます。心配なときは、自分で調べた裁判所の番号に確かめてください。",
				"A real court never writes by mail or text message: its papers come by post as “special delivery” (特別送達). If you are worried, call the court on a number you found yourself."})
		}
		out = append(out,
			tr{"困ったときや、もう払ってしまったときは、消費者ホットライン（188）か、警察相談専用電話（#9110）に相談してください。",
				"If you need help, or have already paid, call the Consumer Hotline (188) or the police consultation line (#9110)."})
	case Spam:
		out = append(out,
			tr{"広告メールです。リンクや「配信停止」の案内は開かず、削除してかまいません。開くと、アドレスが使われていると知られてしまうことがあります。",
				"This is advertising. Do not open its links, not even the “unsubscribe” one; you may simply delete it. Opening them can tell the sender that your address is in use."},
			tr{"同意していないのに届く広告メールは、迷惑メール相談センターに情報提供できます（下の報告文を使えます）。",
				"You can report advertising you never agreed to receive to the Spam Mail Consultation Center (迷惑メール相談センター) with the report below. The report is written in Japanese on purpose, because the desk works in Japanese: you can send it as it is."},
			tr{"携帯電話会社やメールサービスの迷惑メールフィルターを設定すると、届きにくくなります。",
				"Turning on the spam filter of your mobile carrier or mail service makes such mail less likely to arrive."})
	case Suspicious:
		out = append(out,
			tr{"はっきりとは言えませんが、怪しい点があります。リンクは開かず、書かれた電話番号にも電話しないでください。",
				"We cannot say for sure, but some things look wrong. Do not open the links, and do not call any phone number written in it."},
			tr{"本物かどうかは、公式アプリや自分で調べた公式サイト・電話番号で確かめてください。",
				"To find out whether it is real, check in the official app, or on the official website or phone number you found yourself."})
	default:
		out = append(out,
			tr{"強い怪しさは見つかりませんでした。それでも心配なときは、リンクから開かず、公式アプリや自分で調べた公式サイトで確かめてください。",
				"We found no strong sign of a scam. If you are still worried, do not open its links: check in the official app, or on the official website you found yourself."})
	}
	lines := make([]string, len(out))
	for i, t := range out {
		lines[i] = t.In(lang)
	}
	return lines
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
// It is in Japanese whatever the reader's language, for Japanese desks:
// brand is the brand's Japanese name and reasons the signals in Japanese.
// URLs are written safely (hxxps://example[.]com) so that nobody opens
// them by mistake.
func report(r *Result, m *message, brand string, reasons []string) *Report {
	var to, subject, intro string
	switch r.Verdict {
	case Phishing:
		to = antiphishingAddr
		subject = "フィッシングの報告"
		if brand != "" {
			subject += "（" + brand + "をかたるもの）"
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
	if brand != "" {
		fmt.Fprintf(&b, "・名乗っている組織: %s\n", brand)
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
	for _, s := range reasons {
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
