package mailcheck

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/kakekomi/kakekomi/internal/jatext"
	"github.com/kakekomi/kakekomi/internal/kb"
)

// message is what the checks read, whatever came in: a pasted text, a URL
// or a parsed mail.
type message struct {
	kind        string // text, url or mail
	body        string
	links       []link
	mail        *Mail
	fromHost    string // ASCII host of the From address
	replyHost   string
	attachments []Attachment
}

// judgement collects the signals about one message.
type judgement struct {
	c       *Checker
	m       *message
	signals []pending
	types   []string
	brand   *kb.Brand
	found   map[string][]string // phrase group id -> words found
}

// pending is a signal found but not yet put into words: it is written in
// the reader's language for the result and in Japanese for the report.
type pending struct {
	id     string
	class  class
	weight float64
	format localized // the signal's text
	args   []any     // for the verbs of format; localized ones are written per language
}

func (p pending) text(lang string) string {
	args := make([]any, len(p.args))
	for i, a := range p.args {
		if l, ok := a.(localized); ok {
			a = l.In(lang)
		}
		args[i] = a
	}
	return fmt.Sprintf(p.format.In(lang), args...)
}

// add records signal id once, with the arguments of its text.
func (j *judgement) add(id string, cl class, weight float64, args ...any) {
	for _, s := range j.signals {
		if s.id == id {
			return
		}
	}
	j.signals = append(j.signals, pending{id: id, class: cl, weight: weight, format: j.c.texts[id], args: args})
}

// phonePattern finds Japanese phone numbers in folded text (digits are
// ASCII after folding).
var phonePattern = regexp.MustCompile(`(?:\+81[- ]?|0)\d{1,4}[-‐−ー ()]{0,2}\d{1,4}[-‐−ー ()]{0,2}\d{3,4}`)

// assessment is what the rules read in a message, before any verdict.
type assessment struct {
	j        *judgement
	exact    *jatext.Folded // sender name, subject and body without links, folded keeping every kana
	phones   []string
	verified bool
}

// assess runs the rules over m.
func (c *Checker) assess(m *message) assessment {
	j := &judgement{c: c, m: m, found: map[string][]string{}}
	var sb strings.Builder
	if m.mail != nil {
		sb.WriteString(m.mail.FromName + "\n" + m.mail.Subject + "\n")
	}
	sb.WriteString(urlPattern.ReplaceAllString(m.body, " "))
	h := c.phrases.Scan(sb.String())
	defer h.Release()
	exact := h.Exact
	text := h.Loose.String()

	claimed := j.claimedBrands(text)
	if len(claimed) > 0 {
		j.brand = claimed[0]
	}
	for _, g := range c.groups {
		if found := c.match(g, h, text); found != nil {
			j.found[g.ID] = found
		}
	}
	j.senderSignals()
	official := j.linkSignals(claimed)
	phones := j.phones(text)
	j.phraseSignals(official)
	if len(phones) > 0 && (j.found["fictitious_billing"] != nil || j.found["support_scam"] != nil || j.found["pressure"] != nil || j.found["one_click"] != nil) {
		j.add("phone_in_threat", classAny, 0.4, wordList(phones))
	}
	for _, a := range m.attachments {
		if risky(a.Name, a.Type) {
			j.add("risky_attachment", classPhish, 0.6, a.Name)
		}
	}
	return assessment{j: j, exact: exact, phones: phones, verified: j.verified(claimed, official)}
}

