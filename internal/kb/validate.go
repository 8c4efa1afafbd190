package kb

import (
	"fmt"
	"net/mail"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kakekomi/kakekomi/internal/corpus"
	"github.com/kakekomi/kakekomi/internal/hours"
	"github.com/kakekomi/kakekomi/internal/jatext"
)

// TaxonomyTypes are the trouble type ids of the taxonomy. The knowledge base
// may add types; it must not rename or drop these.
var TaxonomyTypes = []string{
	"account_takeover", "phishing", "banking_fraud", "card_fraud", "online_shop_fraud",
	"auction_fraud", "mail_order_trouble", "cross_border_trouble", "fictitious_billing",
	"one_click_fraud", "billing_screen_malware", "paid_site_overbilling", "sakura_site_fraud",
	"sextortion", "intimate_image_leak", "defamation", "personal_info_exposure", "cyberbullying",
	"threats_stalking", "child_luring", "impersonation", "spam_mail", "malware_infection",
	"fake_security_software", "support_scam", "investment_romance_scam", "side_job_scam",
	"court_notice", "illegal_content_report", "sns_account_help",
}

// TaxonomyDesks are the desk ids of the taxonomy.
var TaxonomyDesks = []string{
	"police_110", "crisis_line", "police_9110", "police_cyber_desk", "local_police_station",
	"consumer_hotline_188", "ccj", "ipa_anshin", "antiphishing", "internet_hotline_center",
	"moj_internet_human_rights", "moj_jinken_110", "moj_women_hotline", "moj_children_110",
	"houterasu", "bar_association", "dekyo_spam_center", "nissankyo", "jadma_110", "childline",
	"mext_24h_sos", "tokyo_kotaeru", "service_provider", "financial_institution",
	"auction_operator", "summary_court", "tokyo_kurashi_web", "iajapan_hotline_council",
	"ihaho", "sia_slander_hotline",
}

// CheckerPhraseIDs are the phrase groups of checker.yaml that the message
// checker's rules name: the knowledge base may add groups, not drop these.
var CheckerPhraseIDs = []string{"pressure", "credential_request", "courier_notice", "fictitious_billing", "one_click", "sakura_bait", "dating_bait", "support_scam"}

// ContextKeys are the answers a triage context supplies without a question.
var ContextKeys = map[string][]string{
	"minor":      {"yes", "no"},
	"prefecture": nil, // any prefecture name
}

var (
	idPattern   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	pageDate    = regexp.MustCompile(`^(\d{4}(-\d{2}(-\d{2})?)?|undated)$`)
	seedPattern = regexp.MustCompile(`^seed:S[0-4]$`)
	channelKind = map[string]bool{"phone": true, "email": true, "web_form": true, "line": true, "chat": true, "letter": true}
	statuses    = map[Status]bool{Confirmed: true, Updated: true, PublicOnly: true, SeedOnly: true}
	brandKinds  = map[string]bool{"bank": true, "card": true, "shop": true, "carrier": true, "courier": true, "public": true, "service": true, "payment": true}
)

func validate(k *KB, l *loader, hols []Holiday) {
	if !datePattern.MatchString(k.Version) {
		l.add("kb.yaml", "version %q must be a date YYYY-MM-DD", k.Version)
	}
	for _, id := range TaxonomyTypes {
		if k.types[id] == nil {
			l.add("types/"+id+".yaml", "taxonomy type %q is missing", id)
		}
	}
	for _, id := range TaxonomyDesks {
		if k.desks[id] == nil {
			l.add("desks/"+id+".yaml", "taxonomy desk %q is missing", id)
		}
	}
	v := validator{k: k, l: l}
	v.deskRefs("kb.yaml", "general", k.General)
	v.deskRefs("kb.yaml", "minor_desks", k.MinorDesks)
	v.signals("kb.yaml: minor_signals", k.MinorSignals)
	for _, q := range k.Questions {
		v.question(q)
	}
	for _, s := range k.Steps {
		v.step("steps.yaml", s)
	}
	for _, d := range k.Donts {
		f := "donts.yaml: " + d.ID
		v.id("donts.yaml", d.ID)
		v.text(f, "text", d.Text, true)
		v.text(f, "why", d.Why, true)
		v.cond(f, d.Cond)
	}
	defaults := 0
	for _, e := range k.Emergency {
		v.emergency(e)
		if e.Default {
			defaults++
		}
	}
	if defaults != 1 {
		v.l.add("emergency.yaml", "exactly one kind must be the default, %d are", defaults)
	}
	for _, d := range k.Desks {
		v.desk(d)
	}
	for _, t := range k.Types {
		v.trouble(t)
	}
	for _, b := range k.Brands {
		v.brand(b)
	}
	v.publishers()
	v.groups()
	v.checker()
	v.holidays(k.HolidayYears, hols)
	v.models()
}

