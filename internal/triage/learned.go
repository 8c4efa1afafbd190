package triage

import (
	"fmt"
	"slices"
	"sort"
	"unicode/utf8"

	"github.com/kakekomi/kakekomi/internal/classify"
	"github.com/kakekomi/kakekomi/internal/corpus"
	"github.com/kakekomi/kakekomi/internal/kb"
)

// Ranking by the learned type model. A type is listed when its probability
// reaches reportProb; its steps and desks join the plan when it reaches
// planProb, or when it is the first.
const (
	reportProb = 0.05
	planProb   = 0.2
	matchedMax = 4
)

// Training settings: fixed, so that `kakekomi kb train` is repeatable.
var (
	// Both models read the same n-grams of a text, made once (see scan).
	typeConfig      = classify.Config{MinN: minGram, MaxN: maxGram, Epochs: 20, L2: 1e-4}
	emergencyConfig = classify.Config{MinN: minGram, MaxN: maxGram, Epochs: 30, L2: 1e-4}
	// alsoShare is the belief given to each type that also applies, next to
	// the primary type's 1.
	alsoShare = 0.3
	// falseAlarmBudget is the share of calm texts of the corpus, held out in
	// cross-validation, on which signals and model together may raise an
	// alarm. The corpus is dense with calm texts written to look alarming
	// (old threats, 「死ぬほど」), so real texts see fewer; an alarm on every
	// tenth text would teach people to skip the banner.
	falseAlarmBudget = 0.02
	// emergencyWeight makes each of the few emergencies count as several
	// calm texts: missing one costs far more than a false alarm.
	emergencyWeight = 4.0
	foldCount       = 5
)

// Rule signals take part in the ranking as features of the type model:
// a type's signals reaching ruleScore, and reaching ruleSure.
const (
	ruleScore = 0.3
	ruleSure  = 0.6
)

// The n-gram sizes of both models.
const minGram, maxGram = 1, 3

// doc makes the type model's document of the text scanned into h: its
// n-grams and the trouble types whose signals h found.
func (e *Engine) doc(h hits) *classify.Doc {
	var extra []string
	for _, ct := range e.types {
		s, _ := score(ct.signals, h)
		if s >= ruleScore {
			extra = append(extra, "rule:"+ct.t.ID)
		}
		if s >= ruleSure {
			extra = append(extra, "rule-sure:"+ct.t.ID)
		}
	}
	return h.grams.With(extra...)
}

// rankTypes lists the types the model finds in doc, most likely first;
// none when the model finds no trouble likeliest.
func (e *Engine) rankTypes(doc *classify.Doc, lang string) []TypeMatch {
	m := e.kb.TypeModel
	out := []TypeMatch{}
	preds := m.Predict(doc)
	if preds[0].Label == corpus.None {
		return out
	}
	for _, p := range preds {
		if p.Label == corpus.None {
			continue
		}
		if p.P < reportProb || len(out) == maxTypes {
			break
		}
		t := e.kb.Type(p.Label)
		// Words are named for the types that shape the plan; a trouble
		// listed only as a possibility is named without them.
		matched := []string{}
		if len(out) == 0 || p.P >= planProb {
			for _, ev := range m.Explain(doc, p.Label, matchedMax) {
				matched = append(matched, ev.Text)
			}
		}
		out = append(out, TypeMatch{ID: t.ID, Label: t.Label.In(lang), Plain: t.Plain.In(lang), Score: round2(p.P), Matched: matched})
	}
	return out
}

// emergencyOf is the emergency the text shows, if any. A signal's kind
// stands unless the emergency model reads the text as calmer than its veto
// (a threat of last year that ended); the model alone raises one at its
// threshold, of the kind made for the likeliest type, else the default
// kind. When the person said it is an emergency, it is one.
func (e *Engine) emergencyOf(text string, h hits, types []TypeMatch, minor, forced bool) *kb.EmergencyKind {
	m := e.kb.EmergencyModel
	p := m.Prob(e.emergencyDoc(text, h), "yes")
	if k := e.detectEmergency(h, minor, forced); k != nil && (forced || p >= m.Params["veto"]) {
		return k
	}
	if p < m.Params["threshold"] {
		return nil
	}
	var fallback *kb.EmergencyKind
	for _, ce := range e.emergency {
		k := ce.e
		if k.MinorOnly && !minor {
			continue
		}
		if len(types) > 0 && slices.Contains(k.ForTypes, types[0].ID) {
			return k
		}
		if k.Default {
			fallback = k
		}
	}
	return fallback
}

// signalEmergency reports whether the knowledge base's emergency signals
// alone raise an emergency for text.
func (e *Engine) signalEmergency(text string, minor bool) bool {
	h := e.ps.scan(text)
	defer h.release()
	return e.detectEmergency(h, minor, false) != nil
}

// Models are the trained type and emergency models, with what training
// measured.
type Models struct {
	Types, Emergency *classify.Model
	// EmergencyRecall and EmergencyFalseAlarms are what the chosen
	// threshold and the signals together gave on held-out folds.
	EmergencyRecall, EmergencyFalseAlarms float64
}

