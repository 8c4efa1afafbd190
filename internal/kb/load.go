package kb

import (
	"bytes"
	"cmp"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"

	"github.com/kakekomi/kakekomi/internal/classify"
	"github.com/kakekomi/kakekomi/internal/hours"
)

//go:embed data
var embedded embed.FS

// Embedded returns the knowledge base files built into the binary.
func Embedded() fs.FS {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		panic(err) // the folder is embedded above; this cannot fail
	}
	return sub
}

// Problem is one thing wrong in the knowledge base files.
type Problem struct {
	File string
	Msg  string
}

func (p Problem) String() string { return p.File + ": " + p.Msg }

// Problems is the error returned by Load when the files are not valid. It
// names every problem found, not only the first.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "knowledge base has %d problem(s):", len(ps))
	for _, p := range ps {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

type metaFile struct {
	Version      string    `yaml:"version"`
	General      []DeskRef `yaml:"general"`
	MinorDesks   []DeskRef `yaml:"minor_desks"`
	MinorSignals []Signal  `yaml:"minor_signals"`
	Groups       []*Group  `yaml:"groups"`
	// Concepts are named phrase lists that signals use as "@name", so a
	// word learnt once (a new slang for a card) serves every signal.
	Concepts map[string][]string `yaml:"concepts"`
}

type holidaysFile struct {
	Years    [2]int    `yaml:"years"`
	Holidays []Holiday `yaml:"holidays"`
}

// Load reads and validates the knowledge base from fsys (laid out like
// data/: kb.yaml, questions.yaml, steps.yaml, donts.yaml, emergency.yaml,
// brands.yaml, checker.yaml, holidays.yaml, desks/*.yaml, types/*.yaml).
// When anything is wrong it returns a Problems error listing all of it, together with what
// could be read: callers that serve people must refuse to use it, but tools
// that check or tune the data may look at the rest.
func Load(fsys fs.FS) (*KB, error) {
	l := newLoader(fsys)
	k, hols := l.decodeYAML()
	l.finish(k)
	validate(k, l, hols)
	return k, l.err()
}

// decodeYAML reads the YAML files into a knowledge base with its concepts
// expanded, in the taxonomy's order: what a snapshot keeps. It also returns
// the holidays as listed, for validate.
func (l *loader) decodeYAML() (*KB, []Holiday) {
	var meta metaFile
	l.decode("kb.yaml", &meta)
	k := &KB{Version: meta.Version, General: meta.General, MinorDesks: meta.MinorDesks, MinorSignals: meta.MinorSignals, Groups: meta.Groups}
	var qs struct {
		Questions []*Question `yaml:"questions"`
	}
	l.decode("questions.yaml", &qs)
	k.Questions = qs.Questions
	var steps struct {
		Steps []*Step `yaml:"steps"`
	}
	l.decode("steps.yaml", &steps)
	k.Steps = steps.Steps
	var donts struct {
		Donts []*Dont `yaml:"donts"`
	}
	l.decode("donts.yaml", &donts)
	k.Donts = donts.Donts
	var em struct {
		Emergency []*EmergencyKind `yaml:"emergency"`
	}
	l.decode("emergency.yaml", &em)
	k.Emergency = em.Emergency
	var brands struct {
		Brands []*Brand `yaml:"brands"`
	}
	l.decode("brands.yaml", &brands)
	k.Brands = brands.Brands
	var pubs struct {
		Publishers []*Publisher `yaml:"publishers"`
	}
	l.decode("publishers.yaml", &pubs)
	k.Publishers = pubs.Publishers
	var checker struct {
		Phrases []*PhraseGroup `yaml:"phrases"`
		Denials []string       `yaml:"denials"`
	}
	l.decode("checker.yaml", &checker)
	k.MessagePhrases, k.MessageDenials = checker.Phrases, checker.Denials
	var hol holidaysFile
	l.decode("holidays.yaml", &hol)
	k.HolidayYears = hol.Years
	k.Holidays = make(map[string]string, len(hol.Holidays))
	for _, h := range hol.Holidays {
		k.Holidays[h.Date] = h.Name
	}
	k.Desks = decodeAll[Desk](l, "desks")
	k.Types = decodeAll[Type](l, "types")
	expandConcepts(k, meta.Concepts, l)
	sortByTaxonomy(k)
	return k, hol.Holidays
}

// finish makes what a snapshot does not keep, from what it does: the
// types' own steps and don'ts join the shared lists, the models are read
// from models/*.bin, and the indexes and desk views are made.
func (l *loader) finish(k *KB) {
	for _, t := range k.Types {
		k.Steps = append(k.Steps, t.StepDefs...)
		k.Donts = append(k.Donts, t.DontDefs...)
	}
	k.TypeModel = l.model("models/types.bin")
	k.EmergencyModel = l.model("models/emergency.bin")
	k.MessageModel = l.model("models/messages.bin")
	k.index(l)
	k.prepare()
}

type loader struct {
	fsys     fs.FS
	mu       sync.Mutex // guards problems while files are decoded in parallel
	problems Problems
	fileOf   map[any]string
}

func newLoader(fsys fs.FS) *loader { return &loader{fsys: fsys, fileOf: map[any]string{}} }

// err returns the problems found, or nil.
func (l *loader) err() error {
	if len(l.problems) > 0 {
		return l.problems
	}
	return nil
}

func (l *loader) add(file, format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.problems = append(l.problems, Problem{File: file, Msg: fmt.Sprintf(format, args...)})
}

// decodeAll decodes every file of a folder, in parallel: YAML parsing is
// most of a one-shot command's start-up. The result keeps the files' order.
func decodeAll[T any](l *loader, dir string) []*T {
	names := l.glob(dir)
	items := make([]*T, len(names))
	ok := make([]bool, len(names))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, name := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			items[i] = new(T)
			ok[i] = l.decode(name, items[i])
		}()
	}
	wg.Wait()
	var out []*T
	for i, item := range items {
		if ok[i] {
			out = append(out, item)
			l.fileOf[item] = names[i]
		}
	}
	return out
}