// groups checks that every trouble type is in exactly one group.
func (v validator) groups() {
	in := map[string]string{}
	for _, g := range v.k.Groups {
		f := "kb.yaml: group " + g.ID
		v.id("kb.yaml", g.ID)
		v.text(f, "name", g.Name, true)
		for _, id := range g.Desks {
			v.deskRef(f, id)
		}
		for _, id := range g.Types {
			if v.k.types[id] == nil {
				v.l.add(f, "unknown trouble type %q", id)
			}
			if other, ok := in[id]; ok {
				v.l.add(f, "type %q is also in group %q", id, other)
			}
			in[id] = g.ID
		}
	}
	for _, t := range v.k.Types {
		if _, ok := in[t.ID]; !ok {
			v.l.add("kb.yaml", "type %q is in no group", t.ID)
		}
	}
}

// publishers checks that every host is named once, in both languages.
func (v validator) publishers() {
	seen := map[string]bool{}
	for _, p := range v.k.Publishers {
		f := "publishers.yaml: " + p.Host
		if p.Host == "" || strings.ContainsAny(p.Host, "/ ") || strings.HasPrefix(p.Host, "www.") {
			v.l.add("publishers.yaml", "host %q must be a bare host such as moj.go.jp (no www., no path) or a seed", p.Host)
		}
		if seen[p.Host] {
			v.l.add(f, "host listed twice")
		}
		seen[p.Host] = true
		v.text(f, "name", p.Name, true)
	}
}

// models checks that the trained models know exactly the knowledge base's
// trouble types, so that a type added to the data is not silently never
// found: adding one needs labelled examples and `kakekomi kb train`.
func (v validator) models() {
	if m := v.k.TypeModel; m != nil {
		known := map[string]bool{corpus.None: true}
		for _, t := range v.k.Types {
			known[t.ID] = true
			if !slices.Contains(m.Labels, t.ID) {
				v.l.add("models/types.bin", "type %q has no examples in the model: add labelled texts and run `kakekomi kb train`", t.ID)
			}
		}
		for _, l := range m.Labels {
			if !known[l] {
				v.l.add("models/types.bin", "label %q is not a trouble type of the knowledge base", l)
			}
		}
	}
	if m := v.k.MessageModel; m != nil {
		for _, l := range m.Labels {
			if !slices.Contains(corpus.MessageLabels, l) {
				v.l.add("models/messages.bin", "label %q is none of %v", l, corpus.MessageLabels)
			}
		}
		if !slices.Contains(m.Labels, "phishing") || !slices.Contains(m.Labels, "legit") {
			v.l.add("models/messages.bin", "labels %v lack phishing or legit", m.Labels)
		}
	}
	if m := v.k.EmergencyModel; m != nil {
		if !slices.Equal(m.Labels, []string{"no", "yes"}) {
			v.l.add("models/emergency.bin", "labels must be no and yes, not %v", m.Labels)
		}
		if t := m.Params["threshold"]; t <= 0 || t >= 1 {
			v.l.add("models/emergency.bin", "threshold %v must be in (0, 1)", t)
		}
		if t := m.Params["veto"]; t < 0 || t >= m.Params["threshold"] {
			v.l.add("models/emergency.bin", "veto %v must be in [0, threshold)", t)
		}
	}
}

type validator struct {
	k *KB
	l *loader
}

func (v validator) id(file, id string) {
	if !idPattern.MatchString(id) {
		v.l.add(file, "id %q must be lower case letters, digits and _", id)
	}
}

func (v validator) text(where, field string, t Text, needEN bool) {
	if strings.TrimSpace(t.JA) == "" {
		v.l.add(where, "%s: Japanese text (ja) is empty", field)
	}
	if needEN && strings.TrimSpace(t.EN) == "" {
		v.l.add(where, "%s: English text (en) is empty", field)
	}
}

func (v validator) deskRef(where, id string) {
	if v.k.desks[id] == nil {
		v.l.add(where, "unknown desk %q", id)
	}
}

func (v validator) deskRefs(file, field string, refs []DeskRef) {
	for _, r := range refs {
		v.deskRef(file+": "+field, r.ID)
		v.text(file+": "+field+": "+r.ID, "reason", r.Reason, true)
		v.cond(file+": "+field+": "+r.ID, r.Cond)
	}
}

