package mailcheck

import (
	"fmt"
	"mime"
	"sort"
	"strings"

	"github.com/kakekomi/kakekomi/internal/classify"
	"github.com/kakekomi/kakekomi/internal/corpus"
	"github.com/kakekomi/kakekomi/internal/kb"
)

// The content model reads the words of a message, with the rule signals as
// features, and gives the share of belief for each label of the corpus.
// Its verdict counts only where the rules found nothing strong: a lure
// with no link left (a pasted mail whose button lost its address, a
// subject, a call-back number) is still a lure.
const (
	// sureLure is the belief in phishing and fraud together above which an
	// unverified message is called a scam by its words alone.
	sureLure = 0.65
	// someLure is the belief above which it is at least suspicious.
	someLure = 0.4
	sureSpam = 0.8
	// sureGenuine is the belief in a genuine message above which a rule's
	// scam verdict is softened to suspicious.
	sureGenuine = 0.97
	// minWords is the length, in characters of the message without its
	// links, below which the words are too few to judge: a bare URL is
	// judged by its host alone.
	minWords = 12
)

var contentConfig = classify.Config{MinN: 1, MaxN: 3, Epochs: 20, L2: 1e-4}

// Labels of the message corpus, as the labelling guide names them.
const (
	labelPhishing = "phishing"
	labelFraud    = "fraud"
	labelSpam     = "spam"
	labelLegit    = "legit"
)

// contentDoc is what the content model reads: the words of the message and
// the signals the rules found, with whether links and phone numbers are
// there at all.
func (a assessment) contentDoc() *classify.Doc {
	extra := make([]string, 0, len(a.j.signals)+4)
	for _, s := range a.j.signals {
		extra = append(extra, "signal:"+s.id)
	}
	extra = append(extra, "kind:"+a.j.m.kind, fmt.Sprintf("links:%v", len(a.j.m.links) > 0),
		fmt.Sprintf("phones:%v", len(a.phones) > 0), fmt.Sprintf("verified:%v", a.verified))
	return classify.FromFolded(a.exact, contentConfig.MinN, contentConfig.MaxN).With(extra...)
}

// learnedVerdict lets the content model raise a verdict that the rules left
// at none, suspicious or spam. A sender verified on the brand's own hosts
// keeps the rules' verdict: genuine alarming notices must stay none.
func (a assessment) learnedVerdict(verdict string) string {
	j, m := a.j, a.j.c.content
	if m == nil || a.verified || len(a.exact.Runes) < minWords {
		return verdict
	}
	p := map[string]float64{}
	for _, s := range m.Predict(a.contentDoc()) {
		p[s.Label] = s.P
	}
	lure := p[labelPhishing] + p[labelFraud]
	if verdict == Phishing || verdict == Fraud {
		// A message that reads like a genuine notice in every other way,
		// flagged only for a link or sender the brand list does not know,
		// is left as suspicious: calling real mail a scam teaches people
		// to ignore the checker, and suspicious still says to check in the
		// official app.
		if p[labelLegit] >= sureGenuine {
			j.add("reads_like_genuine", classAny, round2(p[labelLegit]))
			return Suspicious
		}
		return verdict
	}
	if verdict == Spam {
		return verdict
	}
	switch {
	case lure >= sureLure && p[labelPhishing] >= p[labelFraud]:
		j.add("reads_like_phishing", classPhish, round2(lure))
		return Phishing
	case lure >= sureLure:
		j.add("reads_like_fraud", classFraud, round2(lure))
		return Fraud
	case lure >= someLure:
		j.add("reads_like_lure", classAny, round2(lure))
		return Suspicious
	case verdict == None && p[labelSpam] >= sureSpam:
		j.add("reads_like_spam", classSpam, round2(p[labelSpam]))
		return Spam
	}
	return verdict
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// Check judges one labelled message of the corpus the way a person would
// send it: a mail as a mail file, an SMS or a pasted text as text.
func (c *Checker) Check(msg corpus.Message, o Options) (*Result, error) {
	m, err := corpusMessage(msg)
	if err != nil {
		return nil, err
	}
	return c.judge(m, o), nil
}

// corpusMessage reads a labelled message as the checker reads what a person
// sends: a mail as a mail file, an SMS or a pasted text as text.
func corpusMessage(msg corpus.Message) (*message, error) {
	if msg.Channel == "mail" {
		return readMail(strings.NewReader(asMail(msg)))
	}
	return readText(msg.Body)
}

// asMail writes a corpus mail as a minimal RFC 5322 message.
func asMail(msg corpus.Message) string {
	var b strings.Builder
	if msg.From != "" {
		b.WriteString("From: " + encodeHeader(msg.From) + "\r\n")
	}
	b.WriteString("Subject: " + encodeHeader(msg.Subject) + "\r\n")
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(msg.Body, "\n", "\r\n"))
	return b.String()
}

// encodeHeader keeps an address's <…> part as it is and writes the rest as
// an RFC 2047 word when it is not ASCII.
func encodeHeader(s string) string {
	name, addr := s, ""
	if i := strings.LastIndex(s, "<"); i >= 0 && strings.HasSuffix(s, ">") {
		name, addr = strings.TrimSpace(s[:i]), " "+s[i:]
	}
	for _, r := range name {
		if r >= 0x80 {
			return mime.BEncoding.Encode("utf-8", name) + addr
		}
	}
	return name + addr
}

// Train fits the content model to labelled messages. Each message is first
// judged by the rules alone, whose signals become features. Training is
// deterministic.
func Train(k *kb.KB, msgs []corpus.Message) (*classify.Model, error) {
	rules := New(k)
	ex := make([]classify.Example, 0, len(msgs))
	labels := map[string]bool{}
	for _, msg := range msgs {
		m, err := corpusMessage(msg)
		if err != nil {
			return nil, fmt.Errorf("train messages: %s: %w", msg.ID, err)
		}
		labels[msg.Label] = true
		ex = append(ex, classify.Example{Doc: rules.assess(m).contentDoc(), Target: map[string]float64{msg.Label: 1}})
	}
	var names []string
	for l := range labels {
		names = append(names, l)
	}
	sort.Strings(names)
	m, err := classify.Train(ex, names, contentConfig)
	if err != nil {
		return nil, fmt.Errorf("train messages: %w", err)
	}
	return m, nil
}
