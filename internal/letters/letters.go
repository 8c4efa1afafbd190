package letters

import (
	"fmt"
	"strings"
	"time"

	"github.com/kakekomi/kakekomi/internal/casefile"
	"github.com/kakekomi/kakekomi/internal/sheet"
)

// Options are the facts a letter needs beyond the case file. Empty
// fields become blanks ＿＿＿ for the person to fill in by hand.
type Options struct {
	Date             time.Time // the letter's date
	Deadline         time.Time // demand: the date to ship or refund by
	Goods            string    // demand: what was bought
	SenderName       string
	SenderAddress    string
	SenderContact    string // phone or e-mail
	RecipientName    string // default: the case's first party
	RecipientAddress string // default: the case's first party
	URL              string // takedown: where the post is
	Content          string // takedown: what the post says
	Right            string // takedown: the right infringed
	Reason           string // takedown: why, and the harm
	Vertical         bool   // demand: lay out for vertical writing
}

// Letter is a drafted letter with what to do with it.
type Letter struct {
	Title    string
	To       string // mail reports: the address
	Subject  string // mail reports: the subject
	Body     string
	Format   *Format // 内容証明 only: the layout of Pages
	Pages    []Page
	Problems []Problem
	Notes    []string
}

// blank marks a field for the person to fill in by hand. It has no
// spaces or brackets, so a line break never lands inside a pair.
const blank = "＿＿＿＿＿"

