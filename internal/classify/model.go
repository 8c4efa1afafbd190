package classify

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kakekomi/kakekomi/internal/jatext"
)

// Model is a trained softmax classifier. Its weights are kept as int8 with
// one scale a label, which keeps the embedded file small at no measurable
// cost in accuracy. A Model is read-only and safe for concurrent use.
type Model struct {
	Labels     []string
	MinN, MaxN int
	// Params are numbers chosen in training (thresholds), by name.
	Params  map[string]float64
	keys    []uint32 // sorted feature hashes
	weights []int8   // len(keys) rows of len(Labels)
	scale   []float32
	bias    []float32
	// table finds a key's row: open addressing on the hash, one more than
	// the row so that 0 is empty. rowSum is each row's scaled sum over the
	// labels, for explanations.
	table  []int32
	shift  uint
	rowSum []float32
}

// build makes the lookup table and row sums from the keys and weights.
func (m *Model) build() {
	size, shift := 1, uint(32)
	for size < 2*len(m.keys) {
		size, shift = size*2, shift-1
	}
	m.table, m.shift = make([]int32, size), shift
	for i, k := range m.keys {
		for slot := m.slot(k); ; slot = (slot + 1) & (len(m.table) - 1) {
			if m.table[slot] == 0 {
				m.table[slot] = int32(i + 1)
				break
			}
		}
	}
	nl := len(m.Labels)
	m.rowSum = make([]float32, len(m.keys))
	for i := range m.keys {
		var sum float32
		for l, w := range m.weights[i*nl : (i+1)*nl] {
			sum += float32(w) * m.scale[l]
		}
		m.rowSum[i] = sum
	}
}

func (m *Model) slot(k uint32) int {
	if m.shift >= 32 {
		return 0
	}
	return int((k * 2654435761) >> m.shift)
}

// rowIndex returns the row of hash h, or -1.
func (m *Model) rowIndex(h uint32) int {
	if len(m.table) == 0 {
		return -1
	}
	for slot := m.slot(h); ; slot = (slot + 1) & (len(m.table) - 1) {
		i := m.table[slot]
		if i == 0 {
			return -1
		}
		if m.keys[i-1] == h {
			return int(i - 1)
		}
	}
}

// rowsOf resolves the rows of d's features once for this model: ranking and
// explaining several labels read them again.
func (m *Model) rowsOf(d *Doc) []int32 {
	if d.rowsFor == m {
		return d.rows
	}
	d.rows = slices.Grow(d.rows[:0], len(d.Features)+len(d.Extra))
	d.hashes(func(h uint32) { d.rows = append(d.rows, int32(m.rowIndex(h))) })
	d.rowsFor = m
	return d.rows
}

// Scored is one label with its probability.
type Scored struct {
	Label string
	P     float64
}

// Predict gives every label's probability for d, most likely first.
func (m *Model) Predict(d *Doc) []Scored {
	z := m.logits(d)
	p := softmax(z)
	out := make([]Scored, len(m.Labels))
	for i, l := range m.Labels {
		// Insertion keeps equal probabilities in label order, and costs
		// less than a general sort for a few dozen labels.
		j := i
		for ; j > 0 && out[j-1].P < p[i]; j-- {
			out[j] = out[j-1]
		}
		out[j] = Scored{l, p[i]}
	}
	return out
}

// Prob gives the probability of one label for d, or 0 if the model has no
// such label.
func (m *Model) Prob(d *Doc, label string) float64 {
	i := slices.Index(m.Labels, label)
	if i < 0 {
		return 0
	}
	return softmax(m.logits(d))[i]
}

func (m *Model) logits(d *Doc) []float64 {
	nl := len(m.Labels)
	z := make([]float64, nl)
	acc := make([]int32, nl)
	found := 0
	for _, r := range m.rowsOf(d) {
		if r < 0 {
			continue
		}
		found++
		row := m.weights[int(r)*nl : (int(r)+1)*nl]
		acc := acc[:len(row)] // one bounds check a row, not a weight
		for l, w := range row {
			acc[l] += int32(w)
		}
	}
	v := docValue(found)
	for l := range nl {
		z[l] = float64(m.bias[l]) + float64(acc[l])*float64(m.scale[l])*v
	}
	return z
}

// Evidence is a stretch of the original text that weighed for a label.
type Evidence struct {
	Text   string
	Weight float64
}

