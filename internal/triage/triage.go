// Package triage reads a description of internet trouble and tells which
// troubles it shows (several may apply), whether it is an emergency, and the
// plan: steps by urgency, don'ts, desks in order and what to keep.
package triage

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kakekomi/kakekomi/internal/desks"
	"github.com/kakekomi/kakekomi/internal/hours"
	"github.com/kakekomi/kakekomi/internal/kb"
	"github.com/kakekomi/kakekomi/internal/phrase"
)

// MaxTextRunes is the longest description accepted.
const MaxTextRunes = 10000

// At most maxTypes types are reported and maxDesks desks listed.
const (
	maxTypes     = 5
	maxDesks     = 8
	maxQuestions = 5
)

// Input errors. Callers map them to exit status 2 or HTTP 400.
var (
	ErrEmpty    = errors.New("the description is empty: write what happened")
	ErrTooLong  = fmt.Errorf("the description is longer than %d characters: shorten it", MaxTextRunes)
	ErrNotUTF8  = errors.New("the description is not valid UTF-8 text")
	ErrBadInput = errors.New("bad input")
)

// ErrorCode names an input error of Triage for programs: "empty",
// "too_long", "invalid_utf8" or "bad_input"; "internal" for anything else.
func ErrorCode(err error) string {
	switch {
	case errors.Is(err, ErrEmpty):
		return "empty"
	case errors.Is(err, ErrTooLong):
		return "too_long"
	case errors.Is(err, ErrNotUTF8):
		return "invalid_utf8"
	case errors.Is(err, ErrBadInput):
		return "bad_input"
	}
	return "internal"
}

// Context is what is known about the person beyond the description.
type Context struct {
	Minor      bool              `json:"minor,omitempty"`
	Prefecture string            `json:"prefecture,omitempty"`
	Answers    map[string]string `json:"answers,omitempty"`
	AmountJPY  int               `json:"amount_jpy,omitempty"`
	Emergency  bool              `json:"emergency,omitempty"`
}

// Input is one triage request.
type Input struct {
	ID      string
	Text    string
	At      time.Time // zero means now
	Context Context
	Lang    string // "ja" (default) or "en"
	// Types are trouble types the person chose from a list. They come
	// first, and the text may then be empty.
	Types []string
}

// Emergency says whether the description shows danger that comes before
// everything else.
type Emergency struct {
	Active bool   `json:"active"`
	Kind   string `json:"kind,omitempty"`
	Reason string `json:"reason"`
}

// TypeMatch is one trouble type found.
type TypeMatch struct {
	ID      string   `json:"id"`
	Label   string   `json:"label"`
	Plain   string   `json:"plain"`
	Score   float64  `json:"score"`
	Matched []string `json:"matched"`
}

// Option is one answer to a question.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// Question is a follow-up question; Answer is the answer given or read from
// the description (Assumed), if any.
type Question struct {
	ID      string   `json:"id"`
	Text    string   `json:"text"`
	Options []Option `json:"options"`
	Answer  string   `json:"answer,omitempty"`
	Assumed bool     `json:"assumed,omitempty"`
}

// Step is one thing to do.
type Step struct {
	ID   string `json:"id"`
	When string `json:"when"`
	Text string `json:"text"`
	Why  string `json:"why"`
	Desk string `json:"desk"`
}

// Dont is one thing never to do, and why.
type Dont struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	Why  string `json:"why"`
}

// Desk is a desk to turn to, with the reason for this case.
type Desk = desks.View

// Result is the triage object of the contract.
type Result struct {
	ID          string      `json:"id,omitempty"`
	KBVersion   string      `json:"kb_version"`
	At          string      `json:"at"`
	Lang        string      `json:"lang"`
	Minor       bool        `json:"minor"`
	Emergency   Emergency   `json:"emergency"`
	Types       []TypeMatch `json:"types"`
	Questions   []Question  `json:"questions"`
	Steps       []Step      `json:"steps"`
	Donts       []string    `json:"donts"`
	DontDetails []Dont      `json:"dont_details"`
	Desks       []Desk      `json:"desks"`
	Evidence    []string    `json:"evidence"`
}

type compiledType struct {
	t       *kb.Type
	signals []signal
}

type compiledEmergency struct {
	e       *kb.EmergencyKind
	signals []signal
}

type optionSignal struct {
	question, value string
	phrases         []int
}

// Engine triages descriptions against one knowledge base. It is safe for
// concurrent use.
type Engine struct {
	kb        *kb.KB
	ps        *phrase.Set
	types     []compiledType
	emergency []compiledEmergency
	options   []optionSignal
	minor     []signal
	// anyOf lists, by phrase id, the signals that have the phrase among
	// their Any; signals counts them.
	anyOf   [][]int
	signals int
	now     func() time.Time
}

