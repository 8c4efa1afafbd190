package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed templates/views/*.html templates/common/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageDeps names, for each page of templates/views, the files of
// templates/common (layout and partials) it is parsed with. A page missing
// here fails at start-up.
var pageDeps = map[string][]string{
	"home.html":   {"layout.html", "lang.html", "desk.html"},
	"result.html": {"layout.html", "lang.html", "emergency.html", "desk.html", "plan.html"},
	"desks.html":  {"layout.html", "lang.html", "desk.html"},
	"check.html":  {"layout.html", "lang.html"},
	"print.html":  {"printable.html", "plan.html"},
	"error.html":  {"layout.html", "lang.html"},

	"case_new.html":     {"layout.html", "lang.html", "case_keys.html"},
	"case.html":         {"layout.html", "lang.html", "case_keys.html", "desk.html"},
	"case_delete.html":  {"layout.html", "lang.html", "case_keys.html"},
	"case_deleted.html": {"layout.html", "lang.html"},
	"sheet.html":        {"printable.html", "case_keys.html"},
	"letter.html":       {"printable.html", "case_keys.html"},
}

// assets maps the hashed name of each static file to its content, so that
// a changed style sheet gets a new address and can be cached for a year.
type asset struct {
	name, contentType string
	body              []byte
}

var assets, assetNames = loadAssets()

func loadAssets() (map[string]asset, map[string]string) {
	byHashed, names := map[string]asset{}, map[string]string{}
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		panic(err) // embedded: cannot fail
	}
	for _, e := range entries {
		b, _ := staticFS.ReadFile("static/" + e.Name())
		sum := sha256.Sum256(b)
		ext := path.Ext(e.Name())
		hashed := strings.TrimSuffix(e.Name(), ext) + "." + hex.EncodeToString(sum[:6]) + ext
		ct := "application/octet-stream"
		if ext == ".css" {
			ct = "text/css; charset=utf-8"
		}
		byHashed[hashed] = asset{name: e.Name(), contentType: ct, body: b}
		names[e.Name()] = "/static/" + hashed
	}
	return byHashed, names
}

var funcs = template.FuncMap{
	"deref": func(b *bool) bool { return b != nil && *b },
	"tel":   telURL,
	// isWeb tells a web address from the knowledge base's other source
	// references ("seed:S1"), which are shown as text.
	"isWeb": func(s string) bool { return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") },
	"static": func(name string) (string, error) {
		u, ok := assetNames[name]
		if !ok {
			return "", fmt.Errorf("no static file %q", name)
		}
		return u, nil
	},
}

// templates holds one parsed template set per page.
type templates struct {
	pages map[string]*template.Template
	// onRender, when set (by tests), is told the file name of a rendered
	// page and of the common files it is parsed with.
	onRender func(name string)
}

func parseTemplates() (*templates, error) {
	files, err := fs.Glob(templateFS, "templates/views/*.html")
	if err != nil {
		return nil, err
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, f := range files {
		name := path.Base(f)
		deps, ok := pageDeps[name]
		if !ok {
			return nil, fmt.Errorf("web: template %s is not declared in pageDeps", name)
		}
		paths := []string{f}
		for _, d := range deps {
			paths = append(paths, "templates/common/"+d)
		}
		// The page file comes first, so the set's root template is the
		// page; a page with a layout defines "content" and calls it.
		tpl, err := template.New(name).Funcs(funcs).ParseFS(templateFS, paths...)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		t.pages[name] = tpl
	}
	for name := range pageDeps {
		if t.pages[name] == nil {
			return nil, fmt.Errorf("web: declared page %s has no file", name)
		}
	}
	return t, nil
}

// render executes a page into a buffer first, so an error never sends half
// a page, then writes it with status.
func (t *templates) render(w http.ResponseWriter, status int, name string, data any) error {
	tpl := t.pages[name]
	if tpl == nil {
		return fmt.Errorf("web: no page %s", name)
	}
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	if t.onRender != nil {
		t.onRender(name)
		for _, d := range pageDeps[name] {
			t.onRender(d)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if _, err := buf.WriteTo(w); err != nil {
		return fmt.Errorf("%w %s: %w", errSend, name, err)
	}
	return nil
}

// errSend marks a page rendered but not sent: the client went away or
// read too slowly, after the status was written.
var errSend = errors.New("web: send")