// decode reads one YAML file strictly into v and reports whether it worked.
func (l *loader) decode(name string, v any) bool {
	data, err := fs.ReadFile(l.fsys, name)
	if err != nil {
		l.add(name, "cannot read: %v", err)
		return false
	}
	l.cutByComment(name, data)
	dec := yaml.NewDecoder(bytes.NewReader(data), yaml.Strict(), yaml.DisallowUnknownField())
	if err := dec.Decode(v); err != nil {
		l.add(name, "%s", yaml.FormatError(err, false, true))
		return false
	}
	return true
}

// cutByComment reports unquoted values with " #" in them: YAML takes the
// rest of the line for a comment, so advice such as 「相談する #9110 か…」
// would silently lose its end.
func (l *loader) cutByComment(name string, data []byte) {
	for i, line := range strings.Split(string(data), "\n") {
		key, value, ok := strings.Cut(strings.TrimLeft(line, " -"), ": ")
		value = strings.TrimSpace(value)
		if !ok || strings.HasPrefix(key, "#") || value == "" || strings.ContainsAny(value[:1], "\"'{[|>&*") {
			continue
		}
		if strings.Contains(value, " #") {
			l.add(name, "line %d: the text is cut at \" #\", which starts a YAML comment; put the text in quotes", i+1)
		}
	}
}

// model reads one trained model file.
func (l *loader) model(name string) *classify.Model {
	data, err := fs.ReadFile(l.fsys, name)
	if err != nil {
		l.add(name, "cannot read: %v (train it with `kakekomi kb train`)", err)
		return nil
	}
	m, err := classify.Load(data)
	if err != nil {
		l.add(name, "%v", err)
		return nil
	}
	return m
}

func (l *loader) glob(dir string) []string {
	entries, err := fs.ReadDir(l.fsys, dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			l.add(dir, "cannot list: %v", err)
		} else {
			l.add(dir, "folder is missing")
		}
		return nil
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, path.Join(dir, e.Name()))
		}
	}
	sort.Strings(names)
	return names
}