// New compiles the knowledge base's phrases into an engine.
func New(k *kb.KB) *Engine {
	e := &Engine{kb: k, ps: phrase.New(phrase.Exact | phrase.Loose), now: time.Now}
	compile := func(sigs []kb.Signal) []signal {
		out := make([]signal, len(sigs))
		for i, s := range sigs {
			anyOf, noneOf := e.ps.AddAll(s.Any), e.ps.AddAll(s.None)
			var all [][]int
			for _, g := range s.All {
				all = append(all, e.ps.AddAll(g))
			}
			out[i] = e.signal(anyOf, noneOf, all, s.Weight)
		}
		return out
	}
	for _, t := range k.Types {
		e.types = append(e.types, compiledType{t: t, signals: compile(t.Signals)})
	}
	for _, em := range k.Emergency {
		e.emergency = append(e.emergency, compiledEmergency{e: em, signals: compile(em.Signals)})
	}
	for _, q := range k.Questions {
		for _, o := range q.Options {
			if len(o.Signals) > 0 {
				e.options = append(e.options, optionSignal{q.ID, o.Value, e.ps.AddAll(o.Signals)})
			}
		}
	}
	e.minor = compile(k.MinorSignals)
	return e
}

// KB returns the knowledge base the engine uses.
func (e *Engine) KB() *kb.KB { return e.kb }

// prefectures are the 47 prefectures of Japan.
var prefectures = strings.Fields(`北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県
	新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 奈良県 和歌山県
	鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県`)

// Prefecture returns the full name of a prefecture written with or without
// its 都, 道, 府 or 県 (東京 → 東京都), and whether it is one.
func Prefecture(name string) (string, bool) {
	name = strings.TrimSpace(name)
	for _, p := range prefectures {
		short := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(p, "都"), "府"), "県")
		if name == p || name == short {
			return p, true
		}
	}
	return "", false
}

// Check validates a description the way Triage does.
func Check(text string) error {
	if !utf8.ValidString(text) {
		return ErrNotUTF8
	}
	if strings.TrimSpace(text) == "" {
		return ErrEmpty
	}
	if utf8.RuneCountInString(text) > MaxTextRunes {
		return ErrTooLong
	}
	return nil
}

// checkAnswers rejects answers to questions the knowledge base does not
// ask, or answers a question does not offer.
func (e *Engine) checkAnswers(answers map[string]string) error {
	for q, a := range answers {
		question := e.kb.Question(q)
		if question == nil {
			return fmt.Errorf("%w: there is no question %q", ErrBadInput, q)
		}
		values := make([]string, len(question.Options))
		for i, o := range question.Options {
			values[i] = o.Value
		}
		if !slices.Contains(values, a) {
			return fmt.Errorf("%w: question %q has no answer %q; answer one of %s", ErrBadInput, q, a, strings.Join(values, ", "))
		}
	}
	return nil
}

// CaseDesks returns the desks for a saved case: its trouble types and the
// answers it was saved with, as they are at the moment at. The case's text
// is not read again: its types were found when it was saved.
func (e *Engine) CaseDesks(types []string, answers map[string]string, at time.Time, lang string) ([]Desk, error) {
	var ts []*kb.Type
	var scores []float64
	for _, id := range types {
		t := e.kb.Type(id)
		if t == nil {
			return nil, fmt.Errorf("desks of a case: %w: there is no trouble type %q", ErrBadInput, id)
		}
		ts, scores = append(ts, t), append(scores, 1)
	}
	if len(ts) == 0 {
		return []Desk{}, nil
	}
	return e.deskList(ts, scores, answers, false, nil, at, lang), nil
}

