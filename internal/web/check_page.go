package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/kakekomi/kakekomi/internal/mailcheck"
)

// checkPage is the page of check.html: the form and, after a check, its
// result.
type checkPage struct {
	page
	Text, URL string
	Error     string
	Result    *mailcheck.Result
	Verdict   string // the verdict in words
	Types     []typeChoice
}

func (h *handler) showCheckForm(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "check.html", checkPage{page: newPage(r, "check.title")})
}

// showCheckResult checks an uploaded .eml file, else a URL, else a pasted
// text, and shows the verdict.
func (h *handler) showCheckResult(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, mailLimit)
	noStore(w)
	if err := r.ParseMultipartForm(mailLimit); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		h.renderError(w, r, formStatus(err))
		return
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	p := checkPage{page: newPage(r, "check.title"), Text: r.PostFormValue("text"), URL: strings.TrimSpace(r.PostFormValue("url"))}
	var res *mailcheck.Result
	var err error
	opts := mailcheck.Options{Lang: p.Lang}
	file, _, ferr := r.FormFile("eml")
	switch {
	case ferr == nil:
		defer file.Close()
		res, err = h.checker.CheckMail(file, opts)
	case p.URL != "":
		res, err = h.checker.CheckURL(p.URL, opts)
	case strings.TrimSpace(p.Text) != "":
		res, err = h.checker.CheckText(p.Text, opts)
	default:
		p.Error = p.T("check.empty")
		h.render(w, r, http.StatusBadRequest, "check.html", p)
		return
	}
	if err != nil {
		// The checker only fails on input it cannot read, and says why.
		status := http.StatusBadRequest
		if mailcheck.OverLimit(err) {
			status = http.StatusRequestEntityTooLarge
		}
		if p.Error = mailcheck.ErrorText(err, p.Lang); p.Error == "" {
			p.Error = p.T("err.bad")
		}
		h.render(w, r, status, "check.html", p)
		return
	}
	p.Result, p.Verdict = res, p.T("verdict."+res.Verdict)
	for _, id := range res.Types {
		if t := h.kb.Type(id); t != nil {
			p.Types = append(p.Types, typeChoice{ID: t.ID, Plain: t.Plain.In(p.Lang)})
		}
	}
	h.render(w, r, http.StatusOK, "check.html", p)
}
