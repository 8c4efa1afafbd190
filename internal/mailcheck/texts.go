package mailcheck

import "strings"

// Options choose how a check is explained.
type Options struct {
	// Lang is the language of the signals, the advice and the brand name:
	// "ja" (the default) or "en". Reports stay in Japanese whatever the
	// language, because the desks that take them work in Japanese.
	Lang string
}

// tr is one text in both languages.
type tr struct{ ja, en string }

// In returns the text in lang, Japanese unless lang is "en".
func (t tr) In(lang string) string {
	if lang == "en" {
		return t.en
	}
	return t.ja
}

// localized is an argument of a signal's text that reads differently in
// each language: a brand's name, a list, a way of imitating a domain.
type localized interface{ In(lang string) string }

// wordList is a list of words taken from the message, joined as each
// language joins a list.
type wordList []string

func (l wordList) In(lang string) string {
	if lang == "en" {
		return strings.Join(l, ", ")
	}
	return strings.Join(l, "、")
}

// quotedList is the words found in the message, each quoted.
type quotedList []string

func (l quotedList) In(lang string) string {
	lq, rq, sep := "「", "」", ""
	if lang == "en" {
		lq, rq, sep = "\u201c", "\u201d", ", "
	}
	q := make([]string, len(l))
	for i, w := range l {
		q[i] = lq + w + rq
	}
	return strings.Join(q, sep)
}

// Ways in which a domain imitates a brand's.
var (
	sameNameOtherEnding = tr{"同じ名前を別の末尾で登録した", "registered with the same name under another ending"}
	lookalikeLetters    = tr{"見た目を本物に似せた", "made to look like the real one"}
	oneLetterOff        = tr{"本物と一文字だけ違う", "one letter different from the real one"}
	realDomainInside    = tr{"本物のドメイン名を紛れ込ませた", "with the real domain name slipped inside"}
	nameInside          = tr{"名前を紛れ込ませた", "with the name slipped inside"}
)

// signalTexts says, for every signal id but the phrase groups' (whose texts
// are in the knowledge base's checker.yaml), why it matters, as a format
// whose verbs take the signal's arguments in order. Both languages take the
// same arguments (checked by a test).
var signalTexts = map[string]tr{
	"reads_like_phishing": {
		"文面が、会社や役所になりすましてIDやパスワード、カード番号、お金をだまし取るメッセージとよく似ています。リンクやボタン、書かれた番号は使わず、公式アプリか自分で調べた公式サイトで確かめてください。",
		"The wording closely resembles messages that pose as a company or public office to steal IDs, passwords, card numbers or money. Do not use its links, buttons or phone numbers: check in the official app or on the official website you found yourself."},
	"reads_like_fraud": {
		"文面が、身に覚えのない料金の請求や「お金をあげる」といった誘いのだましのメッセージとよく似ています。お金は払わず、書かれた番号や連絡先には連絡しないでください。",
		"The wording closely resembles scam messages that bill you for things you never used, or promise you money. Do not pay, and do not contact the number or address in it."},
	"reads_like_lure": {
		"リンクや送信元からは決められませんが、文面がだましのメッセージに似ています。書かれたリンクや番号は使わず、公式アプリや自分で調べた連絡先で確かめてください。",
		"Its links and sender do not settle it, but the wording resembles scam messages. Do not use the links or numbers in it: check in the official app or through contact details you found yourself."},
	"reads_like_genuine": {
		"文面は本物のお知らせによく似ていますが、リンク先や送信元が、こちらで確かめられた公式のものと一致しません。リンクは開かず、公式アプリや自分でブックマークした公式サイトで確かめてください。",
		"The wording closely resembles a genuine notice, but its links or sender do not match the official ones we could confirm. Do not open the links: check in the official app or on the official website from your own bookmark."},
	"reads_like_spam": {
		"文面が、同意なく送られてくる広告・宣伝のメールとよく似ています。",
		"The wording closely resembles advertising sent without consent."},
	"phone_in_threat": {
		"脅したり急がせたりする文面に電話番号（%s）が書かれています。この番号には電話しないでください。相手に電話番号や名前を知られ、お金を払うよう迫られます。",
		"The message threatens or rushes you and gives a phone number (%s). Do not call this number. They would learn your phone number and name, and press you to pay."},
	"risky_attachment": {
		"添付ファイル「%s」は、開くとウイルスに感染するおそれがある種類のファイルです。開かないでください。",
		"The attached file \u201c%s\u201d is a kind of file that can infect your device with a virus when opened. Do not open it."},
	"display_name_mismatch": {
		"差出人の名前は「%s」ですが、送信元のアドレス（%s）は%sが使っているドメインではありません。名前は誰でも自由に付けられます。",
		"The sender's name is \u201c%s\u201d, but the sending address (%s) is not on a domain that %s uses. Anyone can give themselves any name."},
	"sender_lookalike": {
		"送信元のドメイン（%s）は%sの本物のドメインではなく、%s別のドメインです。",
		"The sender's domain (%s) is not the real domain of %s. It is a different domain, %s."},
	"reply_to_mismatch": {
		"返信先（Reply-To: %s）が送信元と別のドメインになっています。返信すると別の相手に届きます。",
		"Replies go to a different domain from the sender's (Reply-To: %s). If you reply, your answer goes to someone else."},
	"auth_failed": {
		"受信したサーバーの送信元確認（%s）に失敗しています。差出人のアドレスが偽物である可能性が高いです。",
		"The receiving mail server's check of the sender (%s) failed. The sender's address is very likely fake."},
	"link_text_mismatch": {
		"リンクの文字は「%s」と見えますが、実際の行き先は %s です。見た目と行き先が違うリンクは、偽サイトへ誘う典型的な手口です。",
		"The link reads \u201c%s\u201d, but it really goes to %s. A link that goes somewhere other than it shows is a typical trick to lead you to a fake site."},
	"ip_link": {
		"リンク先がドメイン名ではなく数字の並び（IPアドレス %s）です。まともな会社はこうしたリンクを送りません。",
		"The link goes to a string of numbers (the IP address %s) instead of a domain name. Real companies do not send links like this."},
	"shortener": {
		"短縮URL（%s）で本当の行き先が隠されています。",
		"A link shortener (%s) hides where the link really goes."},
	"lookalike_domain": {
		"リンク先（%s）は%sの本物のドメインではなく、%s別のドメインです。偽サイトと考えられます。",
		"The link (%s) does not go to the real domain of %s, but to a different domain, %s. It is most likely a fake site."},
	"brand_other_ending": {
		"リンク先（%s）は、%sが使っているドメインと名前は同じですが、末尾が違います。海外向けの本物のサイトのこともありますが、偽サイトのおそれがあります。",
		"The link (%s) has the same name as a domain %s uses, but a different ending. It may be a real site for another country, but it may also be a fake site."},
	"punycode": {
		"リンク先のドメイン（%s）には英字以外の文字が使われています（%s）。英字によく似た別の文字で本物に見せかける手口があります。",
		"The link's domain (%s) uses characters that are not plain English letters (%s). Some fake sites use characters that look like English letters to pass as the real one."},
	"unusual_tld": {
		"リンク先（%s）は、日本の会社や役所がほとんど使わず、詐欺のSMSでよく使われる種類のドメイン（.%s）です。",
		"The link (%s) uses a kind of domain (.%s) that Japanese companies and public offices hardly ever use, and that scam text messages often do."},
	"brand_link_mismatch": {
		"%sを名乗っていますが、リンク先（%s）は%sのドメインではありません。",
		"The message says it is from %s, but the links (%s) do not go to a domain of %s."},
}
