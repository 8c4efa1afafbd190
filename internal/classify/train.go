package classify

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// Example is one labelled text for training: the share of belief each label
// gets (a primary trouble 1, or most of it with the rest for the others that
// also apply).
type Example struct {
	Doc    *Doc
	Target map[string]float64
	Weight float64 // how much the example counts; 0 means 1
}

// Config sets how a model is trained. The zero value of each field takes
// the default named beside it.
type Config struct {
	MinN, MaxN int     // n-gram sizes, 1 and 3
	MinDF      int     // an n-gram must appear in this many texts, 2
	Epochs     int     // passes over the examples, 12
	Rate       float64 // AdaGrad learning rate, 0.5
	L2         float64 // weight decay on each step, 1e-5
	Seed       uint64  // the order of examples in each pass
}

func (c Config) withDefaults() Config {
	if c.MinN == 0 {
		c.MinN, c.MaxN = 1, 3
	}
	if c.MinDF == 0 {
		c.MinDF = 2
	}
	if c.Epochs == 0 {
		c.Epochs = 12
	}
	if c.Rate == 0 {
		c.Rate = 0.5
	}
	if c.L2 == 0 {
		c.L2 = 1e-5
	}
	return c
}

// Train fits a softmax model over labels to the examples, whose Docs must
// have been made with cfg's n-gram sizes. It is deterministic: the same
// examples and config give the same bytes.
func Train(examples []Example, labels []string, cfg Config) (*Model, error) {
	cfg = cfg.withDefaults()
	nl := len(labels)
	if nl < 2 {
		return nil, fmt.Errorf("train: need at least two labels, have %d", nl)
	}
	if len(examples) == 0 {
		return nil, fmt.Errorf("train: no examples")
	}
	labelIndex := make(map[string]int, nl)
	for i, l := range labels {
		labelIndex[l] = i
	}
	// Vocabulary: n-grams seen in at least MinDF texts, in hash order.
	df := map[uint32]int{}
	for _, ex := range examples {
		ex.Doc.hashes(func(h uint32) { df[h]++ })
	}
	var keys []uint32
	for h, n := range df {
		if n >= cfg.MinDF {
			keys = append(keys, h)
		}
	}
	slices.Sort(keys)
	index := make(map[uint32]int32, len(keys))
	for i, h := range keys {
		index[h] = int32(i)
	}
	type row struct {
		feats  []int32
		v      float64
		target []float64
		weight float64
	}
	rows := make([]row, len(examples))
	for i, ex := range examples {
		r := row{target: make([]float64, nl), weight: ex.Weight}
		if r.weight == 0 {
			r.weight = 1
		}
		ex.Doc.hashes(func(h uint32) {
			if k, ok := index[h]; ok {
				r.feats = append(r.feats, k)
			}
		})
		r.v = docValue(len(r.feats))
		var sum float64
		for l, share := range ex.Target {
			k, ok := labelIndex[l]
			if !ok {
				return nil, fmt.Errorf("train: example %d has label %q, which is not among the labels", i, l)
			}
			r.target[k] += share
			sum += share
		}
		if sum <= 0 {
			return nil, fmt.Errorf("train: example %d has no target", i)
		}
		for k := range r.target {
			r.target[k] /= sum
		}
		rows[i] = r
	}

	w := make([]float64, len(keys)*nl)
	g2 := make([]float64, len(keys)*nl)
	bias := make([]float64, nl)
	bg2 := make([]float64, nl)
	z := make([]float64, nl)
	grad := make([]float64, nl)
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6b616b656b6f6d69))
	const eps = 1e-8
	for range cfg.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			r := rows[i]
			copy(z, bias)
			for _, f := range r.feats {
				base := int(f) * nl
				for l := range nl {
					z[l] += w[base+l] * r.v
				}
			}
			p := softmax(z)
			for l := range nl {
				grad[l] = (p[l] - r.target[l]) * r.weight
				bg2[l] += grad[l] * grad[l]
				bias[l] -= cfg.Rate * grad[l] / math.Sqrt(bg2[l]+eps)
			}
			for _, f := range r.feats {
				base := int(f) * nl
				for l := range nl {
					gi := grad[l]*r.v + cfg.L2*w[base+l]
					g2[base+l] += gi * gi
					w[base+l] -= cfg.Rate * gi / math.Sqrt(g2[base+l]+eps)
				}
			}
		}
	}
	return quantize(labels, keys, w, bias, cfg), nil
}

// quantize turns the float weights into int8 rows with a scale a label, and
// drops n-grams whose weights all round to zero.
func quantize(labels []string, keys []uint32, w, bias []float64, cfg Config) *Model {
	nl := len(labels)
	m := &Model{Labels: slices.Clone(labels), MinN: cfg.MinN, MaxN: cfg.MaxN, Params: map[string]float64{},
		scale: make([]float32, nl), bias: make([]float32, nl)}
	hi := make([]float64, nl)
	for i, v := range w {
		hi[i%nl] = max(hi[i%nl], math.Abs(v))
	}
	for l := range nl {
		m.scale[l] = float32(hi[l] / 127)
		if m.scale[l] == 0 {
			m.scale[l] = 1
		}
		m.bias[l] = float32(bias[l])
	}
	row := make([]int8, nl)
	for k, h := range keys {
		zero := true
		for l := range nl {
			q := math.Round(w[k*nl+l] / float64(m.scale[l]))
			row[l] = int8(max(-127, min(127, q)))
			zero = zero && row[l] == 0
		}
		if !zero {
			m.keys = append(m.keys, h)
			m.weights = append(m.weights, row...)
		}
	}
	m.build()
	return m
}

// Folds splits n items into k folds deterministically, keeping each label's
// items spread over the folds (stratified by the label that strata gives).
func Folds(strata []string, k int) [][]int {
	byLabel := map[string][]int{}
	var names []string
	for i, s := range strata {
		if _, ok := byLabel[s]; !ok {
			names = append(names, s)
		}
		byLabel[s] = append(byLabel[s], i)
	}
	sort.Strings(names)
	folds := make([][]int, k)
	next := 0
	for _, s := range names {
		for _, i := range byLabel[s] {
			folds[next%k] = append(folds[next%k], i)
			next++
		}
	}
	for _, f := range folds {
		slices.Sort(f)
	}
	return folds
}

// Split returns the items of one fold (test) and all the others (train), in
// their order.
func Split[T any](items []T, fold []int) (train, test []T) {
	held := make(map[int]bool, len(fold))
	for _, i := range fold {
		held[i] = true
		test = append(test, items[i])
	}
	for i, item := range items {
		if !held[i] {
			train = append(train, item)
		}
	}
	return train, test
}
