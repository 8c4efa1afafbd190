package web

import (
	"net/http"
	"slices"

	"github.com/kakekomi/kakekomi/internal/desks"
	"github.com/kakekomi/kakekomi/internal/kb"
)

// desksPage is the page of desks.html: the directory of desks, grouped by
// the troubles they help with, or the desks of one trouble.
type desksPage struct {
	page
	OpenOnly bool
	AtInput  string // the time asked for, as the datetime-local field shows it
	AtText   string
	Error    string
	Type     string // the trouble chosen in the filter, or empty
	Choices  []troubleChoices
	Groups   []deskGroup // when no trouble is chosen
	Desks    []deskCard  // the desks of the chosen trouble
	Count    int
}

// troubleChoices is one group of the filter's troubles.
type troubleChoices struct {
	Name  string
	Types []choice
}

// deskGroup is the desks that help with one group of troubles.
type deskGroup struct {
	ID, Name string
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
	chosen := h.kb.Type(r.FormValue("type"))
	if chosen != nil {
		p.Type = chosen.ID
	}
	for _, g := range h.kb.Groups {
		c := troubleChoices{Name: g.Name.In(p.Lang)}
		for _, id := range g.Types {
			t := h.kb.Type(id)
			c.Types = append(c.Types, choice{Value: id, Label: t.Plain.In(p.Lang), Checked: id == p.Type})
		}
		p.Choices = append(p.Choices, c)
	}

	views := map[string]deskCard{}
	for _, c := range h.deskCards(desks.List(h.kb, at, p.Lang, p.OpenOnly), p.Lang) {
		views[c.ID] = c
	}
	if chosen != nil {
		p.Desks = cardsOf(views, nil, []*kb.Type{chosen})
		p.Count = len(p.Desks)
	} else {
		shown := map[string]bool{}
		for _, g := range h.kb.Groups {
			var types []*kb.Type
			for _, id := range g.Types {
				types = append(types, h.kb.Type(id))
			}
			if cards := cardsOf(views, g.Desks, types); len(cards) > 0 {
				p.Groups = append(p.Groups, deskGroup{ID: g.ID, Name: g.Name.In(p.Lang), Desks: cards})
				for _, c := range cards {
					shown[c.ID] = true
				}
			}
		}
		// Desks no trouble refers to (the crisis lines among them) close
		// the list, so that the directory has every desk.
		var rest []deskCard
		for _, d := range h.kb.Desks {
			if c, ok := views[d.ID]; ok && !shown[d.ID] {
				rest = append(rest, c)
				shown[d.ID] = true
			}
		}
		if len(rest) > 0 {
			p.Groups = append(p.Groups, deskGroup{ID: "other", Name: p.T("desks.other"), Desks: rest})
		}
		p.Count = len(shown)
	}
	h.render(w, r, status, "desks.html", p)
}

// cardsOf returns the cards of the desks first and then of the desks the
// types refer to, each once, the types' first desks first.
func cardsOf(views map[string]deskCard, first []string, types []*kb.Type) []deskCard {
	ids := slices.Clone(first)
	for rank := 0; ; rank++ {
		more := false
		for _, t := range types {
			if rank < len(t.Desks) {
				more = true
				if id := t.Desks[rank].ID; !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
			}
		}
		if !more {
			break
		}
	}
	var cards []deskCard
	for _, id := range ids {
		if c, ok := views[id]; ok {
			cards = append(cards, c)
		}
	}
	return cards
}