// cond checks that a condition names questions (or context keys) that exist
// and answers they can have.
func (v validator) cond(where string, c Cond) {
	check := func(part string, m map[string][]string) {
		for q, values := range m {
			allowed, isContext := ContextKeys[q]
			var question *Question
			if !isContext {
				question = v.k.questions[q]
				if question == nil {
					v.l.add(where, "%s: unknown question %q", part, q)
					continue
				}
				for _, o := range question.Options {
					allowed = append(allowed, o.Value)
				}
			}
			if allowed == nil {
				continue
			}
			for _, val := range values {
				if !contains(allowed, val) {
					v.l.add(where, "%s: question %q has no answer %q", part, q, val)
				}
			}
		}
	}
	check("if", c.If)
	check("unless", c.Unless)
}

func (v validator) question(q *Question) {
	where := "questions.yaml: " + q.ID
	v.id("questions.yaml", q.ID)
	if _, clash := ContextKeys[q.ID]; clash {
		v.l.add(where, "id is reserved for the triage context")
	}
	v.text(where, "text", q.Text, true)
	if len(q.Options) < 2 {
		v.l.add(where, "needs at least two options")
	}
	seen := map[string]bool{}
	for _, o := range q.Options {
		v.id(where, o.Value)
		if seen[o.Value] {
			v.l.add(where, "option %q is listed twice", o.Value)
		}
		seen[o.Value] = true
		v.text(where+": "+o.Value, "label", o.Label, true)
	}
}

func (v validator) step(file string, s *Step) {
	where := file + ": " + s.ID
	v.id(file, s.ID)
	if !contains(Whens, s.When) {
		v.l.add(where, "when %q must be one of now, today, soon, later", s.When)
	}
	v.text(where, "text", s.Text, true)
	v.text(where, "why", s.Why, false)
	if s.Desk != "" {
		v.deskRef(where, s.Desk)
	}
	for _, r := range s.Replaces {
		if v.k.steps[r] == nil || r == s.ID {
			v.l.add(where, "replaces unknown step %q", r)
		}
	}
	v.cond(where, s.Cond)
}

func (v validator) signals(where string, sigs []Signal) {
	if len(sigs) == 0 {
		v.l.add(where, "has no signals")
	}
	for i, s := range sigs {
		if len(s.Any) == 0 {
			v.l.add(where, "signal %d: any is empty", i+1)
		}
		for _, group := range s.All {
			if len(group) == 0 {
				v.l.add(where, "signal %d: an all group is empty", i+1)
			}
		}
		at := fmt.Sprintf("%s: signal %d", where, i+1)
		v.phrases(at, s.Any)
		v.phrases(at, s.None)
		for _, group := range s.All {
			v.phrases(at, group)
		}
		if s.Weight <= 0 || s.Weight > 1 {
			v.l.add(where, "signal %d (%s): weight %v must be in (0, 1]", i+1, strings.Join(s.Any, "|"), s.Weight)
		}
	}
}

// phrases reports the phrases that fold to nothing, which would be found
// in every text.
func (v validator) phrases(where string, ps []string) {
	for _, p := range ps {
		if jatext.Phrase(p) == "" {
			v.l.add(where, "phrase %q is empty once folded", p)
		}
	}
}

func (v validator) emergency(e *EmergencyKind) {
	where := "emergency.yaml: " + e.ID
	v.id("emergency.yaml", e.ID)
	v.text(where, "reason", e.Reason, true)
	if len(e.Signals) > 0 || len(e.ForTypes) == 0 {
		v.signals(where, e.Signals)
	}
	for _, t := range e.ForTypes {
		if v.k.types[t] == nil {
			v.l.add(where, "for_types names an unknown type %q", t)
		}
	}
	if len(e.Desks) == 0 {
		v.l.add(where, "needs at least one desk")
	}
	for _, d := range append(append([]string(nil), e.Desks...), e.MinorDesks...) {
		v.deskRef(where, d)
	}
	v.step("emergency.yaml", &e.Step)
	if e.Threshold <= 0 || e.Threshold > 1 {
		v.l.add(where, "threshold %v must be in (0, 1]", e.Threshold)
	}
}