func or(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func firstParty(c *casefile.Case) casefile.Party {
	if len(c.Parties) > 0 {
		return c.Parties[0]
	}
	return casefile.Party{}
}

// DefaultDeadlineDays is how long a demand gives the other side when no
// deadline is chosen: time to receive the letter and act.
const DefaultDeadlineDays = 14

// ForCase returns the letter of the kind ("demand", "takedown" or
// "phishing") drawn from the case, or false for another kind.
func ForCase(kind string, c *casefile.Case, o Options) (*Letter, bool) {
	switch kind {
	case "demand":
		return Demand(c, o), true
	case "takedown":
		return Takedown(c, o), true
	case "phishing":
		return Phishing(c, o), true
	}
	return nil, false
}

// Demand drafts a demand letter for 内容証明郵便: ship the goods or refund
// by a date, or the contract is cancelled and legal steps follow.
func Demand(c *casefile.Case, o Options) *Letter {
	p := firstParty(c)
	recipient := or(o.RecipientName, or(p.Name, blank))
	address := or(o.RecipientAddress, or(p.Address, blank))
	deadline := o.Deadline
	if deadline.IsZero() {
		deadline = o.Date.AddDate(0, 0, DefaultDeadlineDays)
	}
	paid, when, method := blank, blank, "支払い"
	if len(c.Payments) > 0 {
		pay := c.Payments[0]
		paid, when = sheet.Yen(c.TotalJPY()), sheet.Date(pay.At)
		if pay.Method != "" {
			method = pay.Method + "で支払い"
		}
	}
	site := ""
	if p.URL != "" {
		site = "（" + p.URL + "）"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "通知書\n\n")
	fmt.Fprintf(&b, "　私は、貴殿%sから%sを購入し、%sに代金%sを%sました。\n", site, or(o.Goods, "商品"), when, paid, method)
	fmt.Fprintf(&b, "　しかし、本日まで商品は届かず、問い合わせにも回答がありません。\n")
	fmt.Fprintf(&b, "　そこで、%sまでに商品を発送するか、代金%sを返金するよう求めます。\n", sheet.Date(deadline), paid)
	fmt.Fprintf(&b, "　期限までに発送がないときは、改めて通知することなく、この契約を解除します。その場合は直ちに代金を返金してください。返金がないときは、法的手段をとります。\n\n")
	fmt.Fprintf(&b, "%s\n\n", sheet.Date(o.Date))
	fmt.Fprintf(&b, "（差出人）\n%s\n%s\n\n", or(o.SenderAddress, blank), or(o.SenderName, blank))
	fmt.Fprintf(&b, "（受取人）\n%s\n%s　様\n", address, recipient)

	f := Horizontal26x20
	if o.Vertical {
		f = Vertical20x26
	}
	l := &Letter{Title: "内容証明郵便（返金・発送の請求）", Body: b.String(), Format: &f}
	l.Pages = Layout(l.Body, f)
	l.Problems = Validate(l.Pages, f)
	l.Notes = []string{
		"同じ文書を3通用意します（相手に送る1通、郵便局が保管する1通、あなたの控え1通）。",
		fmt.Sprintf("この下書きは%sに合わせて行を分けています。1枚に%d字までです。", f.Name, MaxPageChars),
		"＿＿＿ の所は、書き足してから印刷するか、手書きで書き入れてください。",
		"内容証明は、扱っている郵便局が限られます。行く前に確かめてください。一般書留で出し、配達証明を付けると、届いた日も証明されます。",
		"封筒は封をせずに持って行き、表に相手、裏にあなたの住所と名前を、本文と同じに書きます。訂正に備えて印鑑も持って行きます。",
		"2枚以上になるときは、ホチキスでとめて、つなぎ目にあなたの印鑑を押します（3通とも）。",
		"インターネットで出せる「e内容証明」もあります。その場合、1行・1枚の字数の決まりはありません。",
		"相手が詐欺サイトのときは、書かれた住所や名前がうそのことがよくあります。先に警察や消費生活センター（188）に相談してください。",
	}
	if n := SmallClaims(c, address != blank); n != "" {
		l.Notes = append(l.Notes, n)
	}
	return l
}

// SmallClaimsLimitJPY is the largest claim a 少額訴訟 can make.
const SmallClaimsLimitJPY = 600_000

// SmallClaims explains 少額訴訟 when the money is at most 60万円 and the
// other side's address is known; otherwise it returns "".
func SmallClaims(c *casefile.Case, addressKnown bool) string {
	total := c.TotalJPY()
	if total <= 0 || total > SmallClaimsLimitJPY || !addressKnown {
		return ""
	}
	return "返金されないときは「少額訴訟」という裁判も使えます。60万円以下のお金を求める裁判で、ふつうは相手の住所の近くの簡易裁判所に訴え、原則1回の話し合い（期日）で判決が出ます。証拠はその日にすぐ見せられるものに限られるので、このメモと証拠を全部持って行きます。手数料は、たとえば10万円なら1,000円、50万円なら5,000円です（ほかに郵便切手代）。同じ簡易裁判所で使えるのは1年に10回までです。相手の住所が本当で、そこに住んでいることが分かっているときに向いています。"
}

// Takedown drafts a 侵害情報の通知書 兼 送信防止措置依頼書 with the fields
// of the standard form.
func Takedown(c *casefile.Case, o Options) *Letter {
	p := firstParty(c)
	var b strings.Builder
	fmt.Fprintf(&b, "侵害情報の通知書 兼 送信防止措置依頼書\n\n")
	fmt.Fprintf(&b, "%s\n\n", sheet.Date(o.Date))
	fmt.Fprintf(&b, "%s　御中\n（サイトの管理者・運営者、またはサーバーの事業者）\n\n", or(o.RecipientName, blank))
	fmt.Fprintf(&b, "［権利を侵害されたと主張する者］\n住所: %s\n氏名: %s　印\n連絡先（電話番号・メールアドレス）: %s\n\n",
		or(o.SenderAddress, blank), or(o.SenderName, blank), or(o.SenderContact, blank))
	fmt.Fprintf(&b, "　私は、貴社が管理する下記の場所に掲載されている情報の流通により、私の権利が侵害されたので、その情報の送信を防止する措置（削除）をとるよう依頼します。\n\n記\n\n")
	fmt.Fprintf(&b, "1. 掲載されている場所（URL、スレッド名や何番目の投稿かなど）\n%s\n\n", or(o.URL, or(p.URL, blank)))
	fmt.Fprintf(&b, "2. 掲載されている情報（問題の書き込みの内容）\n%s\n\n", or(o.Content, blank))
	fmt.Fprintf(&b, "3. 侵害されたとする権利（名誉権、プライバシー権など）\n%s\n\n", or(o.Right, blank))
	fmt.Fprintf(&b, "4. 権利が侵害されたとする理由（被害の状況など）\n%s\n\n以上\n", or(o.Reason, blank))
	return &Letter{
		Title: "削除依頼（侵害情報の通知書 兼 送信防止措置依頼書）",
		Body:  b.String(),
		Notes: []string{
			"まず、そのサイトやアプリに専用の削除フォームや通報窓口がないか探してください。あれば、そちらが先です。この書式は、専用の窓口がないときに使います。",
			"2025年4月1日から「情報流通プラットフォーム対処法」が始まりました。利用者の多い大きなサービス（YouTube、X、Instagram、Facebook、TikTok、LINEヤフーなど、国が指定した事業者）は、削除の申出を受けると、原則7日以内に対応を決めて、申し出た人に知らせることになっています。申出は、そのサービスが公表している窓口から行うのが基本です。",
			"「3. 侵害されたとする権利」と「4. 理由」は、書き込んだ人に意見を聞くときに、そのまま伝えられることがあります。伝わってもよいことだけを書いてください。",
			"本人確認の書類と、証拠（URLが分かる形で印刷し、問題の部分に印を付けたもの。ページを切り取らない）を付けます。",
			"書式の新しい版は「情報流通プラットフォーム対処法 関連情報Webサイト」（https://www.isplaw.jp/）で確かめられます。",
			"書き方に困ったら、違法・有害情報相談センターや、法務局の人権相談に相談できます。",
		},
	}
}

// PhishingAddress is where フィッシング対策協議会 takes reports.
const PhishingAddress = "info@antiphishing.jp"

// Phishing drafts a report to フィッシング対策協議会 for when the mail
// itself cannot be forwarded.
func Phishing(c *casefile.Case, o Options) *Letter {
	var b strings.Builder
	fmt.Fprintf(&b, "フィッシング対策協議会 御中\n\n")
	fmt.Fprintf(&b, "フィッシングと思われるメッセージを受け取りましたので、報告します。\n\n")
	var senders, urls []string
	for _, p := range c.Parties {
		senders = appendNonEmpty(senders, p.Name, p.Email, p.Phone)
		urls = appendNonEmpty(urls, p.URL)
	}
	received := blank
	if len(c.Timeline) > 0 {
		received = sheet.DateTime(c.Timeline[0].At)
	}
	fmt.Fprintf(&b, "件名（タイトル）: %s\n", or(o.Content, blank))
	fmt.Fprintf(&b, "差出人名・差出人アドレス: %s\n", or(strings.Join(senders, "、"), blank))
	fmt.Fprintf(&b, "送信日時: %s\n", received)
	fmt.Fprintf(&b, "偽のサイトのアドレス（URL）: %s\n", or(strings.Join(urls, " "), blank))
	fmt.Fprintf(&b, "概要:\n%s\n", c.Description)
	return &Letter{
		Title:   "フィッシング対策協議会への報告",
		To:      PhishingAddress,
		Subject: "フィッシングの報告",
		Body:    b.String(),
		Notes: []string{
			"いちばん良いのは、届いたメールを、本文のリンクを押さずに、そのまま " + PhishingAddress + " に転送することです。この文面は、転送できないときに使います。",
			"SMS（ショートメッセージ）は転送できないので、画面のスクリーンショットを撮って、このメールに付けて送ります。",
			"ウェブのフォーム（https://www.antiphishing.jp/registration.html）からも報告できます。",
			"報告した内容は、警察や、名前を使われた会社に伝えられることがあります。",
			"協議会は、お金を取り戻す手続や相談の代わりはしません。お金の被害があるときは、警察のサイバー犯罪相談窓口にも相談してください。カード番号を入れたときはカード会社へ、パスワードを入れたときはすぐ変更してください。",
		},
	}
}

func appendNonEmpty(list []string, vals ...string) []string {
	for _, v := range vals {
		if v != "" {
			list = append(list, v)
		}
	}
	return list
}

// ObjectionDeadline is the last day to object to a 支払督促 received on
// the day received: two weeks counted from the next day, so the same
// weekday two weeks later. If that day is a Saturday, Sunday, national
// holiday or 12/29-1/3, the law moves the deadline to the next working
// day; next is that day (equal to last when it is a working day).
func ObjectionDeadline(received time.Time, isHoliday func(time.Time) bool) (last, next time.Time) {
	y, m, d := received.Date()
	last = time.Date(y, m, d+14, 0, 0, 0, 0, received.Location())
	next = last
	for closed(next, isHoliday) {
		next = next.AddDate(0, 0, 1)
	}
	return last, next
}

func closed(t time.Time, isHoliday func(time.Time) bool) bool {
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return true
	}
	if m, d := t.Month(), t.Day(); m == time.December && d >= 29 || m == time.January && d <= 3 {
		return true
	}
	return isHoliday != nil && isHoliday(t)
}

