package web

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kakekomi/kakekomi/internal/casefile"
	"github.com/kakekomi/kakekomi/internal/hours"
	"github.com/kakekomi/kakekomi/internal/sheet"
	"github.com/kakekomi/kakekomi/internal/triage"
)

// maxPassRunes bounds a passphrase; a longer one is a mistake, not a
// stronger key.
const maxPassRunes = 200

// caseKeys is what opens a saved case: its code and the optional
// passphrase. They travel in hidden fields of POSTed forms, never in a
// URL, where they would end up in logs and the browser's history.
type caseKeys struct {
	Code, Pass string
}

// casePage is the page of case.html: a saved case with the forms that
// add to it.
type casePage struct {
	page
	caseKeys
	Case          *casefile.Case
	Types         []string
	Created       string
	Updated       string
	Expires       string
	Notice, Error string
	// ErrorAt is the form whose input was wrong (its id), and Posted what
	// was typed in it, so that the error shows beside the form and nothing
	// typed is lost.
	ErrorAt         string
	Posted          url.Values
	Desks           []deskCard // the desks of the case's troubles, as they are now
	Timeline        []eventRow
	Parties         []partyRow
	Payments        []paymentRow
	Total           string
	Entered         []enteredRow
	Evidence        []evidenceRow
	Progress        []progressRow
	Steps           []stepRow
	DeskOptions     []option
	KindOptions     []option
	Today           string     // the date inputs' default, 2006-01-02
	Defaults        url.Values // what an empty form shows: today's date
	MaxEvidenceMB   int
	MaxEvidenceLeft int
}

type option struct{ Value, Label string }

// entryForm is a form that adds an entry, or changes the entry Ref names,
// with the values it shows.
type entryForm struct {
	casePage
	ID, Ref string
	V       url.Values
}

// Form returns the form id, filled with v, or with what was posted when
// that form's input was wrong.
func (p casePage) Form(id, ref string, v url.Values) entryForm {
	if p.ErrorAt == id {
		v = p.Posted
	}
	return entryForm{casePage: p, ID: id, Ref: ref, V: v}
}

// NoticeFor returns the notice when it is about the list (the form that
// changed it was posted there), so it shows where the page opens.
func (p casePage) NoticeFor(list string) string {
	if form, _, _ := strings.Cut(p.Posted.Get("form"), "-"); form == list || p.Posted.Get("list") == list {
		return p.Notice
	}
	return ""
}

// Failed reports whether the form id is the one whose input was wrong.
func (p casePage) Failed(id string) bool { return p.ErrorAt == id }

// row is what every listed entry has: how to change or remove it.
type row struct {
	Ref string
	V   url.Values // the entry as its form's fields
}

type eventRow struct {
	row
	When, What string
}

type partyRow struct {
	row
	casefile.Party
}

type paymentRow struct {
	row
	When, Amount, Method, Account string
}

type enteredRow struct {
	row
	When, Where string
	Kinds       []string
}

type evidenceRow struct {
	casefile.Evidence
	SizeText, ReceivedText string
}

type progressRow struct {
	row
	When, Desk, Reference, Result, Next string
}

type stepRow struct {
	ID, Text, DoneAt string
	Done             bool
}

// inputError is a mistake in a case form that the person can fix; key
// names the words that say what to fix.
type inputError struct{ key string }

func (e inputError) Error() string { return "input: " + e.key }

// errNoCode means a case form came without a case code.
var errNoCode = errors.New("no case code")

// withStore answers 503 when saving cases is turned off (no data folder).
func (h *handler) withStore(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.store == nil {
			h.renderError(w, r, http.StatusServiceUnavailable)
			return
		}
		next(w, r)
	}
}

// unlock reads the case code and passphrase from the parsed form and
// derives the case's keys (see openCase).
func (h *handler) unlock(r *http.Request) (caseKeys, casefile.Keys, error) {
	ck := caseKeys{Code: strings.TrimSpace(r.PostFormValue("code")), Pass: r.PostFormValue("pass")}
	if ck.Code == "" {
		return ck, casefile.Keys{}, errNoCode
	}
	k, err := h.openCase(r.Context(), ck.Code, ck.Pass)
	return ck, k, err
}

