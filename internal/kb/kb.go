// Package kb holds kakekomi's knowledge base: trouble types, desks, follow-up
// questions, shared steps and don'ts, emergency signals, brands, the message
// checker's phrases and Japanese holidays. The knowledge base is data: YAML
// files embedded from data/, decoded strictly (an unknown key is an error)
// and validated as a whole, so that a counsellor can correct a phone number
// without touching Go code.
package kb

import (
	"net/url"
	"strings"
	"time"

	"github.com/kakekomi/kakekomi/internal/classify"
	"github.com/kakekomi/kakekomi/internal/hours"
)

// Text is a sentence in Japanese and English. Japanese is always present;
// English may fall back to Japanese where a counsellor has not written it yet.
type Text struct {
	JA string `yaml:"ja" json:"ja"`
	EN string `yaml:"en,omitempty" json:"en,omitempty"`
}

// In returns the text in lang ("ja" or "en"), falling back to Japanese.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.JA
}

// Status says how well a desk fact is supported by its sources, as in the
// desks reference: confirmed (a seed and a public page agree), updated (a
// public page corrected the seed), public-only, or seed-only.
type Status string

// Fact statuses.
const (
	Confirmed  Status = "confirmed"
	Updated    Status = "updated"
	PublicOnly Status = "public-only"
	SeedOnly   Status = "seed-only"
)

// NeedsCaution reports whether a fact with this status must be shown with a
// caution: it rests on a single undated seed document.
func (s Status) NeedsCaution() bool { return s == SeedOnly }

// Source is where a fact comes from and when it was last checked.
type Source struct {
	URL     string `yaml:"url" json:"url"`                       // a web address, or "seed:S0".."seed:S4"
	Kind    string `yaml:"kind,omitempty" json:"kind,omitempty"` // official, police, court, local-gov, news, third-party, seed
	Date    string `yaml:"date,omitempty" json:"date,omitempty"` // the date the page shows, YYYY-MM-DD or YYYY-MM, or "undated"
	Checked string `yaml:"checked" json:"checked"`               // YYYY-MM-DD the fact was last checked against it
}

// Fact is one sourced statement about a desk.
type Fact struct {
	Text    Text     `yaml:"text" json:"text"`
	Status  Status   `yaml:"status" json:"status"`
	Sources []Source `yaml:"sources" json:"sources"`
}

// Channel is one way to reach a desk: a phone line, an e-mail address, a web
// form, a LINE account, a chat or a letter.
type Channel struct {
	Kind    string   `yaml:"kind" json:"kind"`                     // phone, email, web_form, line, chat, letter
	Label   Text     `yaml:"label,omitempty" json:"label"`         // which line, e.g. いのちの電話・フリーダイヤル
	Value   string   `yaml:"value" json:"value"`                   // the number, address, URL or account id
	Free    bool     `yaml:"free,omitempty" json:"free"`           // calling or using it costs nothing
	Cost    Text     `yaml:"cost,omitempty" json:"cost"`           // who pays what
	IPPhone Text     `yaml:"ip_phone,omitempty" json:"ip_phone"`   // limits for IP phones, 050 numbers, PHS
	Hours   *Hours   `yaml:"hours,omitempty" json:"hours"`         // nil: no hours (replies on working days)
	Status  Status   `yaml:"status" json:"status"`                 // of the value itself
	Sources []Source `yaml:"sources" json:"sources"`               // of the value itself
	Note    Text     `yaml:"note,omitempty" json:"note,omitempty"` // e.g. 16時〜18時はつながりにくい
	// Prefecture limits the channel to people in one prefecture (e.g. the
	// Tokyo police's line); such a line is listed but never the desk's
	// main number.
	Prefecture string `yaml:"prefecture,omitempty" json:"prefecture,omitempty"`
}

// Hours are the opening hours of a channel: the words to show, the machine
// form in the grammar of the desks reference (see package hours), and whether
// the reference trusts them enough to say "open now".
type Hours struct {
	Text     Text     `yaml:"text" json:"text"`
	Spec     string   `yaml:"spec" json:"spec"`
	Reliable bool     `yaml:"reliable" json:"reliable"`
	Why      string   `yaml:"why,omitempty" json:"why,omitempty"` // why they are not reliable
	Status   Status   `yaml:"status" json:"status"`
	Sources  []Source `yaml:"sources" json:"sources"`

	schedule *hours.Schedule
}

