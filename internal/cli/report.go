package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kakekomi/kakekomi/internal/desks"
	"github.com/kakekomi/kakekomi/internal/hours"
	"github.com/kakekomi/kakekomi/internal/triage"
)

var whenHeading = map[string]string{
	"now":   "いますぐ",
	"today": "今日中に",
	"soon":  "近いうちに",
	"later": "落ち着いたら",
}

// writeReport prints a triage result in Japanese for a person reading a
// terminal: the emergency first, then the troubles, the plan, the don'ts,
// the desks and what to keep.
func writeReport(w io.Writer, r *triage.Result) error {
	b := &strings.Builder{}
	if r.Emergency.Active {
		fmt.Fprintf(b, "【緊急】%s\n", r.Emergency.Reason)
		if len(r.Steps) > 0 {
			fmt.Fprintf(b, "  → %s\n", r.Steps[0].Text)
		}
		b.WriteString("\n")
	}
	if len(r.Types) == 0 {
		b.WriteString("■ 書かれた内容からは、特定のトラブルは見つかりませんでした。\n")
		b.WriteString("  心配なことがあれば、下の相談先に話してみてください。\n\n")
	} else {
		b.WriteString("■ 考えられるトラブル\n")
		for i, t := range r.Types {
			// Scores are for programs (--json); a person reads the
			// words of their own text that pointed there.
			fmt.Fprintf(b, "  %d. %s\n", i+1, t.Label)
			if len(t.Matched) > 0 {
				fmt.Fprintf(b, "     手がかり：「%s」\n", strings.Join(t.Matched, "」「"))
			}
		}
		b.WriteString("\n")
	}
	steps := r.Steps
	if r.Emergency.Active && len(steps) > 0 {
		steps = steps[1:]
	}
	for _, when := range []string{"now", "today", "soon", "later"} {
		first := true
		for _, s := range steps {
			if s.When != when {
				continue
			}
			if first {
				fmt.Fprintf(b, "■ %s\n", whenHeading[when])
				first = false
			}
			fmt.Fprintf(b, "  ・%s\n", s.Text)
			if s.Why != "" {
				fmt.Fprintf(b, "    （理由）%s\n", s.Why)
			}
		}
		if !first {
			b.WriteString("\n")
		}
	}
	if len(r.DontDetails) > 0 {
		b.WriteString("■ してはいけないこと\n")
		for _, d := range r.DontDetails {
			fmt.Fprintf(b, "  ✕ %s\n    （理由）%s\n", d.Text, d.Why)
		}
		b.WriteString("\n")
	}
	if len(r.Desks) > 0 {
		b.WriteString("■ 相談先（上から順に）\n")
		for i, d := range r.Desks {
			writeDesk(b, i+1, d)
		}
	}
	if len(r.Evidence) > 0 {
		b.WriteString("■ 残しておくもの\n")
		for _, e := range r.Evidence {
			fmt.Fprintf(b, "  ・%s\n", e)
		}
		b.WriteString("\n")
	}
	if len(r.Questions) > 0 {
		b.WriteString("■ 答えると計画がより具体的になります\n")
		for _, q := range r.Questions {
			fmt.Fprintf(b, "  ・%s", q.Text)
			if q.Answer != "" {
				for _, o := range q.Options {
					if o.Value == q.Answer {
						fmt.Fprintf(b, "（いまの前提：%s）", o.Label)
					}
				}
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "（判定時刻 %s／情報の版 %s）\n", r.At, r.KBVersion)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeDesk prints one desk: name, how to reach it, whether it is open.
func writeDesk(b *strings.Builder, n int, d desks.View) {
	fmt.Fprintf(b, "  %d. %s", n, d.Short)
	if d.Phone != "" {
		fmt.Fprintf(b, "　電話 %s", d.Phone)
	}
	fmt.Fprintf(b, "　%s\n", openState(d))
	if d.Reason != "" {
		fmt.Fprintf(b, "     %s\n", d.Reason)
	}
	if d.Hours != "" {
		fmt.Fprintf(b, "     受付：%s\n", d.Hours)
	}
	for _, l := range d.Lines {
		if l.Prefecture != "" && l.Kind == "phone" {
			fmt.Fprintf(b, "     %sの方は 電話 %s（%s）\n", l.Prefecture, l.Value, l.Hours)
		}
		if l.Caution != "" && l.Value == d.Phone {
			fmt.Fprintf(b, "     ※%s\n", l.Caution)
		}
	}
	if d.URL != "" {
		fmt.Fprintf(b, "     %s\n", d.URL)
	}
	if d.Email != "" {
		fmt.Fprintf(b, "     メール：%s\n", d.Email)
	}
	if len(d.Bring) > 0 {
		fmt.Fprintf(b, "     用意するもの：%s\n", strings.Join(d.Bring, "／"))
	}
	b.WriteString("\n")
}

var weekdayJA = [...]string{"日", "月", "火", "水", "木", "金", "土"}

// openState says in Japanese whether a desk is open, and when it opens.
func openState(d desks.View) string {
	switch {
	case d.OpenNow == nil:
		for _, l := range d.Lines {
			if d.Phone == "" && (l.Kind == "web_form" || l.Kind == "email") {
				return "［ウェブ・メールはいつでも送れます］"
			}
		}
		return "［受付時間は窓口・方法により異なります］"
	case *d.OpenNow:
		return "［いま受付中］"
	case d.NextOpen != nil:
		if t, err := time.Parse(time.RFC3339, *d.NextOpen); err == nil {
			t = t.In(hours.Tokyo)
			return fmt.Sprintf("［受付時間外：次は %d/%d(%s) %s から］", t.Month(), t.Day(), weekdayJA[t.Weekday()], t.Format("15:04"))
		}
	}
	return "［受付時間外］"
}
