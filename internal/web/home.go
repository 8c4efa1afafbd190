package web

import (
	"net/http"

	"github.com/kakekomi/kakekomi/internal/kb"
)

// homePage is the page of home.html.
type homePage struct {
	page
	Text  string
	Minor bool
	Error string // what was wrong with the last try, in words
	Types []typeChoice
}

// typeChoice is one trouble type offered on the home page in everyday words.
type typeChoice struct {
	ID, Plain string
}

func (h *handler) showHome(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "home.html", h.homePage(r))
}

func (h *handler) homePage(r *http.Request) homePage {
	p := homePage{page: newPage(r, "home.title")}
	p.Types = typeChoices(h.kb.Types, p.Lang)
	return p
}

func typeChoices(types []*kb.Type, lang string) []typeChoice {
	out := make([]typeChoice, len(types))
	for i, t := range types {
		out[i] = typeChoice{ID: t.ID, Plain: t.Plain.In(lang)}
	}
	return out
}