func (v validator) trouble(t *Type) {
	file := v.l.fileOf[t]
	where := file
	if want := path.Base(file); want != t.ID+".yaml" {
		v.l.add(file, "id %q does not match the file name", t.ID)
	}
	v.id(file, t.ID)
	v.text(where, "label", t.Label, true)
	v.text(where, "plain", t.Plain, true)
	v.text(where, "description", t.Description, true)
	v.signals(where, t.Signals)
	for _, q := range t.Questions {
		if v.k.questions[q] == nil {
			v.l.add(where, "unknown question %q", q)
		}
	}
	if len(t.Steps) == 0 {
		v.l.add(where, "has no steps")
	}
	for _, s := range t.Steps {
		if v.k.steps[s] == nil {
			v.l.add(where, "unknown step %q", s)
		}
	}
	for _, d := range t.Donts {
		if v.k.donts[d] == nil {
			v.l.add(where, "unknown don't %q", d)
		}
	}
	if len(t.Evidence) == 0 {
		v.l.add(where, "lists no evidence to keep")
	}
	for i, e := range t.Evidence {
		v.text(where, "evidence "+strconv.Itoa(i+1), e, true)
	}
	if len(t.Desks) == 0 {
		v.l.add(where, "lists no desks")
	}
	v.deskRefs(file, "desks", t.Desks)
}

func (v validator) sources(where string, srcs []Source) {
	if len(srcs) == 0 {
		v.l.add(where, "has no source")
	}
	for _, s := range srcs {
		if strings.HasPrefix(s.URL, "seed:") {
			if !seedPattern.MatchString(s.URL) {
				v.l.add(where, "source %q: seeds are seed:S0 to seed:S4", s.URL)
			}
		} else if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.l.add(where, "source %q is not an http(s) address or seed:Sn", s.URL)
		}
		if _, err := time.Parse(time.DateOnly, s.Checked); err != nil {
			v.l.add(where, "source %q: checked %q is not a date YYYY-MM-DD", s.URL, s.Checked)
		}
		if s.Date != "" && !pageDate.MatchString(s.Date) {
			v.l.add(where, "source %q: date %q must be YYYY, YYYY-MM, YYYY-MM-DD or undated", s.URL, s.Date)
		}
	}
}

func (v validator) fact(where, field string, f *Fact) {
	if f == nil {
		return
	}
	v.text(where, field, f.Text, false)
	if !statuses[f.Status] {
		v.l.add(where, "%s: status %q must be confirmed, updated, public-only or seed-only", field, f.Status)
	}
	v.sources(where+": "+field, f.Sources)
}

func (v validator) desk(d *Desk) {
	file := v.l.fileOf[d]
	if want := path.Base(file); want != d.ID+".yaml" {
		v.l.add(file, "id %q does not match the file name", d.ID)
	}
	v.id(file, d.ID)
	v.text(file, "name", d.Name, true)
	v.text(file, "short", d.Short, true)
	if !statuses[d.Status] {
		v.l.add(file, "status %q must be confirmed, updated, public-only or seed-only", d.Status)
	}
	v.fact(file, "handles", &d.Handles)
	v.fact(file, "not_handled", d.NotHandled)
	v.fact(file, "url", d.URL)
	if d.URL != nil {
		if u, err := url.Parse(d.URL.Text.JA); err != nil || u.Host == "" {
			v.l.add(file, "url %q is not an address", d.URL.Text.JA)
		}
	}
	v.fact(file, "eligibility", d.Eligibility)
	v.fact(file, "fees", d.Fees)
	for i := range d.Cautions {
		v.fact(file, "cautions", &d.Cautions[i])
	}
	for i := range d.Notes {
		v.fact(file, "notes", &d.Notes[i])
	}
	for _, r := range d.Refer {
		v.deskRef(file+": refer", r)
	}
	for i, b := range d.Bring {
		v.text(file, "bring "+strconv.Itoa(i+1), b, false)
	}
	for _, c := range d.Channels {
		v.channel(file, c)
	}
}

// phonePattern accepts numbers as published and dialled: 110, #9110, 188,
// 03-5978-7509, 0120-0-78310, 0570-078374.
var phonePattern = regexp.MustCompile(`^(#?[0-9]{3,4}|0[0-9]{1,4}(-[0-9]{1,6}){1,2})$`)

func (v validator) channel(file string, c Channel) {
	where := file + ": channel " + c.Kind + " " + c.Value
	if !channelKind[c.Kind] {
		v.l.add(where, "kind %q must be phone, email, web_form, line, chat or letter", c.Kind)
	}
	if strings.TrimSpace(c.Value) == "" {
		v.l.add(where, "value is empty")
	}
	switch c.Kind {
	case "phone":
		if !phonePattern.MatchString(c.Value) {
			v.l.add(where, "phone %q must be digits with hyphens as dialled, e.g. 03-5978-7509, 188 or #9110", c.Value)
		}
	case "email":
		if _, err := mail.ParseAddress(c.Value); err != nil {
			v.l.add(where, "e-mail %q is not an address", c.Value)
		}
	case "web_form", "chat":
		if u, err := url.Parse(c.Value); err != nil || u.Host == "" {
			v.l.add(where, "%q is not an address", c.Value)
		}
	}
	if !statuses[c.Status] {
		v.l.add(where, "status %q must be confirmed, updated, public-only or seed-only", c.Status)
	}
	v.sources(where, c.Sources)
	if h := c.Hours; h != nil {
		if _, err := hours.Parse(h.Spec); err != nil {
			v.l.add(where, "hours: %v", err)
		}
		v.text(where, "hours text", h.Text, false)
		if !statuses[h.Status] {
			v.l.add(where, "hours: status %q must be confirmed, updated, public-only or seed-only", h.Status)
		}
		if !h.Reliable && h.Why == "" {
			v.l.add(where, "hours: unreliable hours need a why")
		}
		v.sources(where+": hours", h.Sources)
	}
}

