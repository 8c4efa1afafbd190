package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/kakekomi/kakekomi/internal/casefile"
	"github.com/kakekomi/kakekomi/internal/letters"
)

// letterPage is the page of letter.html: a drafted letter to print, with
// what the post office's limits checker found.
type letterPage struct {
	page
	caseKeys
	Letter  *letters.Letter
	Checked bool // the letter is a 内容証明 whose layout was checked
	Pages   []letterSheet
}

type letterSheet struct {
	N     int
	Lines []string
}

// showLetter drafts the letter of the chosen kind from the case and the
// details in the form.
func (h *handler) showLetter(w http.ResponseWriter, r *http.Request) {
	h.loadedCase(w, r, func(ck caseKeys, k casefile.Keys, c *casefile.Case) {
		f := r.PostForm
		o := letters.Options{
			Date:             h.now(),
			Goods:            strings.TrimSpace(f.Get("goods")),
			SenderName:       strings.TrimSpace(f.Get("from_name")),
			SenderAddress:    strings.TrimSpace(f.Get("from_address")),
			SenderContact:    strings.TrimSpace(f.Get("from_contact")),
			RecipientName:    strings.TrimSpace(f.Get("to_name")),
			RecipientAddress: strings.TrimSpace(f.Get("to_address")),
			URL:              strings.TrimSpace(f.Get("post_url")),
			Content:          strings.TrimSpace(f.Get("content")),
			Right:            strings.TrimSpace(f.Get("right")),
			Reason:           strings.TrimSpace(f.Get("reason")),
			Vertical:         f.Get("vertical") != "",
		}
		var err error
		if o.Deadline, err = formDate(f, "deadline", "", false); err != nil {
			h.renderCase(w, r, ck, k, http.StatusBadRequest, "", text(requestLang(r), "case.err.date"))
			return
		}
		kind := f.Get("kind")
		l, ok := letters.ForCase(kind, c, o)
		switch {
		case ok:
		case kind == "objection":
			var received time.Time
			if received, err = formDate(f, "received", "", true); err != nil {
				h.renderCase(w, r, ck, k, http.StatusBadRequest, "", text(requestLang(r), "letter.err.received"))
				return
			}
			l = letters.PaymentOrder(received, func(t time.Time) bool { _, ok := h.kb.IsHoliday(t); return ok })
		default:
			h.renderCase(w, r, ck, k, http.StatusBadRequest, "", text(requestLang(r), "letter.err.kind"))
			return
		}
		p := letterPage{page: newPage(r, "letter.title"), caseKeys: ck, Letter: l, Checked: l.Format != nil}
		p.Saved = true
		for i, pg := range l.Pages {
			p.Pages = append(p.Pages, letterSheet{N: i + 1, Lines: pg})
		}
		h.render(w, r, http.StatusOK, "letter.html", p)
	})
}
