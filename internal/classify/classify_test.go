package classify

import (
	"bytes"
	"slices"
	"testing"
)

var toy = []struct{ text, label string }{
	{"通販で振り込んだのに商品が届かない", "shop"},
	{"ネットショップに代金を振り込んだが届かない", "shop"},
	{"サイトで買った靴が届かない、店と連絡がとれない", "shop"},
	{"注文した服が届かないし返信もない", "shop"},
	{"知らない人から死ねとメッセージが来る", "threat"},
	{"殺すと書き込まれて怖い", "threat"},
	{"家に行くぞと脅すDMが毎日来る", "threat"},
	{"住所を知っていると脅された", "threat"},
}

func toyModel(t *testing.T) *Model {
	t.Helper()
	var ex []Example
	for _, c := range toy {
		ex = append(ex, Example{Doc: NewDoc(c.text, 1, 3), Target: map[string]float64{c.label: 1}})
	}
	m, err := Train(ex, []string{"shop", "threat"}, Config{MinDF: 1})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTrainedModelRanksUnseenText(t *testing.T) {
	m := toyModel(t)
	for text, want := range map[string]string{
		"代金を払ったのに品物が届かない": "shop",
		"SNSで殺すと脅されています":  "threat",
	} {
		if got := m.Predict(NewDoc(text, m.MinN, m.MaxN)); got[0].Label != want || got[0].P <= 0.5 {
			t.Errorf("%s: got %v, want %s first", text, got, want)
		}
	}
}

func TestTrainingIsDeterministicAndRoundTrips(t *testing.T) {
	a, _ := toyModel(t).MarshalBinary()
	b, _ := toyModel(t).MarshalBinary()
	if !bytes.Equal(a, b) {
		t.Fatal("two trainings on the same data gave different models")
	}
	m, err := Load(a)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := m.MarshalBinary()
	if !bytes.Equal(a, c) {
		t.Fatal("a loaded model does not write back the same bytes")
	}
}

// TestExplainNamesWholeWords checks that the evidence shown to a person is
// words of their text, not n-grams cut in the middle of a word.
func TestExplainNamesWholeWords(t *testing.T) {
	m := toyModel(t)
	text := "ネットショップで買ったのに届かない。"
	ev := m.Explain(NewDoc(text, m.MinN, m.MaxN), "shop", 3)
	if len(ev) == 0 {
		t.Fatal("no evidence")
	}
	for _, e := range ev {
		if !bytes.Contains([]byte(text), []byte(e.Text)) {
			t.Errorf("evidence %q is not part of the text", e.Text)
		}
		if e.Text == "ト" || e.Text == "ョッ" {
			t.Errorf("evidence %q cuts a word", e.Text)
		}
	}
	texts := make([]string, len(ev))
	for i, e := range ev {
		texts[i] = e.Text
	}
	if !slices.Contains(texts, "届かない") && !slices.Contains(texts, "ネットショップ") {
		t.Errorf("evidence %v names neither 届かない nor ネットショップ", texts)
	}
}

func TestLoadRefusesWhatIsNotAModel(t *testing.T) {
	good, _ := toyModel(t).MarshalBinary()
	for name, data := range map[string][]byte{
		"empty":     nil,
		"text":      []byte("hello"),
		"truncated": good[:len(good)/2],
		"trailing":  append(slices.Clone(good), 0),
	} {
		if _, err := Load(data); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

func TestFoldsCoverEveryItemOnce(t *testing.T) {
	strata := []string{"a", "a", "b", "a", "b", "c", "a"}
	seen := map[int]int{}
	for _, f := range Folds(strata, 3) {
		for _, i := range f {
			seen[i]++
		}
	}
	for i := range strata {
		if seen[i] != 1 {
			t.Errorf("item %d is in %d folds", i, seen[i])
		}
	}
}

func FuzzLoad(f *testing.F) {
	var ex []Example
	for _, c := range toy {
		ex = append(ex, Example{Doc: NewDoc(c.text, 1, 3), Target: map[string]float64{c.label: 1}})
	}
	m, _ := Train(ex, []string{"shop", "threat"}, Config{MinDF: 1})
	good, _ := m.MarshalBinary()
	f.Add(good)
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Load(data)
		if err != nil {
			return
		}
		m.Predict(NewDoc("テスト", m.MinN, m.MaxN))
	})
}

func FuzzNewDoc(f *testing.F) {
	for _, s := range []string{"", "ｱﾏｿﾞﾝ", "\xff\xfe", "abc def", "死にたい。"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := NewDoc(s, 1, 3)
		for _, ft := range d.Features {
			if ft.Start < 0 || ft.End > len(d.Folded.Runes) || ft.Start >= ft.End {
				t.Fatalf("feature at %d..%d of %d runes", ft.Start, ft.End, len(d.Folded.Runes))
			}
		}
	})
}
