package mailcheck

import (
	"strings"
	"unicode/utf8"

	"github.com/kakekomi/kakekomi/internal/jatext"
)

// class says which verdict a signal speaks for.
type class int

const (
	classAny   class = iota // any scam: pressure, hidden or doubtful links
	classPhish              // impersonation to take credentials, card data or money
	classFraud              // fictitious billing, one-click, sakura sites, fake support
	classSpam               // advertising
)

// phraseGroup is a kind of wording that scam messages use. It matches when
// the text has one of Any, at least one phrase of every list in All, and
// (when Negated is set) the sentence with the match does not deny it:
// real banks write 「暗証番号をお尋ねすることはありません」.
type phraseGroup struct {
	id      string
	class   class
	weight  float64
	typ     string // taxonomy type the wording belongs to
	any     []string
	all     [][]string
	negated bool
}

var groups = []phraseGroup{
	{id: "pressure", class: classAny, weight: 0.3,
		any: []string{"アカウント停止", "アカウントを停止", "アカウントが停止", "利用停止", "利用を停止", "一時停止", "利用制限", "ご利用を制限", "制限しております", "制限されています", "制限いたします",
			"ロックされ", "ロックしました", "凍結", "24時間以内", "48時間以内", "72時間以内", "本日中", "至急", "緊急", "法的措置", "失効", "無効になります", "無効となります",
			"異常なログイン", "不審なログイン", "不正なログイン", "不正アクセスを検知", "第三者による不正", "セキュリティ上の理由", "取引を制限", "停止されます", "停止となります", "停止しました", "停止しております", "停止する予定", "異常な取引", "不正な取引", "不審な取引", "法的手続き", "速やかに", "期限までに"}},
	{id: "credential_request", class: classPhish, weight: 0.5, negated: true, typ: "phishing",
		any: nil,
		all: [][]string{
			{"パスワード", "暗証番号", "カード番号", "セキュリティコード", "有効期限", "ログインid", "口座番号", "生年月日", "ワンタイムパスワード", "認証コード", "カード情報", "お支払い情報", "支払い情報", "お客様情報", "登録情報", "アカウント情報", "本人確認"},
			{"入力", "更新", "再登録", "ご登録", "確認してください", "ご確認ください", "ご確認下さい", "認証してください", "照合", "送信してください", "教えて", "お知らせください", "手続き", "お願い"}}},
	{id: "second_pin", class: classPhish, weight: 0.8, negated: true, typ: "banking_fraud",
		any: []string{"第二暗証番号", "乱数表", "合言葉", "秘密の質問", "確認番号表"}},
	{id: "courier_notice", class: classPhish, weight: 0.7, typ: "phishing",
		any: []string{"不在", "お荷物", "お届け物", "再配達", "配達できません", "配達できませんでした", "持ち帰り", "宛先不明", "住所不明", "配送物", "配達予定", "保管期限", "お届けにあがり", "配送状況", "税関", "関税"}},
	{id: "refund_bait", class: classAny, weight: 0.3, typ: "phishing",
		any: []string{"還付金", "給付金", "還付", "払い戻し", "ポイントを付与", "ポイント付与", "ポイントが失効", "ポイント失効", "当選しました", "当選者"}},
	{id: "fictitious_billing", class: classFraud, weight: 0.6, typ: "fictitious_billing",
		any: []string{"未納料金", "未払い料金", "未納分", "未納", "有料動画", "有料サイト", "有料コンテンツ", "退会手続き", "退会処理", "退会手続", "訴訟最終告知", "最終告知", "最終通告", "本日中に連絡なき", "連絡なき場合", "ご連絡なき場合",
			"民事訴訟", "少額訴訟", "訴訟を提起", "債権回収", "債権譲渡", "差し押さえ", "差押", "強制執行", "延滞金", "延滞料", "和解", "裁判取り下げ", "取り下げ", "法務省管轄", "身辺調査", "自宅へ訪問", "ご自宅に伺", "給与差押"}},
	{id: "one_click", class: classFraud, weight: 1.0, typ: "one_click_fraud",
		all: [][]string{
			{"登録が完了", "登録完了", "入会が完了", "ご入会", "会員登録", "登録ありがとう", "ご登録いただき"},
			{"料金", "登録料", "入会金", "年会費", "利用料", "円"},
			{"個体識別", "ipアドレス", "端末情報", "退会", "動画", "アダルト", "出会い", "取得しました", "記録しました"}}},
	{id: "sakura_bait", class: classFraud, weight: 1.0, typ: "sakura_site_fraud",
		any: []string{"お金をあげ", "お金を差し上げ", "支援金", "援助したい", "援助させ", "受け取り手続", "受取手続", "遺産", "当選金", "資産家", "お譲りしたい", "マネージャーをして", "芸能人", "相続人", "謝礼をお支払", "余命", "財産", "受け取ってほしい", "もらってほしい", "受け取ってください"},
		all: [][]string{{"万円", "億円", "現金", "お金", "ポイント", "報酬", "謝礼"}}},
	{id: "dating_bait", class: classFraud, weight: 0.4, typ: "sakura_site_fraud",
		any: []string{"会いたい", "寂しい", "秘密の関係", "割り切り", "お小遣い", "セレブ", "人妻", "逆援助"}},
	{id: "support_scam", class: classFraud, weight: 0.6, typ: "support_scam",
		any: []string{"ウイルスに感染", "ウイルスが検出", "ウイルスを検出", "感染しています", "トロイの木馬", "システムが破損", "セキュリティ警告", "サポートセンターに電話", "サポートセンターへ電話", "今すぐお電話", "技術サポート", "ハッキングされ", "個人情報が流出", "windowsのセキュリティ"}},
	{id: "advertising", class: classSpam, weight: 0.3, typ: "spam_mail",
		any: []string{"配信停止", "配信解除", "メルマガ", "セール", "特価", "数量限定", "お早めに", "%off", "今だけ", "期間限定", "限定価格", "激安", "完全無料", "特別価格", "割引", "クーポン", "キャンペーン", "プレゼント", "お得", "副業", "稼げる", "副収入", "不労所得", "投資", "儲か", "在宅ワーク", "簡単に稼", "日給", "月収"}},
	{id: "unsolicited_ad", class: classSpam, weight: 0.8, typ: "spam_mail",
		any: []string{"未承諾広告"}},
}

