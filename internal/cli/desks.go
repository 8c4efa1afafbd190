package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kakekomi/kakekomi/internal/desks"
)

func runDesks(args []string, env Env) error {
	fs := newFlags("desks", env)
	asJSON := fs.Bool("json", false, "print {\"desks\": [...]} as JSON")
	openOnly := fs.Bool("open", false, "only desks open at TIME")
	at := fs.String("at", "", "judge opening hours at `TIME` (default now)")
	lang := fs.String("lang", "ja", "language: ja or en")
	if err := parseFlags(fs, args, env); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("desks: 引数は要りません。時刻は --at、受付中だけなら --open で指定してください。")
	}
	when, err := ParseTime(*at, env.Now)
	if err != nil {
		return timeProblem("desks", "--at")
	}
	k, err := loadKB()
	if err != nil {
		return err
	}
	list := desks.List(k, when, *lang, *openOnly)
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			At    string       `json:"at"`
			Desks []desks.View `json:"desks"`
		}{when.Format("2006-01-02T15:04:05Z07:00"), list})
	}
	b := &strings.Builder{}
	fmt.Fprintf(b, "相談先の一覧（%s 時点）\n\n", when.Format("2006-01-02 15:04"))
	if len(list) == 0 {
		b.WriteString("この時刻に受付中の相談先はありません。ウェブフォームやメールはいつでも送れます。\n")
	}
	for i, d := range list {
		writeDesk(b, i+1, d)
	}
	_, err = fmt.Fprint(env.Stdout, b.String())
	return err
}
