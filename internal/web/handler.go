package web

import (
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kakekomi/kakekomi/internal/desks"
	"github.com/kakekomi/kakekomi/internal/hours"
	"github.com/kakekomi/kakekomi/internal/kb"
	"github.com/kakekomi/kakekomi/internal/mailcheck"
	"github.com/kakekomi/kakekomi/internal/store"
	"github.com/kakekomi/kakekomi/internal/triage"
)

// Body limits. A JSON request with the longest description (10,000
// characters, 30 KB in UTF-8) fits in jsonLimit. A page form needs more:
// browsers percent-encode each Japanese character into 9 bytes, so the
// longest description takes 90 KB there. A forwarded mail with a few
// screenshots fits in mailLimit.
const (
	jsonLimit = 64 << 10
	formLimit = 128 << 10
	mailLimit = 4 << 20
)

// handler holds what every page and API action needs.
type handler struct {
	kb      *kb.KB
	engine  *triage.Engine
	checker *mailcheck.Checker
	tpl     *templates
	log     *slog.Logger
	now     func() time.Time
	store   *store.Store // nil when saving cases is off
	// publisherCards memoises a desk's publishers by language and desk id:
	// they come from the knowledge base alone.
	publisherCards sync.Map
	// trusted are the proxies whose X-Forwarded-For names the client.
	trusted []netip.Prefix
	// bodyGrace and writeGrace are the floors of a request's read and
	// write deadlines (see deadlines).
	bodyGrace, writeGrace time.Duration
	keys                  *keyQueue  // bounds case-key derivations
	inFlight              *inFlight  // bounds the requests worked on at once
	sched                 schedWatch // whether requests wait to run (see shed)
	opens                 *openGuard // limits failed case opens
	// font returns the Japanese TrueType font for PDF sheets.
	font func() ([]byte, error)
}

// page is what every page template gets: the language and its words.
type page struct {
	Lang      string
	Title     string
	OtherLang string
	SwitchURL string // the same page in the other language
	// SwitchPost, when set, is the form that shows the same answer to a
	// POST in the other language: it posts again what made the page.
	SwitchPost *switchPost
	Saved      bool // the page shows a saved case, so the footer says so
}

// switchPost is a form that posts Fields to Action.
type switchPost struct {
	Action string
	Fields []hiddenField
}

type hiddenField struct{ Name, Value string }

// switchByPost makes the language switch post the fields of form named in
// keys, and those starting with one of prefixes, again to action in the
// other language, so that a person who switches keeps the result or the
// case they are looking at.
func (p *page) switchByPost(action string, form url.Values, keys []string, prefixes ...string) {
	sp := &switchPost{Action: action, Fields: []hiddenField{{"lang", p.OtherLang}}}
	for k, vs := range form {
		keep := slices.Contains(keys, k)
		for _, pre := range prefixes {
			keep = keep || strings.HasPrefix(k, pre)
		}
		if keep && len(vs) > 0 && vs[0] != "" {
			sp.Fields = append(sp.Fields, hiddenField{k, vs[0]})
		}
	}
	slices.SortFunc(sp.Fields[1:], func(a, b hiddenField) int { return strings.Compare(a.Name, b.Name) })
	p.SwitchPost = sp
}

// T returns the page's words for key.
func (p page) T(key string) string { return text(p.Lang, key) }

// Tf returns the page's words for key, formatted with args.
func (p page) Tf(key string, args ...any) string { return textf(p.Lang, key, args...) }

// newPage starts a page in the request's language, titled with the words
// of titleKey.
func newPage(r *http.Request, titleKey string) page {
	lang := requestLang(r)
	p := page{Lang: lang, OtherLang: "en"}
	if lang == "en" {
		p.OtherLang = "ja"
	}
	p.Title = text(lang, titleKey)
	q := url.Values{"lang": {p.OtherLang}}
	if r.Method == http.MethodGet {
		for k, v := range r.URL.Query() {
			if k != "lang" {
				q[k] = v
			}
		}
		p.SwitchURL = r.URL.Path + "?" + q.Encode()
	} else {
		// The answer to a POST is not stored, so the switch starts over.
		p.SwitchURL = "/?" + q.Encode()
	}
	return p
}

// requestLang is "en" when the query or the parsed form says so, else
// "ja". No cookie: a shared phone should not remember the last person's
// choice. It never reads the body itself, so an answer refused before the
// body is read (rate limit, size) does not read it unbounded.
func requestLang(r *http.Request) string {
	lang := r.URL.Query().Get("lang")
	if r.Form != nil {
		lang = r.Form.Get("lang")
	}
	if lang == "en" {
		return "en"
	}
	return "ja"
}

// render writes a page, or the error page when rendering fails.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	err := h.tpl.render(w, status, name, data)
	switch {
	case err == nil:
	case errors.Is(err, errSend):
		// Not the server's fault, and too late for another answer.
		h.log.Info("send page", "page", name, "err", err)
	default:
		h.log.Error("render page", "page", name, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
}

// noStore marks an answer that carries someone's own trouble: no cache,
// shared or private, may keep it.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
}

// errorPage is the page of error.html.
type errorPage struct {
	page
	Status  int
	Message string
}

func (h *handler) renderError(w http.ResponseWriter, r *http.Request, status int) {
	key := "error.title." + strconv.Itoa(status)
	if _, ok := messages["ja"][key]; !ok {
		status, key = http.StatusInternalServerError, "error.title.500"
	}
	p := errorPage{page: newPage(r, key), Status: status, Message: text(requestLang(r), "error.body."+strconv.Itoa(status))}
	noStore(w)
	h.render(w, r, status, "error.html", p)
}

