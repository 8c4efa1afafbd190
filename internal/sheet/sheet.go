// Package sheet renders a case as a consultation sheet (相談シート): one
// page of facts that the police, 188 and the Ministry of Justice desks all
// ask for, as plain text, as an HTML print view and as a PDF.
package sheet

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kakekomi/kakekomi/internal/casefile"
	"github.com/kakekomi/kakekomi/internal/desks"
	"github.com/kakekomi/kakekomi/internal/hours"
)

// Section is one heading of the sheet with its lines.
type Section struct {
	Title string
	Lines []string
	// Phones holds, for a line that names a phone, the number to dial
	// ("" for the others), so that a screen can make it a call link.
	Phones []string
}

// Desk is a desk to call, for the sheet's list of desks.
type Desk struct {
	Name, Phone, Hours string
}

// Sheet is the consultation sheet of a case at a moment.
type Sheet struct {
	Title    string
	Made     string
	Sections []Section
}

const unknown = "（分かりません・未記入）"

// New builds the sheet of c, made at now. deskName, if not nil, turns a
// desk id in the progress log (consumer_hotline_188) into the name a desk
// recognises; it returns "" for an id it does not know.
func New(c *casefile.Case, now time.Time, deskName func(id string) string) *Sheet {
	s := &Sheet{Title: "相談シート（ネットトラブル）", Made: "作成日: " + Date(now)}
	s.add("1. まとめ（いつ・どこで・だれが・なにを・どのように・いくら）", summary(c))
	s.add("2. 相談したい内容（本人が書いた説明）", []string{c.Description})

	var tl []string
	c = copyTimeline(c)
	for _, e := range c.Timeline {
		tl = append(tl, DateTime(e.At)+"　"+e.What)
	}
	s.add("3. 時系列（いつ、何があったか）", orNone(tl))

	var ps []string
	for i, p := range c.Parties {
		ps = append(ps, fmt.Sprintf("相手%d", i+1))
		ps = appendField(ps, "名前・名乗った名前", p.Name)
		ps = appendField(ps, "サイトのアドレス", p.URL)
		ps = appendField(ps, "振込先の口座", p.Account)
		ps = appendField(ps, "電話番号", p.Phone)
		ps = appendField(ps, "メールアドレス", p.Email)
		ps = appendField(ps, "住所", p.Address)
		ps = appendField(ps, "SNSのID", strings.Join(p.SNS, "、"))
	}
	s.add("4. 相手の情報", orNone(ps))

	var ms []string
	for _, p := range c.Payments {
		line := DateTime(p.At) + "　" + Yen(p.AmountJPY)
		if p.Method != "" {
			line += "　" + p.Method
		}
		if p.Account != "" {
			line += "　支払先: " + p.Account
		}
		ms = append(ms, line)
	}
	if len(c.Payments) > 1 {
		ms = append(ms, "合計 "+Yen(c.TotalJPY()))
	}
	s.add("5. お金（支払った日・金額・方法・支払先）", orNone(ms))

	var es []string
	for _, e := range c.Entered {
		var kinds []string
		for _, k := range e.What {
			kinds = append(kinds, casefile.EnteredKinds[k])
		}
		line := e.Where + " に入力: " + strings.Join(kinds, "、")
		if !e.At.IsZero() {
			line = DateTime(e.At) + "　" + line
		}
		es = append(es, line)
	}
	s.add("6. 入力してしまった情報", orNone(es))

	var ev []string
	for i, e := range c.Evidence {
		ev = append(ev, fmt.Sprintf("%d) %s（%s、%s、受取 %s）", i+1, e.Name, kind(e.Type), Bytes(e.Size), DateTime(e.Received)))
		ev = append(ev, "SHA-256: "+e.SHA256)
		if e.Note != "" {
			ev = append(ev, "メモ: "+e.Note)
		}
	}
	s.add("7. 証拠（ファイルと、改ざんがないことを確かめるための値）", orNone(ev))

	var done []string
	for _, p := range c.Progress {
		desk := p.Desk
		if deskName != nil && deskName(desk) != "" {
			desk = deskName(desk)
		}
		line := Date(p.At) + "　" + desk
		if p.Reference != "" {
			line += "（受付番号 " + p.Reference + "）"
		}
		if p.Result != "" {
			line += "　結果: " + p.Result
		}
		if p.Next != "" {
			line += "　次にすること: " + p.Next
		}
		done = append(done, line)
	}
	for _, st := range c.Steps {
		if !st.Done.IsZero() {
			done = append(done, Date(st.Done)+"　済: "+st.Text)
		}
	}
	s.add("8. これまでにしたこと（相談した窓口など）", orNone(done))

	req := c.Request
	if req == "" {
		req = "（窓口で相談しながら決めたいです）"
	}
	s.add("9. お願いしたいこと", []string{req})
	return s
}

// DesksOf lists desk views as the sheet shows them.
func DesksOf(views []desks.View) []Desk {
	out := make([]Desk, len(views))
	for i, v := range views {
		out[i] = Desk{Name: v.Name, Phone: v.Phone, Hours: v.Hours}
	}
	return out
}

