package web

import (
	"net/http"

	"github.com/kakekomi/kakekomi/internal/desks"
	"github.com/kakekomi/kakekomi/internal/kb"
)

// homePage is the page of home.html.
type homePage struct {
	page
	Text  string
	Minor bool
	Error string // what was wrong with the last try, in words
	Types []typeChoice
	// CanSave is whether this server keeps saved cases, so the forms
	// that open and import one are shown.
	CanSave   bool
	OpenCode  string // the code typed into the open form, when it failed
	OpenError string // why the open form failed, in words
	// Crisis is the crisis line as it answers now, for the emergency route
	// at the top of the page.
	Crisis *deskCard
}

// typeChoice is one trouble type offered on the home page in everyday words.
type typeChoice struct {
	ID, Plain string
}

func (h *handler) showHome(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "home.html", h.homePage(r))
}

func (h *handler) homePage(r *http.Request) homePage {
	p := homePage{page: newPage(r, "home.title"), CanSave: h.store != nil}
	p.Types = typeChoices(h.kb.Types, p.Lang)
	if d := h.kb.Desk("crisis_line"); d != nil {
		cards := h.deskCards([]desks.View{desks.Describe(h.kb, d, h.now(), p.Lang)}, p.Lang)
		if cards[0].Tel != "" {
			p.Crisis = &cards[0]
		}
	}
	return p
}

func typeChoices(types []*kb.Type, lang string) []typeChoice {
	out := make([]typeChoice, len(types))
	for i, t := range types {
		out[i] = typeChoice{ID: t.ID, Plain: t.Plain.In(lang)}
	}
	return out
}