// caseFailed answers a case request that could not open its case: the
// home page's open form again, saying why, or an error page.
func (h *handler) caseFailed(w http.ResponseWriter, r *http.Request, ck caseKeys, err error) {
	status, key := http.StatusInternalServerError, ""
	var ref *refusal
	switch {
	case errors.As(err, &ref) && ref.status == http.StatusTooManyRequests:
		// This code failed too often: the open form again, saying when.
		setRetryAfter(w, ref.wait)
		hp := h.homePage(r)
		hp.OpenError, hp.OpenCode = hp.Tf(ref.key, int(math.Ceil(ref.wait.Minutes()))), ck.Code
		noStore(w)
		h.render(w, r, ref.status, "home.html", hp)
		return
	case errors.As(err, &ref):
		h.refuse(w, r, ref)
		return
	case errors.Is(err, errNoCode):
		status, key = http.StatusBadRequest, "open.err.no_code"
	case errors.Is(err, casefile.ErrBadCode):
		status, key = http.StatusBadRequest, "open.err.bad_code"
	case errors.Is(err, casefile.ErrNotFound):
		status, key = http.StatusNotFound, "open.err.not_found"
	case errors.Is(err, casefile.ErrPassphrase):
		status, key = http.StatusForbidden, "open.err.passphrase"
	case errors.Is(err, casefile.ErrTooLarge):
		h.renderErrorText(w, r, http.StatusRequestEntityTooLarge, text(requestLang(r), "case.err.too_big"))
		return
	case errors.Is(err, casefile.ErrInvalid):
		h.renderError(w, r, http.StatusBadRequest)
		return
	default:
		// Store errors name tables and ids, never what a case says.
		h.log.Error("case store", "err", err)
		h.renderError(w, r, http.StatusInternalServerError)
		return
	}
	hp := h.homePage(r)
	hp.OpenError, hp.OpenCode = hp.T(key), ck.Code
	noStore(w)
	h.render(w, r, status, "home.html", hp)
}

// renderErrorText writes the error page with a message of its own.
// Every status it is used with has an error.title message.
func (h *handler) renderErrorText(w http.ResponseWriter, r *http.Request, status int, message string) {
	h.renderErrorPage(w, r, status, "error.title."+strconv.Itoa(status), message)
}

// renderErrorPage writes the error page with a title and a message of its
// own.
func (h *handler) renderErrorPage(w http.ResponseWriter, r *http.Request, status int, titleKey, message string) {
	p := errorPage{page: newPage(r, titleKey), Status: status, Message: message}
	noStore(w)
	h.render(w, r, status, "error.html", p)
}

// showCase opens a case with the code and passphrase posted from the home
// page (or from any case page's "back" button) and shows it.
func (h *handler) showCase(w http.ResponseWriter, r *http.Request) {
	h.wholeCase(w, r, func(ck caseKeys, k casefile.Keys) {
		h.renderCase(w, r, ck, k, http.StatusOK, "", "")
	})
}

// changeCase is a case form that changes the case with fn and shows the
// case again, saying what was done (noticeKey) or what to fix.
func (h *handler) changeCase(w http.ResponseWriter, r *http.Request, noticeKey string, fn func(c *casefile.Case, f url.Values) error) {
	h.wholeCase(w, r, func(ck caseKeys, k casefile.Keys) {
		if r.PostFormValue("ref") != "" && strings.HasPrefix(noticeKey, "case.added.") {
			noticeKey = "case.changed"
		}
		err := h.store.Update(r.Context(), k, func(c *casefile.Case) error { return fn(c, r.PostForm) })
		h.afterChange(w, r, ck, k, noticeKey, err)
	})
}

