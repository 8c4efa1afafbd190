package web

import (
	"net/http"

	"github.com/kakekomi/kakekomi/internal/desks"
)

// desksPage is the page of desks.html: the directory of desks.
type desksPage struct {
	page
	OpenOnly bool
	AtInput  string // the time asked for, as the datetime-local field shows it
	AtText   string
	Error    string
	Desks    []deskCard
}

func (h *handler) showDesks(w http.ResponseWriter, r *http.Request) {
	p := desksPage{page: newPage(r, "desks.title"), OpenOnly: r.FormValue("open") != ""}
	at, err := h.parseTime(r.FormValue("at"))
	status := http.StatusOK
	if err != nil {
		p.Error, status = p.T("err.time"), http.StatusBadRequest
		at, _ = h.parseTime("")
	}
	if r.FormValue("at") != "" && err == nil {
		p.AtInput = at.Format("2006-01-02T15:04")
	}
	p.AtText = timeText(at, p.Lang)
	p.Desks = h.deskCards(desks.List(h.kb, at, p.Lang, p.OpenOnly), p.Lang)
	h.render(w, r, status, "desks.html", p)
}