// Schedule returns Spec parsed, once when the knowledge base was loaded, or
// nil when it does not parse (Load names that as a problem).
func (h *Hours) Schedule() *hours.Schedule { return h.schedule }

// Desk is a place to turn to: a hotline, an office, a web form, or the
// user's own bank or service.
type Desk struct {
	ID          string    `yaml:"id"`
	Name        Text      `yaml:"name"`
	Short       Text      `yaml:"short"` // a short everyday name, e.g. 消費者ホットライン188
	Operator    Text      `yaml:"operator,omitempty"`
	Status      Status    `yaml:"status"` // desk_status of the reference
	Handles     Fact      `yaml:"handles"`
	NotHandled  *Fact     `yaml:"not_handled,omitempty"`
	Refer       []string  `yaml:"refer,omitempty"` // desks named in not_handled
	URL         *Fact     `yaml:"url,omitempty"`   // Text.JA holds the address
	Channels    []Channel `yaml:"channels"`
	Eligibility *Fact     `yaml:"eligibility,omitempty"`
	Bring       []Text    `yaml:"bring,omitempty"`
	Fees        *Fact     `yaml:"fees,omitempty"`
	Cautions    []Fact    `yaml:"cautions,omitempty"`
	Notes       []Fact    `yaml:"notes,omitempty"`
	NotVerified string    `yaml:"not_verified,omitempty"` // what the reference could not check (English, for maintainers)
	Minors      bool      `yaml:"minors,omitempty"`       // meant for children and young people
	Prefecture  string    `yaml:"prefecture,omitempty"`   // only for people in this prefecture (e.g. 東京都)

	sources []Source
}

// Sources returns the sources of the desk's facts that people are shown
// (what it handles and does not, its address, eligibility, fees, cautions,
// channels and hours, not the maintainers' notes), each address and checked
// date once, ordered by address and date. They are gathered once, when the
// knowledge base loads.
func (d *Desk) Sources() []Source { return d.sources }

// Phone returns the desk's first phone channel, or nil.
func (d *Desk) Phone() *Channel {
	for i := range d.Channels {
		if d.Channels[i].Kind == "phone" {
			return &d.Channels[i]
		}
	}
	return nil
}

// Channel returns the desk's first channel of the kind, or nil.
func (d *Desk) Channel(kind string) *Channel {
	for i := range d.Channels {
		if d.Channels[i].Kind == kind {
			return &d.Channels[i]
		}
	}
	return nil
}

// Cond limits a step, don't or desk to some answers. If lists, per question,
// the answers that make the item apply; Unless lists answers that remove it.
// An item with an If condition applies only once that question is answered
// with one of the values; Unless never hides an item for an unanswered
// question. The context of a triage takes part as answers too: "minor"
// ("yes"/"no") and "prefecture" (see package triage).
type Cond struct {
	If     map[string][]string `yaml:"if,omitempty"`
	Unless map[string][]string `yaml:"unless,omitempty"`
}