func (k *KB) index(l *loader) {
	k.types = map[string]*Type{}
	k.desks = map[string]*Desk{}
	k.questions = map[string]*Question{}
	k.steps = map[string]*Step{}
	k.donts = map[string]*Dont{}
	for _, t := range k.Types {
		if _, dup := k.types[t.ID]; dup {
			l.add(l.fileOf[t], "type id %q is used twice", t.ID)
		}
		k.types[t.ID] = t
	}
	for _, d := range k.Desks {
		if _, dup := k.desks[d.ID]; dup {
			l.add(l.fileOf[d], "desk id %q is used twice", d.ID)
		}
		k.desks[d.ID] = d
	}
	for _, q := range k.Questions {
		if _, dup := k.questions[q.ID]; dup {
			l.add("questions.yaml", "question id %q is used twice", q.ID)
		}
		k.questions[q.ID] = q
	}
	for _, s := range k.Steps {
		if _, dup := k.steps[s.ID]; dup {
			l.add("steps.yaml", "step id %q is used twice", s.ID)
		}
		k.steps[s.ID] = s
	}
	for _, d := range k.Donts {
		if _, dup := k.donts[d.ID]; dup {
			l.add("donts.yaml", "don't id %q is used twice", d.ID)
		}
		k.donts[d.ID] = d
	}
}

// prepare works out once what every view of a desk needs: the parsed hours
// of its channels (validate names the specs that do not parse) and its
// sources.
func (k *KB) prepare() {
	for _, d := range k.Desks {
		srcs := slices.Clone(d.Handles.Sources)
		for _, f := range []*Fact{d.NotHandled, d.URL, d.Eligibility, d.Fees} {
			if f != nil {
				srcs = append(srcs, f.Sources...)
			}
		}
		for _, c := range d.Cautions {
			srcs = append(srcs, c.Sources...)
		}
		for _, c := range d.Channels {
			srcs = append(srcs, c.Sources...)
			if h := c.Hours; h != nil {
				h.schedule, _ = hours.Parse(h.Spec)
				srcs = append(srcs, h.Sources...)
			}
		}
		slices.SortStableFunc(srcs, func(a, b Source) int {
			return cmp.Or(strings.Compare(a.URL, b.URL), strings.Compare(a.Checked, b.Checked))
		})
		d.sources = slices.CompactFunc(srcs, func(a, b Source) bool { return a.URL == b.URL && a.Checked == b.Checked })
	}
}

// sortByTaxonomy puts desks and types in the taxonomy's order, which lists
// emergencies first; additions come after, by id.
func sortByTaxonomy(k *KB) {
	rank := func(order []string, id string) int {
		for i, o := range order {
			if o == id {
				return i
			}
		}
		return len(order)
	}
	sort.SliceStable(k.Desks, func(i, j int) bool {
		return rank(TaxonomyDesks, k.Desks[i].ID) < rank(TaxonomyDesks, k.Desks[j].ID)
	})
	sort.SliceStable(k.Types, func(i, j int) bool {
		return rank(TaxonomyTypes, k.Types[i].ID) < rank(TaxonomyTypes, k.Types[j].ID)
	})
}

// expandConcepts replaces every "@name" phrase of every signal by the
// phrases of the concept.
func expandConcepts(k *KB, concepts map[string][]string, l *loader) {
	expand := func(where string, phrases []string) []string {
		var out []string
		for _, p := range phrases {
			name, ok := strings.CutPrefix(p, "@")
			if !ok {
				out = append(out, p)
				continue
			}
			c, known := concepts[name]
			if !known {
				l.add(where, "unknown concept %q (define it under concepts in kb.yaml)", p)
			}
			out = append(out, c...)
		}
		return out
	}
	signals := func(where string, sigs []Signal) {
		for i := range sigs {
			sigs[i].Any = expand(where, sigs[i].Any)
			sigs[i].None = expand(where, sigs[i].None)
			for j := range sigs[i].All {
				sigs[i].All[j] = expand(where, sigs[i].All[j])
			}
		}
	}
	for _, t := range k.Types {
		signals(l.fileOf[t], t.Signals)
	}
	for _, e := range k.Emergency {
		signals("emergency.yaml: "+e.ID, e.Signals)
	}
	for _, q := range k.Questions {
		for i := range q.Options {
			q.Options[i].Signals = expand("questions.yaml: "+q.ID, q.Options[i].Signals)
		}
	}
	signals("kb.yaml: minor_signals", k.MinorSignals)
	for name, c := range concepts {
		if len(c) == 0 {
			l.add("kb.yaml", "concept %q is empty", name)
		}
		for _, p := range c {
			if strings.HasPrefix(p, "@") {
				l.add("kb.yaml", "concept %q refers to %q: concepts cannot nest", name, p)
			}
		}
	}
}
