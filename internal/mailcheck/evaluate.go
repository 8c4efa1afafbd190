package mailcheck

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kakekomi/kakekomi/internal/classify"
	"github.com/kakekomi/kakekomi/internal/corpus"
	"github.com/kakekomi/kakekomi/internal/kb"
)

// Metrics are the checker's figures on one labelled set of messages.
type Metrics struct {
	// Confusion counts verdicts by label: Confusion["phishing"]["none"].
	Confusion map[string]map[string]int
	// Brand named right on phishing messages that name one.
	BrandRight, BrandAll int
	Misses               []string
}

// Evaluate checks every message and counts the figures. The brand is
// counted on phishing messages that name a brand of k: the checker cannot
// name one it does not know.
func Evaluate(c *Checker, k *kb.KB, msgs []corpus.Message) (Metrics, error) {
	var m Metrics
	err := m.count(c, k, msgs)
	sort.Strings(m.Misses)
	return m, err
}

// count checks the messages and adds their figures to m.
func (m *Metrics) count(c *Checker, k *kb.KB, msgs []corpus.Message) error {
	if m.Confusion == nil {
		m.Confusion = map[string]map[string]int{}
	}
	known := map[string]bool{}
	for _, b := range k.Brands {
		known[b.ID] = true
	}
	for _, msg := range msgs {
		r, err := c.Check(msg, Options{})
		if err != nil {
			return fmt.Errorf("evaluate %s: %w", msg.ID, err)
		}
		if m.Confusion[msg.Label] == nil {
			m.Confusion[msg.Label] = map[string]int{}
		}
		m.Confusion[msg.Label][r.Verdict]++
		if !right(msg.Label, r.Verdict) {
			m.Misses = append(m.Misses, fmt.Sprintf("%s (%s, %s) -> %s", msg.ID, msg.Label, msg.Brand, r.Verdict))
		}
		if msg.Label == labelPhishing && known[msg.Brand] {
			m.BrandAll++
			if r.Brand == msg.Brand {
				m.BrandRight++
			}
		}
	}
	return nil
}

// right tells whether a verdict serves the person for a label: a scam
// called a scam, a genuine message left alone, spam called spam. A scam
// called suspicious is a miss: the floor counts only a clear warning.
func right(label, verdict string) bool {
	switch label {
	case labelPhishing, labelFraud:
		return verdict == Phishing || verdict == Fraud
	case labelSpam:
		return verdict == Spam
	}
	return verdict == None
}

// Caught is the share of messages with label that the checker called a scam
// (phishing or fraud), or for "legit" the share of false alarms.
func (m Metrics) Caught(label string) float64 {
	row := m.Confusion[label]
	n := 0
	for _, v := range row {
		n += v
	}
	if n == 0 {
		return 0
	}
	return float64(row[Phishing]+row[Fraud]) / float64(n)
}

// Summary is the figures in a few lines: recall on phishing and fraud,
// false alarms on genuine messages, brands, and the confusion matrix.
func (m Metrics) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "phishing caught %.3f, fraud caught %.3f, genuine called a scam %.3f, brand right %d/%d\n",
		m.Caught(labelPhishing), m.Caught(labelFraud), m.Caught(labelLegit), m.BrandRight, m.BrandAll)
	verdicts := []string{Phishing, Fraud, Spam, Suspicious, None}
	fmt.Fprintf(&b, "    %-9s", "label")
	for _, v := range verdicts {
		fmt.Fprintf(&b, " %10s", v)
	}
	for _, l := range []string{labelPhishing, labelFraud, labelSpam, labelLegit} {
		fmt.Fprintf(&b, "\n    %-9s", l)
		for _, v := range verdicts {
			fmt.Fprintf(&b, " %10d", m.Confusion[l][v])
		}
	}
	return b.String()
}

// CrossValidate trains the content model on all folds but one and measures
// on that one, for each of k folds stratified by label, and adds up the
// figures.
func CrossValidate(k *kb.KB, msgs []corpus.Message, folds int) (Metrics, error) {
	strata := make([]string, len(msgs))
	for i, msg := range msgs {
		strata[i] = msg.Label
	}
	var total Metrics
	for _, fold := range classify.Folds(strata, folds) {
		train, test := classify.Split(msgs, fold)
		model, err := Train(k, train)
		if err != nil {
			return total, err
		}
		c := New(k)
		c.content = model
		if err := total.count(c, k, test); err != nil {
			return total, err
		}
	}
	sort.Strings(total.Misses)
	return total, nil
}
