package triage_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/kakekomi/kakekomi/internal/triage"
)

func TestChosenTypeComesFirstWithoutText(t *testing.T) {
	e := engine(t)
	r, err := e.Triage(triage.Input{Types: []string{"court_notice"}, At: evalAt})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Types) == 0 || r.Types[0].ID != "court_notice" {
		t.Fatalf("types = %+v, want court_notice first", r.Types)
	}
	if len(r.Steps) == 0 || len(r.Desks) == 0 {
		t.Error("a chosen type gives no plan")
	}
	if _, err := e.Triage(triage.Input{Types: []string{"no_such_type"}, At: evalAt}); !errors.Is(err, triage.ErrBadInput) {
		t.Errorf("unknown type: err = %v, want ErrBadInput", err)
	}
}

func TestAnswersChangeThePlan(t *testing.T) {
	e := engine(t)
	text := "ネットショップで買った商品が届かない。お店と連絡がつかない。"
	stepIDs := func(answers map[string]string) map[string]bool {
		r, err := e.Triage(triage.Input{Text: text, At: evalAt, Context: triage.Context{Answers: answers}})
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, s := range r.Steps {
			ids[s.ID] = true
		}
		return ids
	}
	if ids := stepIDs(map[string]string{"payment_method": "bank_transfer"}); !ids["freeze_receiving_account"] {
		t.Error("paid by bank transfer: no step to freeze the receiving account")
	}
	if ids := stepIDs(map[string]string{"payment_method": "card"}); !ids["call_card_company_dispute"] || ids["freeze_receiving_account"] {
		t.Error("paid by card: want the card company step and no account freeze")
	}
	if ids := stepIDs(map[string]string{"amount": "upto_600k", "other_address_known": "yes"}); !ids["small_claims"] {
		t.Error("60万円以下 and address known: no small-claims step")
	}
	if ids := stepIDs(map[string]string{"amount": "over_600k", "other_address_known": "yes"}); ids["small_claims"] {
		t.Error("over 60万円: small claims offered")
	}
}

func TestAnswersReadFromTheText(t *testing.T) {
	e := engine(t)
	r, err := e.Triage(triage.Input{Text: "通販サイトで3万円を振り込んだのに届かない", At: evalAt})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, q := range r.Questions {
		if q.Assumed {
			got[q.ID] = q.Answer
		}
	}
	if got["payment_method"] != "bank_transfer" || got["amount"] != "upto_600k" {
		t.Errorf("assumed answers = %v, want bank_transfer and upto_600k", got)
	}
}

func TestBadAnswersAreRejected(t *testing.T) {
	e := engine(t)
	for _, answers := range []map[string]string{{"no_such_question": "yes"}, {"payment_method": "bitcoin"}} {
		_, err := e.Triage(triage.Input{Text: "届かない", At: evalAt, Context: triage.Context{Answers: answers}})
		if !errors.Is(err, triage.ErrBadInput) {
			t.Errorf("answers %v: err = %v, want ErrBadInput", answers, err)
		}
	}
}

func TestMinorBringsChildrensDesks(t *testing.T) {
	e := engine(t)
	r, err := e.Triage(triage.Input{Text: "中学生です。ゲームのアカウントを乗っ取られました。", At: evalAt})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Minor {
		t.Fatal("a middle-school pupil not taken as a minor")
	}
	found := false
	for _, d := range r.Desks {
		found = found || d.ID == "childline" || d.ID == "mext_24h_sos"
	}
	if !found {
		t.Errorf("no children's desk for a minor: %v", r.Desks)
	}
}

func TestNoTroubleGivesGeneralDesksAndNoGuess(t *testing.T) {
	e := engine(t)
	r, err := e.Triage(triage.Input{Text: "年賀状をパソコンで作りたいのですが、おすすめのソフトはありますか。", At: evalAt})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Types) != 0 || r.Emergency.Active {
		t.Fatalf("types %v, emergency %v for a text with no trouble", r.Types, r.Emergency.Active)
	}
	// Programs read "types": [] as "nothing found"; null breaks them.
	if b, _ := json.Marshal(r); !bytes.Contains(b, []byte(`"types":[]`)) {
		t.Errorf("types is not an empty list in JSON: %s", b)
	}
	ids := map[string]bool{}
	for _, d := range r.Desks {
		ids[d.ID] = true
	}
	if !ids["police_9110"] || !ids["consumer_hotline_188"] {
		t.Errorf("general desks missing: %v", ids)
	}
}

// TestEmergencyNumberAnswersNow checks what a person in crisis at night
// relies on: the first desk answers at that hour, and the number it shows
// is the line that is open, not one that opens tomorrow.
func TestEmergencyNumberAnswersNow(t *testing.T) {
	e := engine(t)
	saturdayNight := time.Date(2026, 12, 5, 23, 30, 0, 0, time.FixedZone("JST", 9*3600))
	for _, in := range []triage.Input{
		{Text: "もう死にたい。ネットで悪口を書かれ続けてる", At: saturdayNight},
		{Text: "中2です。もう死にたい。LINEで悪口を回されてる", At: saturdayNight, Context: triage.Context{Minor: true}},
	} {
		r, err := e.Triage(in)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Emergency.Active || len(r.Desks) == 0 {
			t.Fatalf("%s: no emergency or no desks", in.Text)
		}
		first := r.Desks[0]
		if first.OpenNow == nil || !*first.OpenNow {
			t.Errorf("%s: first desk %s is not open at 23:30 on Saturday", in.Text, first.ID)
		}
		for _, d := range r.Desks {
			for _, l := range d.Lines {
				if l.Value == d.Phone && l.OpenNow != nil && !*l.OpenNow && d.OpenNow != nil && *d.OpenNow {
					t.Errorf("%s: %s says open but its number %s is closed", in.Text, d.ID, d.Phone)
				}
			}
		}
	}
}

func TestPrefectureIsChecked(t *testing.T) {
	e := engine(t)
	for _, p := range []string{"火星", "東京都庁", "Tokyo", "京"} {
		if _, err := e.Triage(triage.Input{Text: "フリマで買った品物が届かない", Context: triage.Context{Prefecture: p}}); !errors.Is(err, triage.ErrBadInput) {
			t.Errorf("prefecture %q: got %v, want a bad-input error", p, err)
		}
	}
	for in, want := range map[string]string{"東京": "東京都", "大阪府": "大阪府", "北海道": "北海道", "京都": "京都府", "京都府": "京都府"} {
		if got, ok := triage.Prefecture(in); !ok || got != want {
			t.Errorf("Prefecture(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// TestStepsFollowTheDesks checks that an answer which rules a desk out
// also takes away the step that sends the person there, so the plan never
// says 「188に電話」 while 188 is gone from the desks.
func TestStepsFollowTheDesks(t *testing.T) {
	e := engine(t)
	r, err := e.Triage(triage.Input{Text: "ネットで買った品物が届かない。相手と連絡がつかない。", At: evalAt,
		Context: triage.Context{Answers: map[string]string{"seller_kind": "person"}}})
	if err != nil {
		t.Fatal(err)
	}
	desks := map[string]bool{}
	for _, d := range r.Desks {
		desks[d.ID] = true
	}
	for _, s := range r.Steps {
		if s.Desk == "consumer_hotline_188" && !desks["consumer_hotline_188"] {
			t.Errorf("step %s sends to 188, which the answer ruled out", s.ID)
		}
	}
}
