package mailcheck

import "bytes"

// Limits on a mail's build. enmime's work grows with the size of the mail
// times the depth of its multipart sections, and with the square of the
// number of parts side by side; the checks' work grows with the length of
// the headers they read. Mail that real senders write stays far below these
// limits; mail built to wear a checker out goes over them and is refused.
const (
	// MaxHeaderBytes bounds the mail's header block, and MaxHeaderFieldBytes
	// each field in it, its folded lines included.
	MaxHeaderBytes      = 256 << 10
	MaxHeaderFieldBytes = 32 << 10
	// MaxParts bounds the parts of a mail (each text, picture or
	// attachment is one).
	MaxParts = 1000
	// MaxSections bounds the multipart sections of a mail, and so how deep
	// its parts nest: a mail with text, HTML and pictures has two or
	// three, and one that forwards another as an attachment adds that
	// one's.
	MaxSections = 16
)

// checkBuild refuses a raw mail over the limits, before enmime reads it:
// the size of the header block and of each of its fields, the number of
// multipart sections and the number of parts. Each count reads raw once.
func checkBuild(raw []byte) error {
	if total, field := headerSize(raw); total > MaxHeaderBytes || field > MaxHeaderFieldBytes {
		return ErrHeaderTooLarge
	}
	sections := sectionHeaders(raw)
	if sections > MaxSections {
		return ErrTooDeep
	}
	if partsBound(raw, sections) > MaxParts {
		return ErrTooManyParts
	}
	return nil
}

// headerSize measures the header block at the start of raw as enmime reads
// it, in bytes: all of it (lines up to the first empty one), and its
// longest field (a line that names one and the lines that continue it;
// lines that enmime skips or joins to the field before count for that
// field).
func headerSize(raw []byte) (total, longest int) {
	field := 0
	for len(raw) > 0 {
		line, rest, found := bytes.Cut(raw, []byte{'\n'})
		n := len(line)
		if found {
			n++
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) == 0 {
			break
		}
		if startsField(line) {
			field = 0
		}
		total += n
		field += n
		longest = max(longest, field)
		raw = rest
	}
	return total, longest
}

// startsField reports whether enmime reads line as the start of a header
// field: no leading space, and a name of printable ASCII (spaces allowed)
// before a colon.
func startsField(line []byte) bool {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 || line[0] == ' ' || line[0] == '\t' || line[0] == '\r' {
		return false
	}
	for _, c := range line[:colon] {
		if c != ' ' && (c < '!' || c > '~') {
			return false
		}
	}
	return true
}

// sectionHeaders counts the Content-Type fields anywhere in raw that name
// a boundary. Only such a field opens a multipart section in enmime (and
// one without a boundary at the top), so this bounds both the sections and
// their depth, however their boundaries are placed or repeated; fields in
// bodies, such as those of a forwarded mail, count too, to be sure.
func sectionHeaders(raw []byte) int {
	n := 0
	inType, counted := false, false // within a Content-Type field; counted it
	for len(raw) > 0 {
		line, rest, _ := bytes.Cut(raw, []byte{'\n'})
		raw = rest
		line = bytes.TrimSuffix(line, []byte{'\r'})
		switch {
		case len(line) == 0:
			inType = false
			continue
		case startsField(line):
			name, _, _ := bytes.Cut(line, []byte{':'})
			inType, counted = isContentType(name), false
		}
		if inType && !counted && containsFold(line, "boundary") {
			n++
			counted = true
		}
	}
	return n
}

// isContentType reports whether a field name is Content-Type in any case,
// spaces aside.
func isContentType(name []byte) bool {
	const w = "content-type"
	j := 0
	for _, c := range name {
		if c == ' ' {
			continue
		}
		if j == len(w) || c|0x20 != w[j] {
			return false
		}
		j++
	}
	return j == len(w)
}

// containsFold reports whether s contains the lower-case ASCII word w in
// any case.
func containsFold(s []byte, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if s[i]|0x20 == w[0] && bytes.EqualFold(s[i:i+len(w)], []byte(w)) {
			return true
		}
	}
	return false
}

// partsBound returns an upper bound of the parts enmime reads from raw, the
// mail itself included, given the count of its sectionHeaders. enmime
// starts a part where it finds a boundary: the first of a section after a
// boundary anywhere in its preamble, the others where partStarts looks.
func partsBound(raw []byte, sections int) int {
	return 1 + (sections + 1) + partStarts(raw)
}

// partStarts counts the places where enmime may find a boundary that ends
// a part: the starts of lines (after a line feed, or a carriage return
// without one) with "--" in their first four bytes.
func partStarts(raw []byte) int {
	n := 0
	for i := 0; i < len(raw); {
		if bytes.Contains(raw[i:min(i+4, len(raw))], []byte("--")) {
			n++
		}
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			j = len(raw) - i
		}
		// A carriage return ends a line for enmime unless a line feed
		// follows it.
		if k := bytes.IndexByte(raw[i:i+j], '\r'); k >= 0 && k < j-1 {
			j = k
		}
		i += j + 1
	}
	return n
}