// afterChange shows the case after a change: with the notice, or with what
// to fix when err is the person's mistake.
func (h *handler) afterChange(w http.ResponseWriter, r *http.Request, ck caseKeys, k casefile.Keys, noticeKey string, err error) {
	var in inputError
	switch {
	case err == nil:
		h.renderCase(w, r, ck, k, http.StatusOK, text(requestLang(r), noticeKey), "")
	case errors.As(err, &in):
		h.renderCase(w, r, ck, k, http.StatusBadRequest, "", text(requestLang(r), in.key))
	case errors.Is(err, casefile.ErrInvalid):
		h.renderCase(w, r, ck, k, http.StatusBadRequest, "", text(requestLang(r), "case.err.invalid"))
	default:
		h.caseFailed(w, r, ck, err)
	}
}

// renderCase loads the case and shows it with a notice or an error.
func (h *handler) renderCase(w http.ResponseWriter, r *http.Request, ck caseKeys, k casefile.Keys, status int, notice, errText string) {
	c, err := h.store.Load(r.Context(), k)
	if err != nil {
		h.caseFailed(w, r, ck, err)
		return
	}
	exp, err := h.store.Expires(r.Context(), k)
	if err != nil {
		h.caseFailed(w, r, ck, err)
		return
	}
	p := h.casePage(r, ck, c, exp)
	p.Notice, p.Error = notice, errText
	p.Posted = r.PostForm
	if errText != "" {
		p.ErrorAt = r.PostFormValue("form")
	}
	noStore(w)
	h.render(w, r, status, "case.html", p)
}

func (h *handler) casePage(r *http.Request, ck caseKeys, c *casefile.Case, expires time.Time) casePage {
	p := casePage{page: newPage(r, "case.title"), caseKeys: ck, Case: c}
	p.switchByPost("/case", r.PostForm, []string{"code", "pass"})
	p.Saved = true
	lang := p.Lang
	p.Created, p.Updated, p.Expires = timeText(c.Created, lang), timeText(c.Updated, lang), dateText(expires, lang)
	p.Today = h.now().In(hours.Tokyo).Format(time.DateOnly)
	p.Defaults = url.Values{"date": {p.Today}}
	if ds, err := h.engine.CaseDesks(c.TypeIDs(), c.Answers, h.now(), lang); err == nil {
		p.Desks = h.deskCards(ds, lang)
	} else {
		h.log.Error("desks of a case", "code", triage.ErrorCode(err)) // the error may quote the case's answers
	}
	p.MaxEvidenceMB = casefile.MaxEvidenceBytes >> 20
	p.MaxEvidenceLeft = casefile.MaxEntries - len(c.Evidence)
	for _, t := range c.Types {
		label := t.Label
		if kt := h.kb.Type(t.ID); kt != nil {
			label = kt.Plain.In(lang)
		}
		p.Types = append(p.Types, label)
	}
	// The timeline shows in time order; each row keeps its place in the
	// stored list, which its ref names.
	order := make([]int, len(c.Timeline))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return c.Timeline[a].At.Compare(c.Timeline[b].At) })
	for _, i := range order {
		e := c.Timeline[i]
		v := url.Values{"date": {dateValue(e.At)}, "what": {e.What}}
		if clock := e.At.In(hours.Tokyo).Format("15:04"); clock != "00:00" {
			v.Set("time", clock)
		}
		p.Timeline = append(p.Timeline, eventRow{row: row{entryRef(i, e), v}, When: momentText(e.At, lang), What: e.What})
	}
	for i, pt := range c.Parties {
		v := url.Values{"name": {pt.Name}, "url": {pt.URL}, "account": {pt.Account}, "phone": {pt.Phone}, "email": {pt.Email}, "address": {pt.Address}, "sns": {strings.Join(pt.SNS, " ")}}
		p.Parties = append(p.Parties, partyRow{row: row{entryRef(i, pt), v}, Party: pt})
	}
	for i, m := range c.Payments {
		v := url.Values{"amount": {strconv.FormatInt(m.AmountJPY, 10)}, "date": {dateValue(m.At)}, "method": {m.Method}, "account": {m.Account}}
		p.Payments = append(p.Payments, paymentRow{row: row{entryRef(i, m), v}, When: dateText(m.At, lang), Amount: yenText(m.AmountJPY, lang), Method: m.Method, Account: m.Account})
	}
	if len(c.Payments) > 1 {
		p.Total = yenText(c.TotalJPY(), lang)
	}
	for i, e := range c.Entered {
		row := enteredRow{row: row{Ref: entryRef(i, e)}, Where: e.Where}
		if !e.At.IsZero() {
			row.When = dateText(e.At, lang)
		}
		for _, kind := range e.What {
			row.Kinds = append(row.Kinds, text(lang, "kind."+kind))
		}
		p.Entered = append(p.Entered, row)
	}
	for _, e := range c.Evidence {
		p.Evidence = append(p.Evidence, evidenceRow{Evidence: e, SizeText: bytesText(e.Size, lang), ReceivedText: timeText(e.Received, lang)})
	}
	for i, g := range c.Progress {
		v := url.Values{"date": {dateValue(g.At)}, "desk": {g.Desk}, "reference": {g.Reference}, "result": {g.Result}, "next": {g.Next}}
		if h.kb.Desk(g.Desk) == nil {
			v.Set("desk", "")
			v.Set("desk_other", g.Desk)
		}
		p.Progress = append(p.Progress, progressRow{row: row{entryRef(i, g), v}, When: dateText(g.At, lang), Desk: h.deskName(g.Desk, lang), Reference: g.Reference, Result: g.Result, Next: g.Next})
	}
	for _, s := range c.Steps {
		row := stepRow{ID: s.ID, Text: s.Text, Done: !s.Done.IsZero()}
		if row.Done {
			row.DoneAt = dateText(s.Done, lang)
		}
		p.Steps = append(p.Steps, row)
	}
	for _, d := range h.kb.Desks {
		p.DeskOptions = append(p.DeskOptions, option{Value: d.ID, Label: d.Name.In(lang)})
	}
	for _, kind := range enteredKinds() {
		p.KindOptions = append(p.KindOptions, option{Value: kind, Label: text(lang, "kind."+kind)})
	}
	return p
}