// Explain names the stretches of the original text that weighed most for
// label, at most n, heaviest first. Overlapping n-grams are merged into one
// stretch, so the words read as the person wrote them.
func (m *Model) Explain(d *Doc, label string, n int) []Evidence {
	li := slices.Index(m.Labels, label)
	if li < 0 {
		return nil
	}
	type span struct {
		i, j int
		w    float64
	}
	// Keep the strongest 4n n-grams (a bounded insertion: few are kept of
	// many), then merge those that touch.
	k := 4 * n
	top := make([]span, 0, k+1)
	nl := len(m.Labels)
	rows := m.rowsOf(d)
	for fi, f := range d.Features {
		r := rows[fi]
		if r < 0 || f.End <= f.Start {
			continue
		}
		// Weigh against the mean of the other labels: an n-gram that
		// every label likes says nothing about this one.
		own := float64(m.weights[int(r)*nl+li]) * float64(m.scale[li])
		w := own - (float64(m.rowSum[r])-own)/float64(max(nl-1, 1))
		if w <= 0 || (len(top) == k && w <= top[k-1].w) {
			continue
		}
		at := len(top)
		for at > 0 && top[at-1].w < w {
			at--
		}
		top = slices.Insert(top, at, span{f.Start, f.End, w})
		if len(top) > k {
			top = top[:k]
		}
	}
	if len(top) == 0 {
		return nil
	}
	slices.SortFunc(top, func(a, b span) int { return a.i - b.i })
	var merged []span
	for _, s := range top {
		if k := len(merged) - 1; k >= 0 && s.i <= merged[k].j {
			merged[k].j = max(merged[k].j, s.j)
			merged[k].w += s.w
			continue
		}
		merged = append(merged, s)
	}
	sort.SliceStable(merged, func(a, b int) bool { return merged[a].w > merged[b].w })
	var out []Evidence
	seen := map[string]bool{}
	for _, s := range merged {
		i, j := wordBounds(d.Folded, s.i, s.j)
		// A stretch that runs over a sentence's end is two pieces of
		// evidence, not one phrase.
		for _, text := range strings.FieldsFunc(d.Folded.Original(i, j), isBreak) {
			if text = strings.TrimSpace(text); text == "" || seen[text] || len(out) == n {
				continue
			}
			seen[text] = true
			out = append(out, Evidence{text, s.w})
		}
	}
	return out
}

// wordBounds widens the stretch [i, j) of the folded text so that it
// neither starts nor ends inside a run of kanji, katakana or Latin letters,
// takes the kana that inflect a final kanji (安 → 安かった), and drops
// particles at its start: an n-gram cut mid-word (ト通販で安) reads as noise
// to a person. Classes are read from the original text, since folding
// turns katakana into hiragana.
func wordBounds(f *jatext.Folded, i, j int) (int, int) {
	n := len(f.Runes)
	orig := func(k int) rune {
		r, _ := utf8.DecodeRuneInString(f.Original(k, k+1))
		return r
	}
	for i > 0 && runs(orig(i-1), orig(i)) {
		i--
	}
	// A kanji after okurigana continues the word before it (振り|込んだ).
	for i > 1 && isKanji(orig(i)) && isHiragana(orig(i-1)) && isKanji(orig(i-2)) && !strings.ContainsRune(particles, orig(i-1)) {
		i -= 2
		for i > 0 && runs(orig(i-1), orig(i)) {
			i--
		}
	}
	for j < n && runs(orig(j-1), orig(j)) {
		j++
	}
	if endsInflected(orig, i, j) {
		// Through okurigana and the kanji they join (振り → 振り込んだ),
		// a few runes at most, stopping at a particle.
		for k := 0; k < 4 && j < n && (isHiragana(orig(j)) || isKanji(orig(j))) && !strings.ContainsRune(particles, orig(j)); k++ {
			j++
		}
	}
	// The last kana of a word in kana (おしま → おしまい, つかな → つかない),
	// when at most two are left before the kana run ends.
	if isHiragana(orig(j - 1)) {
		k := j
		for k < n && k-j < 3 && isHiragana(orig(k)) && !strings.ContainsRune(particles, orig(k)) {
			k++
		}
		if k-j <= 2 && (k == n || !isHiragana(orig(k))) {
			j = k
		}
	}
	for i < j-1 && strings.ContainsRune(particles, orig(i)) {
		i++
	}
	for j-1 > i && strings.ContainsRune(particles, orig(j-1)) && !isHiragana(orig(j-2)) {
		j--
	}
	// The tail of an inflected word before a kanji (だのに届かない, cut
	// from 振り込んだのに) goes too, unless the stretch is all kana.
	if i > 0 && isHiragana(orig(i)) && (isKanji(orig(i-1)) || isHiragana(orig(i-1))) {
		k := i
		for k < j && isHiragana(orig(k)) {
			k++
		}
		if k < j {
			i = k
		}
	}
	return i, j
}