// Triage reads one description.
func (e *Engine) Triage(in Input) (*Result, error) {
	if err := Check(in.Text); err != nil && !(errors.Is(err, ErrEmpty) && len(in.Types) > 0) {
		return nil, err
	}
	for _, id := range in.Types {
		if e.kb.Type(id) == nil {
			return nil, fmt.Errorf("%w: there is no trouble type %q", ErrBadInput, id)
		}
	}
	if err := e.checkAnswers(in.Context.Answers); err != nil {
		return nil, err
	}
	if p := in.Context.Prefecture; p != "" {
		full, ok := Prefecture(p)
		if !ok {
			return nil, fmt.Errorf("%w: %q is not a prefecture of Japan; write it like 東京都 or 大阪府", ErrBadInput, p)
		}
		in.Context.Prefecture = full
	}
	lang := in.Lang
	if lang != "en" {
		lang = "ja"
	}
	at := in.At
	if at.IsZero() {
		at = e.now()
	}
	at = at.In(hours.Tokyo)
	h := e.scan(in.Text)
	defer h.Release()

	r := &Result{
		ID: in.ID, KBVersion: e.kb.Version, At: at.Format(time.RFC3339), Lang: lang,
		Types: []TypeMatch{}, Questions: []Question{}, Steps: []Step{}, Donts: []string{},
		DontDetails: []Dont{}, Desks: []Desk{}, Evidence: []string{},
	}
	minorScore := score(e.minor, h)
	r.Minor = in.Context.Minor || minorScore >= 0.5

	doc := e.doc(h)
	r.Types = slices.DeleteFunc(e.rankTypes(doc, lang), func(m TypeMatch) bool { return slices.Contains(in.Types, m.ID) })
	var chosen []TypeMatch
	for _, id := range in.Types {
		t := e.kb.Type(id)
		chosen = append(chosen, TypeMatch{ID: id, Label: t.Label.In(lang), Plain: t.Plain.In(lang), Score: 1, Matched: []string{}})
	}
	if len(chosen) > 0 {
		r.Types = append(chosen, r.Types...)
	}
	if len(r.Types) > maxTypes {
		r.Types = r.Types[:maxTypes]
	}

	em := e.emergencyOf(in.Text, h, r.Types, r.Minor, in.Context.Emergency)
	if em != nil {
		r.Emergency = Emergency{Active: true, Kind: em.ID, Reason: em.Reason.In(lang)}
	}

	answers, assumed := e.answers(in, h, r.Minor)
	e.plan(r, answers, assumed, em, at, lang)
	return r, nil
}

// emergencyScores scores each emergency kind's signals in h, in the
// order of e.emergency: once a text, for the signals and the model alike.
func (e *Engine) emergencyScores(h hits) []float64 {
	scores := make([]float64, len(e.emergency))
	for i, ce := range e.emergency {
		scores[i] = score(ce.signals, h)
	}
	return scores
}

// detectEmergency is the first kind whose signals reached its threshold.
func (e *Engine) detectEmergency(scores []float64, minor, forced bool) *kb.EmergencyKind {
	for i, ce := range e.emergency {
		if ce.e.MinorOnly && !minor {
			continue
		}
		if scores[i] >= ce.e.Threshold {
			return ce.e
		}
	}
	if forced && len(e.emergency) > 0 {
		// The person said so: take the general danger kind.
		for _, ce := range e.emergency {
			if ce.e.ID == "danger_now" {
				return ce.e
			}
		}
		return e.emergency[0].e
	}
	return nil
}

var amountPattern = regexp.MustCompile(`([0-9][0-9,]*(?:\.[0-9]+)?)\s*(万円|万|円)`)

// answers merges what the person answered with what the description tells
// (payment method, amount) and the context. Given answers win.
func (e *Engine) answers(in Input, h hits, minor bool) (map[string]string, map[string]bool) {
	answers := map[string]string{}
	assumed := map[string]bool{}
	// An answer is assumed only when the text points to one option of the
	// question: "card number and password" must not narrow the plan to one.
	found := map[string][]string{}
	for _, o := range e.options {
		if h.HasAny(o.phrases) {
			found[o.question] = append(found[o.question], o.value)
		}
	}
	for q, values := range found {
		if len(values) == 1 {
			answers[q] = values[0]
			assumed[q] = true
		}
	}
	amount := in.Context.AmountJPY
	if amount == 0 {
		amount = amountInText(h.Loose.String())
	}
	if amount > 0 {
		answers["amount"] = "upto_600k"
		if amount > 600000 {
			answers["amount"] = "over_600k"
		}
		assumed["amount"] = in.Context.AmountJPY == 0
	}
	for q, a := range in.Context.Answers {
		answers[q] = a
		delete(assumed, q)
	}
	answers["minor"] = "no"
	if minor {
		answers["minor"] = "yes"
	}
	if in.Context.Prefecture != "" {
		answers["prefecture"] = in.Context.Prefecture
	}
	return answers, assumed
}

// amountInText finds the largest sum of money in the folded text, in yen.
func amountInText(s string) int {
	best := 0
	if !strings.ContainsAny(s, "万円") { // most texts name no sum: spare them the regexp
		return 0
	}
	for _, m := range amountPattern.FindAllStringSubmatch(s, -1) {
		f, err := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", ""), 64)
		if err != nil {
			continue
		}
		if strings.HasPrefix(m[2], "万") {
			f *= 10000
		}
		if n := int(f); n > best && f < 1e12 {
			best = n
		}
	}
	return best
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }
