package web

import (
	"errors"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/kakekomi/kakekomi/internal/casefile"
)

// importLimit bounds an uploaded export: the largest export and the form
// around it.
const importLimit = casefile.MaxExportBytes + 1<<20

// newCasePage is the page of case_new.html: the new case's code, shown
// this once.
type newCasePage struct {
	page
	caseKeys
	Expires    string
	Emergency  bool
	Imported   bool
	Evidence   int // files imported
	Passphrase bool
}

// readPassphrase reads the optional passphrase and its repetition.
func readPassphrase(r *http.Request) (string, error) {
	pass := r.PostFormValue("pass")
	switch {
	case pass != r.PostFormValue("pass2"):
		return "", inputError{"save.err.pass_differs"}
	case !utf8.ValidString(pass) || utf8.RuneCountInString(pass) > maxPassRunes:
		return "", inputError{"save.err.pass_long"}
	}
	return pass, nil
}

// saveCase saves the description, types and answers of a result page as
// a new case and shows its code once.
func (h *handler) saveCase(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, formLimit)
	noStore(w)
	p, err := h.readPlan(r)
	if err != nil {
		h.renderError(w, r, formStatus(err))
		return
	}
	res, err := h.engine.Triage(p.in)
	if err != nil {
		h.renderError(w, r, http.StatusBadRequest)
		return
	}
	pass, err := readPassphrase(r)
	if err != nil {
		rp := h.resultPage(r, p, res)
		rp.SaveError = rp.T(err.(inputError).key)
		h.render(w, r, http.StatusBadRequest, "result.html", rp)
		return
	}
	description := p.text
	if description == "" && p.typ != nil {
		// A type chosen from the list has no description of its own.
		description = p.typ.Plain.JA
	}
	c, err := casefile.Open(description, res, p.in.Context.Answers, h.now())
	if err != nil {
		h.caseFailed(w, r, caseKeys{}, err)
		return
	}
	h.createCase(w, r, casefile.Bundle{Case: c}, pass, newCasePage{Emergency: res.Emergency.Active})
}

// importCase reads an exported ZIP and saves it as a new case with a new
// code: the old code stays with the old case. The upload waits in an
// encrypted spill (it may be far larger than memory should hold); then it
// is read entry by entry into the store, a part at a time.
func (h *handler) importCase(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	if r.ContentLength > importLimit {
		h.importFailed(w, r, casefile.ErrTooLarge)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, importLimit)
	sp, err := newSpill()
	if err != nil {
		h.caseFailed(w, r, caseKeys{}, err)
		return
	}
	defer sp.Close()
	found, err := readUpload(r, "bundle", func(_ string, body io.Reader) error {
		_, err := io.Copy(sp, body)
		return err
	})
	switch {
	case errors.Is(err, errSpill):
		h.caseFailed(w, r, caseKeys{}, err)
		return
	case err != nil && uploadStatus(err) == http.StatusRequestEntityTooLarge:
		h.importFailed(w, r, casefile.ErrTooLarge)
		return
	case err != nil:
		h.renderError(w, r, uploadStatus(err))
		return
	}
	lang := requestLang(r)
	pass, err := readPassphrase(r)
	if err != nil {
		h.renderErrorText(w, r, http.StatusBadRequest, text(lang, err.(inputError).key))
		return
	}
	if !found {
		h.renderErrorText(w, r, http.StatusBadRequest, text(lang, "import.err.no_file"))
		return
	}
	src, err := sp.Reader()
	if err != nil {
		h.caseFailed(w, r, caseKeys{}, err)
		return
	}
	// case.json comes first: a file that is no export is refused before
	// the keys cost their Argon2id; the evidence is read by createCase.
	b, err := casefile.ReadBundle(src)
	if err != nil {
		h.importFailed(w, r, err)
		return
	}
	h.createCase(w, r, b, pass, newCasePage{Imported: true, Evidence: len(b.Case.Evidence), Emergency: b.Case.Emergency})
}

// importFailed answers an import whose export was refused, saying why.
func (h *handler) importFailed(w http.ResponseWriter, r *http.Request, err error) {
	lang := requestLang(r)
	switch {
	case errors.Is(err, casefile.ErrTooLarge):
		h.renderErrorText(w, r, http.StatusRequestEntityTooLarge, textf(lang, "import.err.too_big", casefile.MaxCaseBytes>>20))
	case errors.Is(err, casefile.ErrInvalid):
		h.renderErrorText(w, r, http.StatusBadRequest, text(lang, "import.err.bad"))
	default:
		h.caseFailed(w, r, caseKeys{}, err)
	}
}

// createCase stores b under a new code and shows the code.
func (h *handler) createCase(w http.ResponseWriter, r *http.Request, b casefile.Bundle, pass string, p newCasePage) {
	code := casefile.NewCode()
	k, err := h.keys.derive(r.Context(), code, pass)
	if err != nil {
		h.caseFailed(w, r, caseKeys{}, err)
		return
	}
	expires := h.now().Add(casefile.DefaultTTL)
	if err := h.store.Create(r.Context(), k, b, expires); err != nil {
		if p.Imported { // the export's files were read only now
			h.importFailed(w, r, err)
		} else {
			h.caseFailed(w, r, caseKeys{}, err)
		}
		return
	}
	p.page = newPage(r, "saved.title")
	p.Saved = true
	p.caseKeys = caseKeys{Code: code, Pass: pass}
	p.Passphrase = pass != ""
	p.Expires = dateText(expires, p.Lang)
	h.render(w, r, http.StatusOK, "case_new.html", p)
}
