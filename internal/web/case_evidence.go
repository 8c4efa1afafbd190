package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/kakekomi/kakekomi/internal/casefile"
)

// evidenceLimit bounds an evidence upload: the largest file plus the form
// around it.
const evidenceLimit = casefile.MaxEvidenceBytes + 1<<20

// addEvidence keeps an uploaded file with the case and shows its SHA-256,
// so the person can later show it was not changed.
func (h *handler) addEvidence(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	tooBig := func() {
		h.renderErrorText(w, r, http.StatusRequestEntityTooLarge, textf(requestLang(r), "evidence.err.too_big", casefile.MaxEvidenceBytes>>20))
	}
	if r.ContentLength > evidenceLimit {
		tooBig()
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, evidenceLimit)
	var (
		name string
		data []byte
	)
	found, err := readUpload(r, "file", func(filename string, body io.Reader) error {
		// In memory, no more than the largest file (its type is sniffed
		// and its hash taken before it is kept): nothing of it may reach
		// the disk in the clear.
		name = filename
		var err error
		data, err = io.ReadAll(io.LimitReader(body, casefile.MaxEvidenceBytes+1))
		return err
	})
	if err != nil {
		if uploadStatus(err) == http.StatusRequestEntityTooLarge {
			tooBig()
			return
		}
		h.renderError(w, r, uploadStatus(err))
		return
	}
	ck, k, err := h.unlock(r)
	if err != nil {
		h.caseFailed(w, r, ck, err)
		return
	}
	lang := requestLang(r)
	fail := func(status int, key string, args ...any) {
		h.renderCase(w, r, ck, k, status, "", textf(lang, key, args...))
	}
	switch {
	case !found:
		fail(http.StatusBadRequest, "evidence.err.no_file")
		return
	case len(data) == 0:
		fail(http.StatusBadRequest, "evidence.err.empty")
		return
	case len(data) > casefile.MaxEvidenceBytes:
		tooBig()
		return
	}
	c, err := h.store.Load(r.Context(), k)
	if err != nil {
		h.caseFailed(w, r, ck, err)
		return
	}
	var total int64
	for _, e := range c.Evidence {
		total += e.Size
	}
	switch {
	case len(c.Evidence) >= casefile.MaxEntries:
		fail(http.StatusBadRequest, "evidence.err.count", casefile.MaxEntries)
		return
	case total+int64(len(data)) > casefile.MaxCaseBytes:
		fail(http.StatusRequestEntityTooLarge, "evidence.err.total", casefile.MaxCaseBytes>>20)
		return
	}
	e, err := h.store.AddEvidence(r.Context(), k, name, data, strings.TrimSpace(r.PostFormValue("note")))
	switch {
	case errors.Is(err, casefile.ErrFileType):
		fail(http.StatusUnsupportedMediaType, "evidence.err.type")
		return
	case err != nil:
		h.caseFailed(w, r, ck, err)
		return
	case e.Runnable():
		h.renderCase(w, r, ck, k, http.StatusOK, textf(lang, "evidence.defused", e.Name), "")
		return
	}
	h.renderCase(w, r, ck, k, http.StatusOK, textf(lang, "evidence.added", e.Name), "")
}