// PaymentOrder explains what to do with a 支払督促 received on received.
func PaymentOrder(received time.Time, isHoliday func(time.Time) bool) *Letter {
	last, next := ObjectionDeadline(received, isHoliday)
	deadline := sheet.Date(last) + "（" + weekday(last) + "）"
	if !next.Equal(last) {
		deadline += "。この日は裁判所が休みのため、期限は" + sheet.Date(next) + "（" + weekday(next) + "）まで延びますが、遅れないよう早めに出してください"
	}
	return &Letter{
		Title: "支払督促が届いたとき（督促異議の期限）",
		Body: "受け取った日: " + sheet.Date(received) + "\n" +
			"異議を出す期限: " + deadline + "\n",
		Notes: []string{
			"まず本物か確かめます。本物の支払督促は「特別送達」と書かれた裁判所の封筒で、郵便局の人が手渡しし、受け取りのサインか印鑑を求められます。郵便受けに入っていただけのもの、はがきで届いたものは本物ではありません。",
			"書類に書かれた電話番号にはかけないでください。裁判所のウェブサイトなどで自分で調べた裁判所の番号に電話し、事件番号を伝えて確かめます。",
			"本物なら、受け取ってから2週間以内に、同封の「督促異議申立書」を、支払督促を出した簡易裁判所に出します（郵送でもよく、くわしい理由は要りません）。",
			"期限までに異議を出さないと、給料や預金を差し押さえられるおそれがあります。身に覚えがなくても、無視しないでください。",
			"困ったら、法テラス、弁護士会、消費生活センター（188）に相談してください。",
		},
	}
}