func (c *Checker) judge(m *message, o Options) *Result {
	lang := "ja"
	if o.Lang == "en" {
		lang = "en"
	}
	a := c.assess(m)
	j, phones := a.j, a.phones
	verdict := a.learnedVerdict(j.verdict(a.verified))
	r := &Result{Verdict: verdict, Phones: phones, Attachments: m.attachments, Mail: m.mail}
	// Strongest reasons first: a person reads the first one or two.
	slices.SortStableFunc(j.signals, func(a, b pending) int {
		switch {
		case a.weight > b.weight:
			return -1
		case a.weight < b.weight:
			return 1
		}
		return 0
	})
	r.Signals = make([]Signal, len(j.signals))
	for i, s := range j.signals {
		r.Signals[i] = Signal{ID: s.id, Text: s.text(lang), Weight: s.weight}
	}
	var brandJA string
	if j.brand != nil {
		r.Brand, r.BrandName, brandJA = j.brand.ID, j.brand.Name.In(lang), j.brand.Name.JA
	}
	for _, l := range m.links {
		r.Links = append(r.Links, Link{URL: defang(l.raw), Domain: l.site, Text: l.text})
	}
	r.Types = j.resultTypes(r.Verdict)
	r.Advice = advice(r, j.found, lang)
	r.Report = report(r, m, brandJA, j.reasonsJA(5))
	return r
}

// claimedBrands returns the brands the message speaks for: those in the
// sender's display name first, then the owner of the sender's domain, then
// those its words name.
func (j *judgement) claimedBrands(text string) []*kb.Brand {
	x := j.c.brands
	var out []*kb.Brand
	if j.m.mail != nil {
		out = x.mentions(jatext.Phrase(j.m.mail.FromName))
		if j.m.fromHost != "" {
			for _, b := range x.owners(j.m.fromHost) {
				if !containsBrand(out, b) {
					out = append(out, b)
				}
			}
		}
	}
	for _, b := range x.mentions(text) {
		if !containsBrand(out, b) {
			out = append(out, b)
		}
	}
	return out
}

// senderSignals checks the From, Reply-To and authentication results.
func (j *judgement) senderSignals() {
	m := j.m
	if m.mail == nil {
		return
	}
	x := j.c.brands
	nameBrands := x.mentions(jatext.Phrase(m.mail.FromName))
	if len(nameBrands) > 0 && m.fromHost != "" {
		owned := false
		for _, b := range nameBrands {
			owned = owned || x.owns(b, m.fromHost)
		}
		if !owned {
			j.add("display_name_mismatch", classPhish, 0.8, m.mail.FromName, defangHost(m.mail.FromAddr), nameBrands[0].Name)
		}
	}
	if m.fromHost != "" && x.owners(m.fromHost) == nil {
		if b, how, sure := j.c.imitates(m.fromHost); b != nil {
			if j.brand == nil {
				j.brand = b
			}
			j.add("sender_lookalike", classPhish, weigh(sure, 0.9), defangHost(m.fromHost), b.Name, how)
		}
	}
	if m.replyHost != "" && m.fromHost != "" && site(m.replyHost) != site(m.fromHost) {
		j.add("reply_to_mismatch", classAny, 0.3, defangHost(m.replyHost))
	}
	auth := []struct{ name, value string }{{"DMARC", m.mail.DMARC}, {"SPF", m.mail.SPF}, {"DKIM", m.mail.DKIM}}
	var failed []string
	weight := 0.0
	for _, a := range auth {
		switch a.value {
		case "fail", "hardfail", "permerror":
			failed = append(failed, a.name)
			weight += map[string]float64{"DMARC": 0.6, "SPF": 0.3, "DKIM": 0.3}[a.name]
		case "softfail":
			failed = append(failed, a.name)
			weight += 0.2
		}
	}
	if len(failed) > 0 {
		j.add("auth_failed", classPhish, min(weight, 1.0), tr{strings.Join(failed, "・"), strings.Join(failed, ", ")})
	}
}

