package sheet

import (
	"bytes"
	"fmt"
	"html/template"
)

// printTmpl is a self-contained print view: no scripts or outside
// resources, so it can be saved and printed anywhere.
var printTmpl = template.Must(template.New("sheet").Parse(`<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: "IPAexGothic", "Hiragino Sans", "Noto Sans JP", sans-serif; line-height: 1.7; max-width: 48em; margin: 1em auto; padding: 0 1em; }
h1 { font-size: 1.4em; border-bottom: 2px solid #333; }
h2 { font-size: 1.05em; background: #eee; padding: .2em .4em; margin-top: 1.2em; }
p { margin: .2em 0 .2em 1em; overflow-wrap: anywhere; line-break: strict; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Made}}</p>
{{range .Sections}}<section>
<h2>{{.Title}}</h2>
{{range .Lines}}<p>{{.}}</p>
{{end}}</section>
{{end}}</body>
</html>
`))

// HTML renders the sheet as a printable HTML page.
func (s *Sheet) HTML() ([]byte, error) {
	var b bytes.Buffer
	if err := printTmpl.Execute(&b, s); err != nil {
		return nil, fmt.Errorf("render sheet: %w", err)
	}
	return b.Bytes(), nil
}
