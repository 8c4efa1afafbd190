package web

import (
	"errors"
	"net/http"

	"github.com/kakekomi/kakekomi/internal/casefile"
)

// The forms of a case page that act on the whole case.

// renewCase moves the case's expiry to DefaultTTL from now.
func (h *handler) renewCase(w http.ResponseWriter, r *http.Request) {
	h.wholeCase(w, r, func(ck caseKeys, k casefile.Keys) {
		expires := h.now().Add(casefile.DefaultTTL)
		err := h.store.Renew(r.Context(), k, expires)
		h.afterChange(w, r, ck, k, "case.renewed", err)
	})
}

// deleteCasePage is the page of case_delete.html and case_deleted.html.
type deleteCasePage struct {
	page
	caseKeys
}

// deleteCase asks first, then deletes the case and all its files.
func (h *handler) deleteCase(w http.ResponseWriter, r *http.Request) {
	h.wholeCase(w, r, func(ck caseKeys, k casefile.Keys) {
		p := deleteCasePage{page: newPage(r, "delete.title"), caseKeys: ck}
		p.Saved = true
		if r.PostFormValue("confirm") != "yes" {
			// Check the keys before asking, so a wrong code is told now.
			if _, err := h.store.Load(r.Context(), k); err != nil {
				h.caseFailed(w, r, ck, err)
				return
			}
			h.render(w, r, http.StatusOK, "case_delete.html", p)
			return
		}
		if err := h.store.Delete(r.Context(), k); err != nil {
			h.caseFailed(w, r, ck, err)
			return
		}
		p.page = newPage(r, "deleted.title")
		h.render(w, r, http.StatusOK, "case_deleted.html", p)
	})
}

// exportCase sends the case with its files as a ZIP, written to the
// answer as the files are read, a part at a time.
func (h *handler) exportCase(w http.ResponseWriter, r *http.Request) {
	h.wholeCase(w, r, func(ck caseKeys, k casefile.Keys) {
		// Loading the case checks the keys while an error page can still
		// be sent.
		b, err := h.store.Bundle(r.Context(), k)
		if err != nil {
			h.caseFailed(w, r, ck, err)
			return
		}
		setDownload(w, "application/zip", "kakekomi-case.zip")
		if err := casefile.WriteBundle(w, b, h.now()); err != nil {
			// The answer has begun as a 200: break the connection, so the
			// download fails instead of ending in a ZIP that looks whole.
			// The error names an evidence file, so only its kind is logged.
			h.log.Error("case export broken off", "invalid", errors.Is(err, casefile.ErrInvalid))
			panic(http.ErrAbortHandler)
		}
	})
}

// wholeCase reads a small case form and its keys and calls fn.
func (h *handler) wholeCase(w http.ResponseWriter, r *http.Request, fn func(caseKeys, casefile.Keys)) {
	r.Body = http.MaxBytesReader(w, r.Body, formLimit)
	noStore(w)
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, formStatus(err))
		return
	}
	ck, k, err := h.unlock(r)
	if err != nil {
		h.caseFailed(w, r, ck, err)
		return
	}
	fn(ck, k)
}

// download sends a file to save.
func download(w http.ResponseWriter, contentType, name string, body []byte) {
	setDownload(w, contentType, name)
	w.Write(body)
}

// setDownload sets the headers of a file to save. The name says nothing
// about the case.
func setDownload(w http.ResponseWriter, contentType, name string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
}
