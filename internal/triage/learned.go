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
		s := score(ct.signals, h)
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
	scores := e.emergencyScores(h)
	p := m.Prob(e.emergencyDoc(text, h, scores), "yes")
	if k := e.detectEmergency(scores, minor, forced); k != nil && (forced || p >= m.Params["veto"]) {
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
	docs := New(k).prepare(cases)
	types, err := trainTypes(cases, docs)
	if err != nil {
		return nil, err
	}
	strata := make([]string, len(cases))
	index := make([]int, len(cases))
	for i, c := range cases {
		strata[i], index[i] = fmt.Sprint(c.Emergency), i
	}
	// Out-of-fold emergency probabilities, for the threshold.
	oof := make([]float64, len(cases))
	for _, fold := range classify.Folds(strata, foldCount) {
		train, _ := classify.Split(index, fold)
		m, err := trainEmergency(cases, docs, train)
		if err != nil {
			return nil, err
		}
		for _, i := range fold {
			oof[i] = m.Prob(docs[i].emergency, "yes")
		}
	}
	em, err := trainEmergency(cases, docs, index)
	if err != nil {
		return nil, err
	}
	// The model raises an emergency at threshold, and lets a signal's
	// emergency stand unless it reads it as calmer than veto. Take the pair
	// that catches most held-out emergencies within the false-alarm budget.
	best := struct{ threshold, veto, recall, alarms float64 }{0.5, 0, -1, 1}
	for t := 0.05; t < 0.951; t += 0.05 {
		for _, v := range []float64{0, 0.01, 0.02, 0.05, 0.1} {
			var caught, emergencies, alarms, calm int
			for i, c := range cases {
				raised := oof[i] >= t || docs[i].signalled && oof[i] >= v
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

// caseDocs are what the models read of one labelled case, made once for
// training: the type model's and the emergency model's documents, and
// whether the emergency signals alone raise an emergency.
type caseDocs struct {
	types, emergency *classify.Doc
	signalled        bool
}

func (e *Engine) prepare(cases []corpus.Case) []caseDocs {
	docs := make([]caseDocs, len(cases))
	for i, c := range cases {
		h := e.scan(c.Text)
		scores := e.emergencyScores(h)
		docs[i] = caseDocs{types: e.doc(h), emergency: e.emergencyDoc(c.Text, h, scores), signalled: e.detectEmergency(scores, c.Minor, false) != nil}
		h.Release()
	}
	return docs
}

func trainTypes(cases []corpus.Case, docs []caseDocs) (*classify.Model, error) {
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
		ex[i] = classify.Example{Doc: docs[i].types, Target: target}
	}
	sort.Strings(labels)
	m, err := classify.Train(ex, labels, typeConfig)
	if err != nil {
		return nil, fmt.Errorf("train types: %w", err)
	}
	return m, nil
}

// emergencyDoc makes the emergency model's document of text: its n-grams,
// the emergency kinds whose signals reached or touched their threshold, and
// its length. The model so learns when a signal is right: 「殺す」 in a
// threat of last year that ended is not danger now.
func (e *Engine) emergencyDoc(text string, h hits, scores []float64) *classify.Doc {
	var extra []string
	for i, ce := range e.emergency {
		switch s := scores[i]; {
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

// trainEmergency trains the emergency model on the cases of index.
func trainEmergency(cases []corpus.Case, docs []caseDocs, index []int) (*classify.Model, error) {
	ex := make([]classify.Example, len(index))
	for k, i := range index {
		label, weight := "no", 1.0
		if cases[i].Emergency {
			label, weight = "yes", emergencyWeight
		}
		ex[k] = classify.Example{Doc: docs[i].emergency, Target: map[string]float64{label: 1}, Weight: weight}
	}
	m, err := classify.Train(ex, []string{"no", "yes"}, emergencyConfig)
	if err != nil {
		return nil, fmt.Errorf("train emergency: %w", err)
	}
	return m, nil
}