// Holds reports whether the condition holds for the answers.
func (c Cond) Holds(answers map[string]string) bool {
	for q, values := range c.If {
		a, ok := answers[q]
		if !ok || !contains(values, a) {
			return false
		}
	}
	for q, values := range c.Unless {
		if a, ok := answers[q]; ok && contains(values, a) {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Step is one thing to do.
type Step struct {
	ID   string `yaml:"id"`
	When string `yaml:"when"` // now, today, soon, later
	Text Text   `yaml:"text"`
	Why  Text   `yaml:"why"`
	Desk string `yaml:"desk,omitempty"`
	// Replaces names steps this one stands for in a plan, such as a
	// phishing-specific "stop the card" for the general one.
	Replaces []string `yaml:"replaces,omitempty"`
	Cond     `yaml:",inline"`
}

// Whens lists the step urgencies, most urgent first.
var Whens = []string{"now", "today", "soon", "later"}

// Dont is one thing never to do, with the reason.
type Dont struct {
	ID   string `yaml:"id"`
	Text Text   `yaml:"text"`
	Why  Text   `yaml:"why"`
	Cond `yaml:",inline"`
}

// DeskRef names a desk for a trouble type, with the reason it fits.
type DeskRef struct {
	ID     string `yaml:"id"`
	Reason Text   `yaml:"reason"`
	Cond   `yaml:",inline"`
}

// Signal is evidence in a description for a trouble type (or an emergency).
// It matches when the normalised text contains one of Any and, where All is
// given, also one phrase of every group in All; None vetoes it. Phrases are
// written as a person would write them; package triage folds width, kana,
// case and okurigana on both sides before comparing.
type Signal struct {
	Any    []string   `yaml:"any"`
	All    [][]string `yaml:"all,omitempty"`
	None   []string   `yaml:"none,omitempty"`
	Weight float64    `yaml:"weight"`
}

// Type is a kind of internet trouble.
type Type struct {
	ID          string    `yaml:"id"`
	Label       Text      `yaml:"label"`       // the taxonomy's name
	Plain       Text      `yaml:"plain"`       // in everyday words, for the list on the home page
	Description Text      `yaml:"description"` // two or three sentences: what happened, how it usually goes
	Signals     []Signal  `yaml:"signals"`
	Questions   []string  `yaml:"questions,omitempty"` // ids from questions.yaml, most useful first
	Steps       []string  `yaml:"steps"`               // ids from steps.yaml or StepDefs
	Donts       []string  `yaml:"donts"`               // ids from donts.yaml or DontDefs
	StepDefs    []*Step   `yaml:"step_defs,omitempty"` // steps only this type needs
	DontDefs    []*Dont   `yaml:"dont_defs,omitempty"` // don'ts only this type needs
	Evidence    []Text    `yaml:"evidence"`
	Desks       []DeskRef `yaml:"desks"` // priority order
	Letters     []string  `yaml:"letters,omitempty"`
}

// Option is one answer to a question.
type Option struct {
	Value string `yaml:"value"`
	Label Text   `yaml:"label"`
	// Signals are phrases that, found in the description, answer the
	// question with this option until the person answers it themselves.
	Signals []string `yaml:"signals,omitempty"`
}

// Question is a follow-up question whose answer changes the plan.
type Question struct {
	ID      string   `yaml:"id"`
	Text    Text     `yaml:"text"`
	Options []Option `yaml:"options"`
}

// EmergencyKind is one kind of emergency: its signals, the desks that must
// come first and the first step.
type EmergencyKind struct {
	ID         string   `yaml:"id"`
	Reason     Text     `yaml:"reason"` // shown in the banner
	Signals    []Signal `yaml:"signals"`
	Desks      []string `yaml:"desks"`                 // for adults, first first
	MinorDesks []string `yaml:"minor_desks,omitempty"` // for minors, if different
	Step       Step     `yaml:"step"`
	Threshold  float64  `yaml:"threshold"`
	MinorOnly  bool     `yaml:"minor_only,omitempty"` // only when the person in trouble is a child
	// ForTypes are the trouble types for which this kind is taken when the
	// learned emergency model, not a signal, raises the emergency. A kind
	// with no signals is raised that way only.
	ForTypes []string `yaml:"for_types,omitempty"`
	// Default marks the kind taken when the learned model raises an
	// emergency that no kind's ForTypes names.
	Default bool `yaml:"default,omitempty"`
}

// Brand is an organisation often impersonated in phishing, with the domains
// it really sends from and links to.
type Brand struct {
	ID      string   `yaml:"id"`
	Name    Text     `yaml:"name"`
	Kind    string   `yaml:"kind"`    // bank, card, shop, carrier, courier, public, service
	Names   []string `yaml:"names"`   // how messages name it: アマゾン, Amazon, AMAZON
	Domains []string `yaml:"domains"` // registrable domains, e.g. amazon.co.jp, and its own short-link hosts (amzn.asia)
	// SMSSenders are the sender names its genuine SMS show. A sender name
	// can be forged, so it never makes a message genuine; it only tells
	// which brand an SMS speaks for.
	SMSSenders []string `yaml:"sms_senders,omitempty"`
	// Sources say where the domains and senders were confirmed, and when.
	Sources []Source `yaml:"sources,omitempty"`
}

// PhraseGroup is a kind of wording that scam messages use, for the
// message checker. It matches when the text has one of Any (if given) and
// at least one phrase of every list in All; with UnlessDenied, a phrase
// counts only where its sentence does not deny it with one of the
// knowledge base's MessageDenials: real banks write
// 「暗証番号をお尋ねすることはありません」.
type PhraseGroup struct {
	ID           string     `yaml:"id"`
	Class        string     `yaml:"class"` // the verdict it speaks for, one of PhraseClasses
	Weight       float64    `yaml:"weight"`
	Type         string     `yaml:"type,omitempty"` // the trouble type the wording belongs to
	Any          []string   `yaml:"any,omitempty"`
	All          [][]string `yaml:"all,omitempty"`
	UnlessDenied bool       `yaml:"unless_denied,omitempty"`
	// Text says why the wording matters; %s stands for the words found.
	Text Text `yaml:"text"`
}

// PhraseClasses are the verdicts a phrase group may speak for: phishing,
// fraud, spam, or scam for phishing and fraud alike.
var PhraseClasses = []string{"scam", "phishing", "fraud", "spam"}

// Holiday is a Japanese national holiday (国民の祝日, 振替休日, 国民の休日).
type Holiday struct {
	Date string `yaml:"date"` // YYYY-MM-DD
	Name string `yaml:"name"`
}

// Group is a set of trouble types that people look up together.
type Group struct {
	ID    string   `yaml:"id"`
	Name  Text     `yaml:"name"`
	Types []string `yaml:"types"`
	// Desks come first in the group, before the desks of its types: the
	// crisis lines, which no single trouble names.
	Desks []string `yaml:"desks,omitempty"`
}

// Publisher names who published the pages of one host, or one seed.
type Publisher struct {
	Host string `yaml:"host"` // a host such as moj.go.jp, or seed:S0 to seed:S4
	Name Text   `yaml:"name"`
}

// KB is the whole knowledge base, validated and indexed.
type KB struct {
	Version      string
	Types        []*Type
	Desks        []*Desk
	Questions    []*Question
	Steps        []*Step
	Donts        []*Dont
	Emergency    []*EmergencyKind
	General      []DeskRef // desks to show when no trouble type is found
	MinorDesks   []DeskRef // desks added when the person in trouble is a child
	MinorSignals []Signal  // show that the person in trouble is a child (score >= 0.5)
	Brands       []*Brand
	Publishers   []*Publisher
	Groups       []*Group // every type in exactly one
	// MessagePhrases are the wordings the message checker looks for, in
	// order; MessageDenials the words with which real senders say what they
	// never ask for.
	MessagePhrases []*PhraseGroup
	MessageDenials []string
	Holidays       map[string]string // YYYY-MM-DD to name
	HolidayYears   [2]int            // first and last year covered
	// TypeModel ranks the trouble types of a description, with the label
	// "none" for a text that shows no trouble; EmergencyModel tells, with
	// labels "no" and "yes" and the param "threshold", whether a text shows
	// an emergency. Both are trained from the corpus by `kakekomi kb train`.
	// The models are read from their own files, never from a snapshot.
	TypeModel      *classify.Model `json:"-"`
	EmergencyModel *classify.Model `json:"-"`
	// MessageModel reads a suspicious message's words and the checker's
	// signals, with the labels phishing, fraud, spam and legit.
	MessageModel *classify.Model `json:"-"`

	types     map[string]*Type
	desks     map[string]*Desk
	questions map[string]*Question
	steps     map[string]*Step
	donts     map[string]*Dont
}

// PublisherOf returns who published the source at addr (a web address or
// a seed), by the longest listed host that addr's host ends with, or nil.
func (k *KB) PublisherOf(addr string) *Publisher {
	host := addr
	if !strings.HasPrefix(addr, "seed:") {
		u, err := url.Parse(addr)
		if err != nil {
			return nil
		}
		host = strings.TrimPrefix(u.Hostname(), "www.")
	}
	var best *Publisher
	for _, p := range k.Publishers {
		if (host == p.Host || strings.HasSuffix(host, "."+p.Host)) && (best == nil || len(p.Host) > len(best.Host)) {
			best = p
		}
	}
	return best
}

// Type returns the trouble type with the id, or nil.
func (k *KB) Type(id string) *Type { return k.types[id] }

// Desk returns the desk with the id, or nil.
func (k *KB) Desk(id string) *Desk { return k.desks[id] }

// Question returns the question with the id, or nil.
func (k *KB) Question(id string) *Question { return k.questions[id] }

// Step returns the shared step with the id, or nil.
func (k *KB) Step(id string) *Step { return k.steps[id] }

// Dont returns the shared don't with the id, or nil.
func (k *KB) Dont(id string) *Dont { return k.donts[id] }

// IsHoliday reports whether the date (in Japan) is a national holiday, and
// its name.
func (k *KB) IsHoliday(t time.Time) (string, bool) {
	var buf [len(time.DateOnly)]byte // the key is made without an allocation: open-now asks for days ahead
	name, ok := k.Holidays[string(t.AppendFormat(buf[:0], time.DateOnly))]
	return name, ok
}