// AddDesks lists the desks to call, with their numbers and hours, as the
// sheet's last section.
func (s *Sheet) AddDesks(desks []Desk) {
	if len(desks) == 0 {
		return
	}
	sec := Section{Title: strconv.Itoa(len(s.Sections)+1) + ". 相談先の電話番号"}
	for _, d := range desks {
		line := d.Name
		if d.Phone != "" {
			line += "　" + d.Phone
		}
		if d.Hours != "" {
			line += "（" + d.Hours + "）"
		}
		sec.Lines = append(sec.Lines, line)
		sec.Phones = append(sec.Phones, d.Phone)
	}
	s.Sections = append(s.Sections, sec)
}

func (s *Sheet) add(title string, lines []string) {
	s.Sections = append(s.Sections, Section{Title: title, Lines: lines})
}

// summary is the 5W1H block.
func summary(c *casefile.Case) []string {
	when := unknown
	if len(c.Timeline) > 0 {
		when = DateTime(copyTimeline(c).Timeline[0].At) + " ごろから"
	} else if len(c.Payments) > 0 {
		when = DateTime(c.Payments[0].At) + " ごろ"
	}
	where, who := unknown, unknown
	for _, p := range c.Parties {
		if where == unknown && p.URL != "" {
			where = p.URL
		}
		if who == unknown && p.Name != "" {
			who = p.Name
		}
	}
	var what []string
	for _, t := range c.Types {
		what = append(what, t.Label)
	}
	how := unknown
	if r := []rune(c.Description); len(r) > 80 {
		how = string(r[:80]) + "…（2. に全文）"
	} else if len(r) > 0 {
		how = c.Description
	}
	money := "なし（または未記入）"
	if n := c.TotalJPY(); n > 0 {
		money = Yen(n)
	}
	lines := []string{
		"いつ: " + when,
		"どこで: " + where,
		"だれが（相手）: " + who,
		"なにを（トラブルの種類）: " + orUnknown(strings.Join(what, "、")),
		"どのように: " + how,
		"いくら: " + money,
	}
	if c.Emergency {
		lines = append([]string{"※ 命や体に危険があるおそれがあります。まず110番か相談窓口へ。"}, lines...)
	}
	return lines
}

func copyTimeline(c *casefile.Case) *casefile.Case {
	cc := *c
	cc.Timeline = append([]casefile.Event(nil), c.Timeline...)
	cc.SortTimeline()
	return &cc
}

func appendField(lines []string, label, v string) []string {
	if v == "" {
		return lines
	}
	return append(lines, "　"+label+": "+v)
}

func orNone(lines []string) []string {
	if len(lines) == 0 {
		return []string{"（まだありません）"}
	}
	return lines
}

func orUnknown(s string) string {
	if s == "" {
		return unknown
	}
	return s
}

func kind(mediaType string) string {
	base, _, _ := strings.Cut(mediaType, ";")
	switch {
	case strings.HasPrefix(base, "image/"):
		return "画像"
	case base == "application/pdf":
		return "PDF"
	case base == "text/plain":
		return "文書・メール"
	case strings.HasPrefix(base, "video/"):
		return "動画"
	case strings.HasPrefix(base, "audio/"):
		return "録音"
	case base == casefile.RunnableType:
		return "プログラム・開かないこと"
	}
	return base
}

// Date formats t as a Japanese date in Japan time.
func Date(t time.Time) string {
	if t.IsZero() {
		return "（日付不明）"
	}
	t = t.In(hours.Tokyo)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// DateTime formats t as a Japanese date and time in Japan time; a time of
// exactly midnight is taken as a date alone.
func DateTime(t time.Time) string {
	if t.IsZero() {
		return "（日時不明）"
	}
	t = t.In(hours.Tokyo)
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return Date(t)
	}
	return fmt.Sprintf("%s %d時%02d分", Date(t), t.Hour(), t.Minute())
}

// Yen formats an amount as 39,800円.
func Yen(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 && r != '-' && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String() + "円"
}

// Bytes formats a file size for people.
func Bytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1fMB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1fKB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%dバイト", n)
}

// Text renders the sheet as plain text, lines wrapped at width
// characters (full-width characters count 2), for a terminal or a mail.
func (s *Sheet) Text(width int) string {
	var b strings.Builder
	b.WriteString(s.Title + "\n" + s.Made + "\n")
	for _, sec := range s.Sections {
		b.WriteString("\n■ " + sec.Title + "\n")
		for _, l := range sec.Lines {
			for _, w := range Wrap(l, float64(width-2), Cells) {
				b.WriteString("  " + w + "\n")
			}
		}
	}
	return b.String()
}

// Cells is the width of s in terminal cells: 2 for wide characters, 1
// for ASCII and half-width kana.
func Cells(s string) float64 {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x1100 && !(r >= 0xff61 && r <= 0xff9f) {
			n++
		}
	}
	return float64(n)
}