func weekday(t time.Time) string {
	return [...]string{"日", "月", "火", "水", "木", "金", "土"}[t.Weekday()]
}

// Text renders the letter with its notes for a terminal or a file.
func (l *Letter) Text() string {
	var b strings.Builder
	b.WriteString("【" + l.Title + "】\n")
	if l.To != "" {
		fmt.Fprintf(&b, "宛先: %s\n件名: %s\n", l.To, l.Subject)
	}
	b.WriteString("\n")
	if l.Format != nil {
		for i, p := range l.Pages {
			fmt.Fprintf(&b, "―――― %d枚目（%s）――――\n", i+1, l.Format.Name)
			b.WriteString(strings.Join(p, "\n") + "\n")
		}
		if len(l.Problems) > 0 {
			b.WriteString("\n！ 郵便局の決まりに合わない所があります:\n")
			for _, p := range l.Problems {
				b.WriteString("  " + p.String() + "\n")
			}
		}
	} else {
		b.WriteString(l.Body)
	}
	b.WriteString("\n【注意】\n")
	for _, n := range l.Notes {
		for i, w := range sheet.Wrap(n, 76, sheet.Cells) {
			if i == 0 {
				b.WriteString("・" + w + "\n")
			} else {
				b.WriteString("　" + w + "\n")
			}
		}
	}
	return b.String()
}