// linkSignals checks every link and returns whether all of them belong to
// a brand the message speaks for.
func (j *judgement) linkSignals(claimed []*kb.Brand) (official bool) {
	x := j.c.brands
	official = len(j.m.links) > 0 && len(claimed) > 0
	var foreign []string
	seen := map[string]bool{}
	for _, l := range j.m.links {
		ownedByClaimed := false
		for _, b := range claimed {
			ownedByClaimed = ownedByClaimed || x.owns(b, l.host)
		}
		official = official && ownedByClaimed
		if l.text != "" {
			if tl, ok := parseLink(l.text, ""); ok && strings.Contains(l.text, ".") && !strings.ContainsAny(l.text, " 　") && tl.site != l.site {
				j.add("link_text_mismatch", classPhish, 0.8, defangHost(l.text), defangHost(l.site))
			}
		}
		if seen[l.host] {
			continue
		}
		seen[l.host] = true
		if !ownedByClaimed && len(claimed) > 0 && !slices.Contains(foreign, defangHost(l.site)) {
			foreign = append(foreign, defangHost(l.site))
		}
		switch {
		case l.ip:
			j.add("ip_link", classAny, 0.7, defangHost(l.host))
			continue
		case shorteners[l.host]:
			j.add("shortener", classAny, 0.4, defangHost(l.host))
			continue
		case x.owners(l.host) != nil:
			continue
		}
		if b, how, sure := j.c.imitates(l.host); b != nil {
			if j.brand == nil {
				j.brand = b
			}
			if sure {
				j.add("lookalike_domain", classPhish, 1.0, defangHost(l.uhost), b.Name, how)
			} else {
				j.add("brand_other_ending", classPhish, 0.6, defangHost(l.uhost), b.Name)
			}
		}
		if strings.Contains(l.host, "xn--") {
			j.add("punycode", classAny, 0.4, defangHost(l.uhost), defangHost(l.host))
		}
		if unusualTLDs[tld(l.host)] {
			j.add("unusual_tld", classAny, 0.4, defangHost(l.site), tld(l.host))
		}
	}
	if len(foreign) > 0 {
		name := claimed[0].Name
		j.add("brand_link_mismatch", classPhish, 0.7, name, wordList(first(foreign, 3)), name)
	}
	return official
}

// imitates says which brand a host (not used by any brand) imitates, and
// how: the same letters with look-alike characters, one letter off, or the
// brand's name inside another domain.
//
// A host with exactly a brand's name under another ending (amazon.de) may
// well be the brand's own site abroad, so it weighs less: sure reports
// that the letters differ from the brand's.
func (c *Checker) imitates(host string) (b *kb.Brand, how tr, sure bool) {
	s := site(host)
	label := strings.SplitN(s, ".", 2)[0]
	uni, err := idnaProfile.ToUnicode(label)
	if err != nil {
		uni = label
	}
	labelSkel := skeleton(uni)
	uhost, err := idnaProfile.ToUnicode(host)
	if err != nil {
		uhost = host
	}
	suffix := strings.TrimPrefix(s, label) // .co.jp, .com
	hostSkel := skeleton(strings.TrimSuffix(uhost, suffix))
	for _, t := range c.brands.tokens {
		switch {
		case strings.ToLower(uni) == t.raw:
			return t.brand, sameNameOtherEnding, false // e.g. amazon.de
		case labelSkel == t.skel:
			return t.brand, lookalikeLetters, true
		case len(t.skel) >= 5 && editDistance1(labelSkel, t.skel) && len(labelSkel) >= 5:
			return t.brand, oneLetterOff, true
		}
	}
	for _, d := range c.brands.domainList {
		if i := strings.Index(host, d.domain); i >= 0 && (i == 0 || strings.ContainsRune(".-", rune(host[i-1]))) &&
			i+len(d.domain) < len(host) && strings.ContainsRune(".-", rune(host[i+len(d.domain)])) {
			return d.brand, realDomainInside, true
		}
	}
	bare := strings.TrimSuffix(uhost, suffix)
	var words []string // skeletons of the host's labels and of their hyphenated parts
	for _, w := range append(strings.Split(bare, "."), strings.FieldsFunc(bare, func(r rune) bool { return r == '.' || r == '-' || r == '_' })...) {
		words = append(words, skeleton(w))
	}
	for _, t := range c.brands.tokens {
		if len(t.skel) >= 5 && strings.Contains(hostSkel, t.skel) {
			return t.brand, nameInside, true
		}
		for _, w := range words {
			if w == t.skel {
				return t.brand, nameInside, true
			}
		}
	}
	return nil, tr{}, false
}