// Train fits the type and emergency models to labelled cases. The emergency
// model's threshold and veto are chosen on held-out folds to catch the most
// emergencies with false alarms within falseAlarmBudget, counting the
// knowledge base's emergency signals, which work beside the model.
// Training is deterministic.
func Train(k *kb.KB, cases []corpus.Case) (*Models, error) {
	if len(cases) == 0 {
		return nil, fmt.Errorf("train: no labelled cases")
	}
	rules := New(k)
	types, err := rules.trainTypes(cases)
	if err != nil {
		return nil, err
	}
	strata := make([]string, len(cases))
	for i, c := range cases {
		strata[i] = fmt.Sprint(c.Emergency)
	}
	// Out-of-fold emergency probabilities, for the threshold.
	oof := make([]float64, len(cases))
	for _, fold := range classify.Folds(strata, foldCount) {
		train, _ := classify.Split(cases, fold)
		m, err := rules.trainEmergency(train)
		if err != nil {
			return nil, err
		}
		for _, i := range fold {
			h := rules.ps.scan(cases[i].Text)
			oof[i] = m.Prob(rules.emergencyDoc(cases[i].Text, h), "yes")
			h.release()
		}
	}
	em, err := rules.trainEmergency(cases)
	if err != nil {
		return nil, err
	}
	signalled := make([]bool, len(cases))
	for i, c := range cases {
		signalled[i] = rules.signalEmergency(c.Text, c.Minor)
	}
	// The model raises an emergency at threshold, and lets a signal's
	// emergency stand unless it reads it as calmer than veto. Take the pair
	// that catches most held-out emergencies within the false-alarm budget.
	best := struct{ threshold, veto, recall, alarms float64 }{0.5, 0, -1, 1}
	for t := 0.05; t < 0.951; t += 0.05 {
		for _, v := range []float64{0, 0.01, 0.02, 0.05, 0.1} {
			var caught, emergencies, alarms, calm int
			for i, c := range cases {
				raised := oof[i] >= t || signalled[i] && oof[i] >= v
				if c.Emergency {
					emergencies++
					if raised {
						caught++
					}
				} else {
					calm++
					if raised {
						alarms++
					}
				}
			}
			r, a := Rate(caught, emergencies), Rate(alarms, calm)
			if a <= falseAlarmBudget && (r > best.recall || r == best.recall && a < best.alarms) {
				best.threshold, best.veto, best.recall, best.alarms = t, v, r, a
			}
		}
	}
	if best.recall < 0 {
		return nil, fmt.Errorf("train: no emergency threshold keeps false alarms within %.3f", falseAlarmBudget)
	}
	em.Params["threshold"], em.Params["veto"] = round2(best.threshold), best.veto
	ms := &Models{Types: types, Emergency: em, EmergencyRecall: best.recall, EmergencyFalseAlarms: best.alarms}
	return ms, nil
}

// TypeLabels are the labels of the type model: every trouble type and none.
func TypeLabels(k *kb.KB) []string {
	labels := []string{corpus.None}
	for _, t := range k.Types {
		labels = append(labels, t.ID)
	}
	return labels
}

func (e *Engine) trainTypes(cases []corpus.Case) (*classify.Model, error) {
	known := map[string]bool{}
	var labels []string
	ex := make([]classify.Example, len(cases))
	for i, c := range cases {
		target := map[string]float64{c.Primary: 1}
		for _, a := range c.Also {
			target[a] += alsoShare
		}
		for l := range target {
			if !known[l] {
				known[l] = true
				labels = append(labels, l)
			}
		}
		h := e.ps.scan(c.Text)
		ex[i] = classify.Example{Doc: e.doc(h), Target: target}
		h.release()
	}
	sort.Strings(labels)
	m, err := classify.Train(ex, labels, typeConfig)
	if err != nil {
		return nil, fmt.Errorf("train types: %w", err)
	}
	return m, nil
}

// emergencyDoc makes the emergency model's document of text: its n-grams,
// the emergency kinds whose signals h reached or touched, and its length. The model so learns when a signal is right: 「殺す」
// in a threat of last year that ended is not danger now.
func (e *Engine) emergencyDoc(text string, h hits) *classify.Doc {
	var extra []string
	for _, ce := range e.emergency {
		s, _ := score(ce.signals, h)
		switch {
		case s >= ce.e.Threshold:
			extra = append(extra, "emergency:"+ce.e.ID)
		case s > 0:
			extra = append(extra, "emergency-near:"+ce.e.ID)
		}
	}
	// How long the text is: a one-line summary carries few n-grams, each
	// weighing more, and the model needs a bias of its own for them.
	extra = append(extra, fmt.Sprintf("length:%d", min(utf8.RuneCountInString(text)/40, 5)))
	return h.grams.With(extra...)
}

func (e *Engine) trainEmergency(cases []corpus.Case) (*classify.Model, error) {
	ex := make([]classify.Example, len(cases))
	for i, c := range cases {
		label, weight := "no", 1.0
		if c.Emergency {
			label, weight = "yes", emergencyWeight
		}
		h := e.ps.scan(c.Text)
		ex[i] = classify.Example{Doc: e.emergencyDoc(c.Text, h), Target: map[string]float64{label: 1}, Weight: weight}
		h.release()
	}
	m, err := classify.Train(ex, []string{"no", "yes"}, emergencyConfig)
	if err != nil {
		return nil, fmt.Errorf("train emergency: %w", err)
	}
	return m, nil
}