// dateValue is a date as a date field holds it.
func dateValue(t time.Time) string { return t.In(hours.Tokyo).Format(time.DateOnly) }

// enteredKinds lists the kinds of data a person may have typed in, in a
// stable order.
func enteredKinds() []string {
	kinds := make([]string, 0, len(casefile.EnteredKinds))
	for k := range casefile.EnteredKinds {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	return kinds
}

// deskName is the name of a desk id from the knowledge base, or the text
// as written when it is not an id.
func (h *handler) deskName(id, lang string) string {
	if d := h.kb.Desk(id); d != nil {
		return d.Name.In(lang)
	}
	return id
}

// deskNameJA is deskName for the consultation sheet, which is Japanese.
func (h *handler) deskNameJA(id string) string {
	if d := h.kb.Desk(id); d != nil {
		return d.Name.JA
	}
	return ""
}

// dateText writes a date as people read it, in Japan time.
func dateText(t time.Time, lang string) string {
	if lang == "en" {
		return t.In(hours.Tokyo).Format("2 Jan 2006")
	}
	return sheet.Date(t.In(hours.Tokyo))
}

// momentText writes a time of the timeline: a date alone when no time of
// day was given (midnight).
func momentText(t time.Time, lang string) string {
	t = t.In(hours.Tokyo)
	if t.Hour() == 0 && t.Minute() == 0 {
		return dateText(t, lang)
	}
	return timeText(t, lang)
}

// yenText writes an amount of yen.
func yenText(n int64, lang string) string {
	if lang == "en" {
		return "¥" + strings.TrimSuffix(sheet.Yen(n), "円")
	}
	return sheet.Yen(n)
}

// bytesText writes a file size.
func bytesText(n int64, lang string) string {
	if lang == "en" && n < 1<<10 {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	return sheet.Bytes(n)
}