// phraseSignals turns the wording found into signals. Courier wording
// counts only with a link that no courier uses.
func (j *judgement) phraseSignals(official bool) {
	for _, g := range j.c.groups {
		found := j.found[g.ID]
		if found == nil {
			continue
		}
		switch g.ID {
		case "courier_notice":
			if official || !j.hasForeignLink("courier") {
				continue
			}
		case "credential_request":
			if official {
				continue
			}
		}
		w := g.Weight
		if len(g.all) == 0 && len(found) > 1 {
			w *= 1 + 0.5*float64(len(found)-1)
		}
		j.add(g.ID, g.class, w, quotedList(found))
		if g.Type != "" && !slices.Contains(j.types, g.Type) {
			j.types = append(j.types, g.Type)
		}
	}
}

// hasForeignLink reports whether a link goes somewhere no brand of the
// kind uses.
func (j *judgement) hasForeignLink(kind string) bool {
	for _, l := range j.m.links {
		used := false
		for _, b := range j.c.brands.owners(l.host) {
			used = used || b.Kind == kind
		}
		if !used {
			return true
		}
	}
	return false
}

func (j *judgement) phones(text string) []string {
	var out []string
	for _, p := range phonePattern.FindAllString(text, 8) {
		digits := 0
		for _, r := range p {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		p = strings.TrimSpace(p)
		if digits >= 10 && digits <= 12 && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// verified reports whether the message demonstrably comes from the brand
// it names: a mail from the brand's own domain that did not fail the checks
// the receiving server made, whose links (if any) are all the brand's; or
// a text whose every link is the brand's. A forged From with no
// Authentication-Results still needs its links to be the brand's.
func (j *judgement) verified(claimed []*kb.Brand, official bool) bool {
	if len(claimed) == 0 {
		return false
	}
	if j.m.mail != nil {
		for _, s := range j.signals {
			if s.id == "auth_failed" || s.id == "display_name_mismatch" {
				return false
			}
		}
		return j.c.brands.owns(claimed[0], j.m.fromHost) && (len(j.m.links) == 0 || official)
	}
	return official
}

func (j *judgement) verdict(verified bool) string {
	var sum [4]float64
	total := 0.0
	for _, s := range j.signals {
		sum[s.class] += s.weight
		total += s.weight
	}
	phish := sum[classPhish] + sum[classAny]
	fraud := sum[classFraud] + sum[classAny]
	switch {
	case sum[classFraud] >= 0.6 && fraud >= 1.0 && sum[classFraud] >= sum[classPhish]:
		return Fraud
	case phish >= 1.0 && !verified:
		return Phishing
	case fraud >= 1.0 && sum[classFraud] > 0:
		return Fraud
	case sum[classSpam] >= 0.6 && !verified:
		return Spam
	case total-sum[classSpam] >= 0.5 && !verified:
		return Suspicious
	}
	return None
}

func (j *judgement) resultTypes(verdict string) []string {
	want := map[string][]string{
		Phishing: {"phishing", "banking_fraud"},
		Fraud:    {"fictitious_billing", "one_click_fraud", "sakura_site_fraud", "support_scam"},
		Spam:     {"spam_mail"},
	}
	out := []string{}
	switch verdict {
	case Phishing:
		out = append(out, "phishing")
	case Spam:
		out = append(out, "spam_mail")
	case None:
		return out
	}
	for _, t := range j.types {
		if (verdict == Suspicious || slices.Contains(want[verdict], t)) && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if verdict == Fraud && len(out) == 0 {
		out = append(out, "fictitious_billing")
	}
	return out
}

// reasonsJA returns the texts of the first n signals in Japanese, for a
// report to a Japanese desk.
func (j *judgement) reasonsJA(n int) []string {
	var out []string
	for _, s := range j.signals[:min(n, len(j.signals))] {
		out = append(out, s.text("ja"))
	}
	return out
}

// weigh returns w for a sure sign and a little more than half of it for
// one that may be innocent.
func weigh(sure bool, w float64) float64 {
	if sure {
		return w
	}
	return w * 0.6
}

// site returns the registrable domain of an ASCII host.
func site(host string) string {
	l, ok := parseLink("http://"+host, "")
	if !ok {
		return host
	}
	return l.site
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