func (v validator) brand(b *Brand) {
	where := "brands.yaml: " + b.ID
	v.id("brands.yaml", b.ID)
	v.text(where, "name", b.Name, false)
	if !brandKinds[b.Kind] {
		v.l.add(where, "kind %q is not one of bank, card, shop, carrier, courier, public, service, payment", b.Kind)
	}
	if len(b.Names) == 0 || len(b.Domains) == 0 {
		v.l.add(where, "needs names and domains")
	}
	for _, d := range b.Domains {
		if d != strings.ToLower(d) || strings.ContainsAny(d, "/: ") || !strings.Contains(d, ".") {
			v.l.add(where, "domain %q must be a lower-case host name such as amazon.co.jp", d)
		}
	}
	if len(b.Sources) > 0 {
		v.sources(where, b.Sources)
	}
}

// checker checks the message checker's phrase groups and denials.
func (v validator) checker() {
	const file = "checker.yaml"
	if len(v.k.MessagePhrases) == 0 {
		v.l.add(file, "has no phrase groups")
	}
	seen := map[string]bool{}
	for _, g := range v.k.MessagePhrases {
		where := file + ": " + g.ID
		v.id(file, g.ID)
		if seen[g.ID] {
			v.l.add(file, "phrase group id %q is used twice", g.ID)
		}
		seen[g.ID] = true
		if !slices.Contains(PhraseClasses, g.Class) {
			v.l.add(where, "class %q must be one of %s", g.Class, strings.Join(PhraseClasses, ", "))
		}
		if g.Weight <= 0 || g.Weight > 1 {
			v.l.add(where, "weight %v must be in (0, 1]", g.Weight)
		}
		if g.Type != "" && v.k.types[g.Type] == nil {
			v.l.add(where, "type %q is not a trouble type", g.Type)
		}
		if len(g.Any) == 0 && len(g.All) == 0 {
			v.l.add(where, "any and all are both empty")
		}
		v.phrases(where+": any", g.Any)
		for i, list := range g.All {
			if len(list) == 0 {
				v.l.add(where, "all: list %d is empty", i+1)
			}
			v.phrases(fmt.Sprintf("%s: all %d", where, i+1), list)
		}
		v.text(where, "text", g.Text, true)
		for _, t := range []string{g.Text.JA, g.Text.EN} {
			if strings.Count(t, "%s") != 1 || strings.Count(t, "%") != 1 {
				v.l.add(where, "text %q must hold %%s once, for the words found, and no other %%", t)
			}
		}
	}
	for _, id := range CheckerPhraseIDs {
		if !seen[id] {
			v.l.add(file, "phrase group %q is missing: the checker's rules name it", id)
		}
	}
	if len(v.k.MessageDenials) == 0 {
		v.l.add(file, "denials is empty")
	}
	v.phrases(file+": denials", v.k.MessageDenials)
}

func (v validator) holidays(years [2]int, hols []Holiday) {
	if years[0] < 2000 || years[1] < years[0] {
		v.l.add("holidays.yaml", "years %v must be [first, last]", years)
	}
	perYear := map[int]int{}
	for _, h := range hols {
		d, err := time.Parse(time.DateOnly, h.Date)
		if err != nil {
			v.l.add("holidays.yaml", "date %q is not YYYY-MM-DD", h.Date)
			continue
		}
		if d.Year() < years[0] || d.Year() > years[1] {
			v.l.add("holidays.yaml", "%s lies outside the years %v", h.Date, years)
		}
		if strings.TrimSpace(h.Name) == "" {
			v.l.add("holidays.yaml", "%s has no name", h.Date)
		}
		perYear[d.Year()]++
	}
	for y := years[0]; y <= years[1]; y++ {
		if perYear[y] < 16 {
			v.l.add("holidays.yaml", "%d has %d holidays; Japan has at least 16 a year", y, perYear[y])
		}
	}
}
