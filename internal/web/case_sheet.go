package web

import (
	"errors"
	"net/http"

	"github.com/kakekomi/kakekomi/internal/casefile"
	"github.com/kakekomi/kakekomi/internal/sheet"
	"github.com/kakekomi/kakekomi/internal/triage"
)

// sheetPage is the page of sheet.html: the consultation sheet to print.
type sheetPage struct {
	page
	caseKeys
	Sheet *sheet.Sheet
}

// showSheet shows the case's consultation sheet as a page to print.
func (h *handler) showSheet(w http.ResponseWriter, r *http.Request) {
	h.loadedCase(w, r, func(ck caseKeys, _ casefile.Keys, c *casefile.Case) {
		p := sheetPage{page: newPage(r, "sheet.title"), caseKeys: ck, Sheet: h.caseSheet(c)}
		p.Saved = true
		h.render(w, r, http.StatusOK, "sheet.html", p)
	})
}

// caseSheet builds the consultation sheet of c now, with the desks of its
// troubles and their numbers.
func (h *handler) caseSheet(c *casefile.Case) *sheet.Sheet {
	sh := sheet.New(c, h.now(), h.deskNameJA)
	if ds, err := h.engine.CaseDesks(c.TypeIDs(), c.Answers, h.now(), "ja"); err == nil {
		sh.AddDesks(sheet.DesksOf(ds))
	} else {
		h.log.Error("desks of a case", "code", triage.ErrorCode(err)) // the error may quote the case's answers
	}
	return sh
}

// sheetPDF sends the consultation sheet as a PDF.
func (h *handler) sheetPDF(w http.ResponseWriter, r *http.Request) {
	h.loadedCase(w, r, func(ck caseKeys, _ casefile.Keys, c *casefile.Case) {
		ttf, err := h.font()
		if err != nil {
			if !errors.Is(err, sheet.ErrNoFont) {
				h.log.Error("read font", "err", err)
			}
			h.renderErrorText(w, r, http.StatusServiceUnavailable, text(requestLang(r), "sheet.err.font"))
			return
		}
		pdf, err := h.caseSheet(c).PDF(ttf)
		if err != nil {
			// The font library's errors may quote a character of the
			// case, so the error itself is not logged.
			h.log.Error("render sheet PDF failed")
			h.renderError(w, r, http.StatusInternalServerError)
			return
		}
		download(w, "application/pdf", "soudan-memo.pdf", pdf)
	})
}

// loadedCase reads a small case form, loads the case and calls fn.
func (h *handler) loadedCase(w http.ResponseWriter, r *http.Request, fn func(caseKeys, casefile.Keys, *casefile.Case)) {
	h.wholeCase(w, r, func(ck caseKeys, k casefile.Keys) {
		c, err := h.store.Load(r.Context(), k)
		if err != nil {
			h.caseFailed(w, r, ck, err)
			return
		}
		fn(ck, k, c)
	})
}