// foldGroups returns the groups with their phrases folded like the text.
func foldGroups() []*phraseGroup {
	out := make([]*phraseGroup, len(groups))
	for i, g := range groups {
		g.any = foldAll(g.any)
		all := make([][]string, len(g.all))
		for j, l := range g.all {
			all[j] = foldAll(l)
		}
		g.all = all
		out[i] = &g
	}
	return out
}

func foldAll(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = jatext.Phrase(p)
	}
	return out
}

// match returns the phrases of g found in the folded text, in the words of
// the original, or nil. text is folded.String().
func (g *phraseGroup) match(folded *jatext.Folded, text string) []string {
	var found []string
	var spans [][2]int // where the words found are, so that 未納 inside 未納料金 is not counted twice
	overlaps := func(i, j int) bool {
		for _, sp := range spans {
			if i < sp[1] && j > sp[0] {
				return true
			}
		}
		return false
	}
	find := func(list []string) bool {
		ok := false
		for _, p := range list {
			for from := 0; from < len(text); {
				i := strings.Index(text[from:], p)
				if i < 0 {
					break
				}
				i += from
				from = i + len(p)
				if g.negated && denied(text, i) {
					continue
				}
				ok = true
				if overlaps(i, i+len(p)) {
					break
				}
				spans = append(spans, [2]int{i, i + len(p)})
				ri := utf8.RuneCountInString(text[:i])
				if o := folded.Original(ri, ri+utf8.RuneCountInString(p)); len(found) < 3 && !contains(found, o) {
					found = append(found, o)
				}
				break
			}
		}
		return ok
	}
	if len(g.any) > 0 && !find(g.any) {
		return nil
	}
	for _, l := range g.all {
		if !find(l) {
			return nil
		}
	}
	return found
}

// denials are the words with which real companies tell their customers
// what they never ask for.
var denials = foldAll([]string{"ことはありません", "ことは一切", "ことはございません", "しないでください", "しないで下さい", "お尋ねしません", "お伺いしません", "求めません", "入力しないで", "ご注意ください", "教えないで", "伝えないで"})

// denied reports whether the sentence around byte i of the folded text
// says the thing is never asked for. Only 300 bytes either side are read,
// so that a huge text without full stops costs no more than a short one.
func denied(text string, i int) bool {
	lo, hi := max(0, i-300), min(len(text), i+300)
	for lo > 0 && !utf8.RuneStart(text[lo]) {
		lo--
	}
	for hi < len(text) && !utf8.RuneStart(text[hi]) {
		hi++
	}
	start := lo + strings.LastIndexAny(text[lo:i], "。\n!?") + 1
	end := strings.IndexAny(text[i:hi], "。\n!?")
	if end < 0 {
		end = hi
	} else {
		end += i
	}
	s := text[start:end]
	for _, d := range denials {
		if strings.Contains(s, d) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