func (h *handler) showNotFound(w http.ResponseWriter, r *http.Request) {
	h.renderError(w, r, http.StatusNotFound)
}

// formError turns an error from reading a request body into a status.
func formStatus(err error) int {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, errSlowBody):
		return http.StatusRequestTimeout
	}
	return http.StatusBadRequest
}

// inputMessageKeys name the words that tell a person what was wrong with a
// triage input, by triage.ErrorCode.
var inputMessageKeys = map[string]string{
	"empty":        "err.empty",
	"too_long":     "err.too_long",
	"invalid_utf8": "err.not_utf8",
}

func inputMessageKey(err error) string {
	if key, ok := inputMessageKeys[triage.ErrorCode(err)]; ok {
		return key
	}
	return "err.bad"
}

func (h *handler) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok"))
}

func (h *handler) serveStatic(w http.ResponseWriter, r *http.Request) {
	a, ok := assets[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(a.body)
}

// deskCard is a desk as its card shows it.
type deskCard struct {
	desks.View
	lang      string
	Tel       template.URL // tel: link of the main phone, or empty
	NextOpen  string       // when it opens next, in words, or empty
	WhyShown  bool         // whether Reason is worth showing
	LineCards []lineCard
	// Publishers are the sources by who published them, each once.
	Publishers []publisherCard
}

// publisherCard is who published a desk's sources: a name, a page to open
// (none for a seed) and the latest date a fact from them was checked.
type publisherCard struct {
	Name, URL, Checked string
}

// T returns the card's words for key.
func (c deskCard) T(key string) string { return text(c.lang, key) }

// Tf returns the card's words for key, formatted with args.
func (c deskCard) Tf(key string, args ...any) string { return textf(c.lang, key, args...) }

type lineCard struct {
	desks.Line
	Tel      template.URL
	NextOpen string
}

func (h *handler) deskCards(views []desks.View, lang string) []deskCard {
	cards := make([]deskCard, len(views))
	for i, v := range views {
		c := deskCard{View: v, lang: lang, Tel: telURL(v.Phone), NextOpen: whenText(v.NextOpen, lang), WhyShown: v.Reason != ""}
		for _, l := range v.Lines {
			lc := lineCard{Line: l, NextOpen: whenText(l.NextOpen, lang)}
			if l.Kind == "phone" {
				lc.Tel = telURL(l.Value)
			}
			c.LineCards = append(c.LineCards, lc)
		}
		c.Publishers = h.deskPublishers(v, lang)
		cards[i] = c
	}
	return cards
}

// deskPublishers returns the publishers of desk view v's sources, worked
// out once a desk and language.
func (h *handler) deskPublishers(v desks.View, lang string) []publisherCard {
	key := lang + "/" + v.ID
	if cards, ok := h.publisherCards.Load(key); ok {
		return cards.([]publisherCard)
	}
	cards := h.publishers(v.Sources, lang)
	h.publisherCards.Store(key, cards)
	return cards
}

// publishers names the sources' publishers, each once, with the latest
// date checked. A host the knowledge base does not name is shown as it is.
func (h *handler) publishers(srcs []desks.Source, lang string) []publisherCard {
	var cards []publisherCard
	at := map[string]int{}
	latest := map[string]string{} // by name, YYYY-MM-DD
	for _, s := range srcs {
		name, link := s.URL, ""
		if p := h.kb.PublisherOf(s.URL); p != nil {
			name = p.Name.In(lang)
		} else if u, err := url.Parse(s.URL); err == nil && u.Hostname() != "" {
			name = strings.TrimPrefix(u.Hostname(), "www.")
		}
		if strings.HasPrefix(s.URL, "http://") || strings.HasPrefix(s.URL, "https://") {
			link = s.URL
		}
		checked := dateOnlyText(s.Checked, lang)
		if i, ok := at[name]; ok {
			if s.Checked > latest[name] {
				cards[i].Checked, latest[name] = checked, s.Checked
			}
			if cards[i].URL == "" {
				cards[i].URL = link
			}
			continue
		}
		at[name], latest[name] = len(cards), s.Checked
		cards = append(cards, publisherCard{Name: name, URL: link, Checked: checked})
	}
	return cards
}

// dateOnlyText writes a YYYY-MM-DD date as people read it.
func dateOnlyText(date, lang string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return dateText(t, lang)
}

// telURL returns a tel: link for a phone number as the knowledge base
// writes it ("0570-064-370", "#9110", "110"), keeping only what a dialler
// understands; html/template would refuse the tel: scheme otherwise.
func telURL(phone string) template.URL {
	var b strings.Builder
	for _, c := range phone {
		if c >= '0' && c <= '9' || c == '+' || c == '#' || c == '*' {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return template.URL("tel:" + strings.ReplaceAll(b.String(), "#", "%23"))
}

var weekdaysJA = [...]string{"日", "月", "火", "水", "木", "金", "土"}

// whenText writes an RFC 3339 time as people read it, in Japan time.
func whenText(rfc *string, lang string) string {
	if rfc == nil {
		return ""
	}
	t, err := time.Parse(time.RFC3339, *rfc)
	if err != nil {
		return *rfc
	}
	return timeText(t, lang)
}

func timeText(t time.Time, lang string) string {
	t = t.In(hours.Tokyo)
	if lang == "en" {
		return t.Format("Mon 2 Jan 2006, 15:04")
	}
	return t.Format("2006年1月2日") + "（" + weekdaysJA[t.Weekday()] + "）" + t.Format("15:04")
}

// parseTime reads a time from a form or query (see hours.ParseTime).
func (h *handler) parseTime(s string) (time.Time, error) { return hours.ParseTime(s, h.now()) }
