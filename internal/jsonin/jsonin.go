// Package jsonin checks JSON input for what encoding/json lets through
// silently: bytes that are not UTF-8 and escaped halves of a UTF-16
// surrogate pair (\ud800) without their other half, which it turns into
// U+FFFD. A description or a message with a character lost that way would
// be judged on words the person did not write, so callers refuse it.
package jsonin

import (
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrNotText reports JSON input that does not hold text throughout.
var ErrNotText = errors.New("not valid UTF-8 text")

// Check returns an error wrapping ErrNotText that names the byte offset of
// the first invalid UTF-8 sequence or lone surrogate escape in data, a
// JSON text; nil if there is none. It reads data once, and judges escapes
// right only in valid JSON, where a backslash begins an escape.
func Check(data []byte) error {
	for i := 0; i < len(data); {
		c := data[i]
		switch {
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n == 1 {
				return fmt.Errorf("%w: byte %d is not part of a UTF-8 character", ErrNotText, i)
			}
			i += n
		case c == '\\' && i+1 < len(data) && data[i+1] == 'u':
			r, ok := hex4(data[i+2:])
			switch {
			case !ok || !utf16.IsSurrogate(r):
				i += 2
			case r < 0xdc00 && lowHalf(data[i+6:]): // a high half needs a low half next
				i += 12
			default:
				return fmt.Errorf("%w: the escape at byte %d is half of a UTF-16 pair", ErrNotText, i)
			}
		case c == '\\':
			i += 2 // an escaped character, maybe a backslash
		default:
			i++
		}
	}
	return nil
}

// lowHalf reports whether b starts with the escape of a low surrogate.
func lowHalf(b []byte) bool {
	if len(b) < 2 || b[0] != '\\' || b[1] != 'u' {
		return false
	}
	r, ok := hex4(b[2:])
	return ok && r >= 0xdc00 && r <= 0xdfff
}

// hex4 reads the four hexadecimal digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c|0x20 >= 'a' && c|0x20 <= 'f':
			r = r<<4 | rune(c|0x20-'a'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
