package jsonin

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string // "" for no error, else the text of the error
	}{
		{`{"text":"カードに身に覚えのない請求"}`, ""},
		{`{"text":"\u30ab\u30fc\u30c9 \ud83d\ude00 \\ud800 \\\u0041"}`, ""},
		{`{"text":"\ufffd is a character"}`, ""},
		{"{\"text\":\"a\xff\"}", "byte 10 is not part of"},
		{"{\"text\":\"\xe3\x81\"}", "byte 9 is not part of"},
		{"{\"text\":\"\xed\xa0\x80\"}", "byte 9 is not part of"}, // a surrogate in UTF-8
		{`{"text":"\ud800"}`, "escape at byte 9"},
		{`{"text":"\udc00\ud800"}`, "escape at byte 9"},
		{`{"text":"\ud800\u0041"}`, "escape at byte 9"},
		{`{"text":"ok \\\ud800"}`, "escape at byte 14"},
		{`{"text":"\ud800`, "escape at byte 9"},
	} {
		err := Check([]byte(tt.in))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Check(%q) = %v", tt.in, err)
		case tt.want != "" && (!errors.Is(err, ErrNotText) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Check(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

// FuzzCheck holds Check to the strict reading of RFC 8259 that
// go-json-experiment's jsontext gives: of the texts encoding/json reads, it
// refuses those, and only those, that jsontext finds not valid.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{`{"id":"1","text":"届かない"}`, `"\ud83d\ude00"`, `"\ud800"`, `["\\u", "\\\\ud800", "\uDBFF\uDFFF"]`, "\"\xff\"", `{"a":"\u00e9"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		strict := jsontext.Value(data).IsValid(jsontext.AllowDuplicateNames(true))
		if err := Check(data); (err == nil) != strict {
			t.Fatalf("Check(%q) = %v, jsontext valid %v", data, err, strict)
		}
	})
}