// endsInflected reports whether [i, j) ends in a kanji followed by at most
// two kana, as a word whose inflection may go on (行けな → 行けない).
func endsInflected(orig func(int) rune, i, j int) bool {
	for k := j - 1; k >= max(i, j-3); k-- {
		switch r := orig(k); {
		case isKanji(r):
			return true
		case !isHiragana(r):
			return false
		}
	}
	return false
}

const particles = "をがはにでとのもへや"

func isBreak(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune("。、．，！？!?「」『』（）()", r)
}

func runs(a, b rune) bool {
	return isKanji(a) && isKanji(b) || isKatakana(a) && isKatakana(b) || isLatin(a) && isLatin(b) ||
		unicode.IsDigit(a) && strings.ContainsRune("万円千百", b)
}

func isKanji(r rune) bool    { return unicode.Is(unicode.Han, r) }
func isKatakana(r rune) bool { return unicode.Is(unicode.Katakana, r) || r == 'ー' }
func isHiragana(r rune) bool { return unicode.Is(unicode.Hiragana, r) }

// docValue is the value of each present feature: binary presence scaled so
// that a document's vector has unit length, which keeps long accounts from
// outweighing one-liners.
func docValue(n int) float64 {
	if n == 0 {
		return 0
	}
	return 1 / math.Sqrt(float64(n))
}

func softmax(z []float64) []float64 {
	hi := math.Inf(-1)
	for _, v := range z {
		hi = max(hi, v)
	}
	p := make([]float64, len(z))
	var sum float64
	for i, v := range z {
		p[i] = math.Exp(v - hi)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

const magic = "KKCM1\n"

// MarshalBinary writes the model in a small fixed format: a header, the
// labels and params, then the keys, weights, scales and biases in little
// endian.
func (m *Model) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(magic)
	w := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	str := func(s string) { w(uint16(len(s))); b.WriteString(s) }
	w(uint8(m.MinN))
	w(uint8(m.MaxN))
	w(uint16(len(m.Labels)))
	for _, l := range m.Labels {
		str(l)
	}
	names := make([]string, 0, len(m.Params))
	for k := range m.Params {
		names = append(names, k)
	}
	sort.Strings(names)
	w(uint16(len(names)))
	for _, k := range names {
		str(k)
		w(m.Params[k])
	}
	w(uint32(len(m.keys)))
	w(m.keys)
	w(m.weights)
	w(m.scale)
	w(m.bias)
	return b.Bytes(), nil
}

// ErrFormat is returned for a model file that is not one.
var ErrFormat = errors.New("not a kakekomi model file")

// Load reads a model written by MarshalBinary.
func Load(data []byte) (*Model, error) {
	if !bytes.HasPrefix(data, []byte(magic)) {
		return nil, ErrFormat
	}
	r := &reader{b: data[len(magic):]}
	m := &Model{Params: map[string]float64{}}
	m.MinN, m.MaxN = int(r.u8()), int(r.u8())
	nl := int(r.u16())
	for range nl {
		m.Labels = append(m.Labels, r.str())
	}
	for range int(r.u16()) {
		k := r.str()
		m.Params[k] = math.Float64frombits(r.u64())
	}
	nk := int(r.u32())
	if r.err != nil || nl == 0 || nk*(4+nl) > len(r.b) {
		return nil, fmt.Errorf("%w: truncated", ErrFormat)
	}
	m.keys = make([]uint32, nk)
	for i := range m.keys {
		m.keys[i] = r.u32()
	}
	raw := r.take(nk * nl)
	m.weights = make([]int8, nk*nl)
	for i, c := range raw {
		m.weights[i] = int8(c)
	}
	m.scale = make([]float32, nl)
	for i := range m.scale {
		m.scale[i] = math.Float32frombits(r.u32())
	}
	m.bias = make([]float32, nl)
	for i := range m.bias {
		m.bias[i] = math.Float32frombits(r.u32())
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, fmt.Errorf("%w: truncated or trailing data", ErrFormat)
	}
	if m.MinN < 1 || m.MaxN < m.MinN || nl == 0 || !slices.IsSorted(m.keys) {
		return nil, fmt.Errorf("%w: bad header", ErrFormat)
	}
	m.build()
	return m, nil
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		// Hand back a few zero bytes so that the fixed-size reads above
		// need no checks; Load looks at err once at the end.
		r.err = ErrFormat
		return make([]byte, 8)
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u8() uint8   { return r.take(1)[0] }
func (r *reader) u16() uint16 { return binary.LittleEndian.Uint16(r.take(2)) }
func (r *reader) u32() uint32 { return binary.LittleEndian.Uint32(r.take(4)) }
func (r *reader) u64() uint64 { return binary.LittleEndian.Uint64(r.take(8)) }
func (r *reader) str() string { return string(r.take(int(r.u16()))) }
