package triage

import "testing"

func TestPhrasesFound(t *testing.T) {
	tests := []struct {
		phrase, text string
		want         bool
	}{
		{"子の裸", "小学生くらいの子の裸っぽい画像", true},
		{"垢", "インスタの垢を乗っ取られた", true},
		{"振り込", "5万円を振込みました", true},
		{"振込", "5万円を振り込んだ", true},
		{"画面に出た", "画面に出た番号に電話した", true},
		{"乗っ取", "のっとられた", false},
		{"アマゾン", "ｱﾏｿﾞﾝから", true},
		{"amazon", "AMAZONのメール", true},
		{"届かない", "商品が届いていない", false},
	}
	for _, tt := range tests {
		ps := newPhrases()
		id := ps.add(tt.phrase)
		h := ps.scan(tt.text)
		_, got := h.any([]int{id})
		if got != tt.want {
			t.Errorf("phrase %q in %q: found = %v, want %v", tt.phrase, tt.text, got, tt.want)
		}
		if got {
			if w := h.phrase(id); w == "" {
				t.Errorf("phrase %q: no original words", tt.phrase)
			}
		}
		h.release()
	}
}
