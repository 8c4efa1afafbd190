package web

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/kakekomi/kakekomi/internal/kb"
	"github.com/kakekomi/kakekomi/internal/triage"
)

// maxAnswers bounds the answers read from a form; the knowledge base asks
// far fewer questions.
const maxAnswers = 50

// resultPage is the page of result.html and print.html: the plan for one
// description.
type resultPage struct {
	page
	Text       string
	Minor      bool
	TypeID     string // the type chosen from the list, if any
	ChosenType string // its name in everyday words
	Result     *triage.Result
	AtText     string
	Groups     []stepGroup
	Questions  []questionField
	Desks      []deskCard
	Chats      []lineCard // in an emergency, chat and LINE counselling of its desks
	Summary    summary
	Changes    *planChanges // what the last answers changed, when the form was a refinement
	DeskIDs    string       // the desks and steps shown, comma-separated, for the follow-up form
	StepIDs    string
	Answered   []answered
	CanSave    bool   // whether this server keeps saved cases
	SaveError  string // what was wrong with the save form, in words
}

// summary is what a result's first phone screen holds: the trouble in one
// line, the first thing to do and the first thing never to do, and one
// call button. Everything else folds below it.
type summary struct {
	Trouble    string
	OtherTypes int // further types, folded in the list below
	First      *triage.Step
	Dont       *triage.Dont
	Call       *deskCard
}

// planChanges says how answering the follow-up questions changed the plan,
// so that a person sees that their answer was taken into account.
type planChanges struct {
	DesksAdded, DesksRemoved []string // desk names
	StepsAdded, StepsRemoved int
}

// None reports that the answers left the plan as it was.
func (c planChanges) None() bool {
	return len(c.DesksAdded)+len(c.DesksRemoved)+c.StepsAdded+c.StepsRemoved == 0
}

// answered is a follow-up question answered, in words.
type answered struct{ Question, Answer string }

// stepGroup is the steps of one urgency.
type stepGroup struct {
	When, Title string
	Steps       []triage.Step
}

type questionField struct {
	triage.Question
	Name    string // the form field
	Choices []choice
}

type choice struct {
	Value, Label string
	Checked      bool
}

// plan is what the form of a result or print request asks for.
type plan struct {
	in   triage.Input
	typ  *kb.Type
	text string // as written, to send back in the follow-up form
	// refine says the form was a result page's follow-up form, which
	// carries the ids of the desks and steps that page showed, so that the
	// new page can say what the answers changed.
	refine               bool
	prevDesks, prevSteps []string
}

// readPlan reads the description, the chosen type, the answers and the
// context from a posted form.
func (h *handler) readPlan(r *http.Request) (plan, error) {
	var p plan
	if err := r.ParseForm(); err != nil {
		return p, err
	}
	p.text = r.PostFormValue("text")
	p.in = triage.Input{
		Text:    p.text,
		At:      h.now(),
		Lang:    requestLang(r),
		Context: triage.Context{Minor: r.PostFormValue("minor") != ""},
	}
	if id := r.PostFormValue("type"); id != "" {
		if p.typ = h.kb.Type(id); p.typ != nil {
			p.in.Types = []string{p.typ.ID}
		}
	}
	if answers := formAnswers(r.PostForm, "a."); len(answers) > 0 {
		p.in.Context.Answers = answers
	}
	if r.PostFormValue("refine") != "" {
		p.refine = true
		p.prevDesks = formIDs(r.PostFormValue("pd"))
		p.prevSteps = formIDs(r.PostFormValue("ps"))
	}
	return p, nil
}

// formIDs reads a comma-separated list of ids, at most maxAnswers*4.
func formIDs(s string) []string {
	ids := strings.Split(s, ",")
	return ids[:min(len(ids), maxAnswers*4)]
}

// formAnswers reads the answers posted as fields named prefix+question.
func formAnswers(form url.Values, prefix string) map[string]string {
	answers := map[string]string{}
	for k, v := range form {
		q, ok := strings.CutPrefix(k, prefix)
		if !ok || len(v) == 0 || v[0] == "" {
			continue
		}
		if len(answers) == maxAnswers {
			break
		}
		answers[q] = v[0]
	}
	return answers
}

// showResult answers the home page's form (and the follow-up questions)
// with the plan. Nothing is stored, so the plan is rendered directly.
func (h *handler) showResult(w http.ResponseWriter, r *http.Request) {
	h.showPlan(w, r, "result.html")
}

// showPrint renders the plan as one clean page to print.
func (h *handler) showPrint(w http.ResponseWriter, r *http.Request) {
	h.showPlan(w, r, "print.html")
}

func (h *handler) showPlan(w http.ResponseWriter, r *http.Request, name string) {
	r.Body = http.MaxBytesReader(w, r.Body, formLimit)
	noStore(w)
	p, err := h.readPlan(r)
	if err != nil {
		h.renderError(w, r, formStatus(err))
		return
	}
	res, err := h.engine.Triage(p.in)
	if err != nil {
		hp := h.homePage(r)
		hp.Text, hp.Minor = p.text, p.in.Context.Minor
		hp.Error = hp.T(inputMessageKey(err))
		h.render(w, r, http.StatusBadRequest, "home.html", hp)
		return
	}
	rp := h.resultPage(r, p, res)
	if p.refine {
		rp.Changes = h.changesSince(p.prevDesks, p.prevSteps, res, rp.Lang)
	}
	h.render(w, r, http.StatusOK, name, rp)
}

// changesSince compares the plan res with the desks and steps the page
// before it showed.
func (h *handler) changesSince(prevDesks, prevSteps []string, res *triage.Result, lang string) *planChanges {
	desks, steps := deskIDs(res), stepIDs(res)
	c := &planChanges{}
	for _, id := range missing(desks, prevDesks) {
		c.DesksAdded = append(c.DesksAdded, h.kb.Desk(id).Name.In(lang))
	}
	for _, id := range missing(prevDesks, desks) {
		if d := h.kb.Desk(id); d != nil {
			c.DesksRemoved = append(c.DesksRemoved, d.Name.In(lang))
		}
	}
	c.StepsAdded, c.StepsRemoved = len(missing(steps, prevSteps)), len(missing(prevSteps, steps))
	return c
}

// missing is the ids of a that b lacks.
func missing(a, b []string) []string {
	var out []string
	for _, id := range a {
		if id != "" && !slices.Contains(b, id) {
			out = append(out, id)
		}
	}
	return out
}

func deskIDs(res *triage.Result) []string {
	ids := make([]string, len(res.Desks))
	for i, d := range res.Desks {
		ids[i] = d.ID
	}
	return ids
}

func stepIDs(res *triage.Result) []string {
	ids := make([]string, len(res.Steps))
	for i, s := range res.Steps {
		ids[i] = s.ID
	}
	return ids
}

// showTypePlan shows the plan of a type chosen from the home page's list.
func (h *handler) showTypePlan(w http.ResponseWriter, r *http.Request) {
	t := h.kb.Type(r.PathValue("id"))
	if t == nil {
		h.renderError(w, r, http.StatusNotFound)
		return
	}
	p := plan{typ: t, in: triage.Input{Types: []string{t.ID}, At: h.now(), Lang: requestLang(r)}}
	res, err := h.engine.Triage(p.in)
	if err != nil {
		h.log.Error("triage a chosen type", "type", t.ID, "err", err)
		h.renderError(w, r, http.StatusInternalServerError)
		return
	}
	h.render(w, r, http.StatusOK, "result.html", h.resultPage(r, p, res))
}

func (h *handler) resultPage(r *http.Request, p plan, res *triage.Result) resultPage {
	rp := resultPage{page: newPage(r, "result.title"), Text: p.text, Minor: p.in.Context.Minor, Result: res, CanSave: h.store != nil}
	if r.Method == http.MethodPost {
		rp.switchByPost("/triage", r.PostForm, []string{"text", "type", "minor"}, "a.")
	}
	if p.typ != nil {
		rp.TypeID, rp.ChosenType = p.typ.ID, p.typ.Plain.In(rp.Lang)
	}
	if at, err := h.parseTime(res.At); err == nil {
		rp.AtText = timeText(at, rp.Lang)
	}
	for _, when := range kb.Whens {
		g := stepGroup{When: when, Title: rp.T("when." + when)}
		for _, s := range res.Steps {
			if s.When == when {
				g.Steps = append(g.Steps, s)
			}
		}
		if len(g.Steps) > 0 {
			rp.Groups = append(rp.Groups, g)
		}
	}
	for _, q := range res.Questions {
		f := questionField{Question: q, Name: "a." + q.ID}
		for _, o := range q.Options {
			if o.Value == "unknown" {
				continue // the choice added below says the same
			}
			f.Choices = append(f.Choices, choice{Value: o.Value, Label: o.Label, Checked: o.Value == q.Answer})
			if o.Value == q.Answer {
				rp.Answered = append(rp.Answered, answered{q.Text, o.Label})
			}
		}
		f.Choices = append(f.Choices, choice{Label: rp.T("result.unknown"), Checked: q.Answer == ""})
		rp.Questions = append(rp.Questions, f)
	}
	sort.SliceStable(rp.Questions, func(i, j int) bool { return !rp.Questions[i].Assumed && rp.Questions[j].Assumed })
	rp.Desks = h.deskCards(res.Desks, rp.Lang)
	rp.Summary = rp.summary(res)
	rp.DeskIDs, rp.StepIDs = strings.Join(deskIDs(res), ","), strings.Join(stepIDs(res), ",")
	if res.Emergency.Active {
		crisis := h.emergencyDesks(res)
		for _, d := range rp.Desks {
			if !slices.Contains(crisis, d.ID) {
				continue // a chat about the trouble itself is no help in a crisis
			}
			for _, l := range d.LineCards {
				if l.Kind == "chat" || l.Kind == "line" {
					rp.Chats = append(rp.Chats, l)
				}
			}
		}
		// Chats that answer now come first; the others say when they do.
		slices.SortStableFunc(rp.Chats, func(a, b lineCard) int { return openRank(a.OpenNow) - openRank(b.OpenNow) })
	}
	return rp
}

// openRank orders open before unknown before closed.
func openRank(open *bool) int {
	switch {
	case open == nil:
		return 1
	case *open:
		return 0
	}
	return 2
}

// emergencyDesks is the desks of the emergency that res raised.
func (h *handler) emergencyDesks(res *triage.Result) []string {
	for _, e := range h.kb.Emergency {
		if e.ID != res.Emergency.Kind {
			continue
		}
		if res.Minor && len(e.MinorDesks) > 0 {
			return e.MinorDesks
		}
		return e.Desks
	}
	return nil
}

func (rp *resultPage) summary(res *triage.Result) summary {
	var s summary
	if len(res.Types) > 0 {
		s.Trouble, s.OtherTypes = res.Types[0].Plain, len(res.Types)-1
	}
	if rp.ChosenType != "" {
		s.Trouble, s.OtherTypes = rp.ChosenType, 0
	}
	if len(res.Steps) > 0 {
		s.First = &res.Steps[0]
	}
	if len(res.DontDetails) > 0 {
		s.Dont = &res.DontDetails[0]
	}
	for i := range rp.Desks {
		if rp.Desks[i].Tel != "" {
			s.Call = &rp.Desks[i]
			break
		}
	}
	return s
}
