package casefile

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
)

// Limits of an import. They hold for the bytes as they are read, whatever
// the ZIP's headers claim, so memory stays bounded by one evidence file
// and case.json however the export was made.
const (
	// MaxExportBytes bounds an export file as read: the largest case, its
	// case.json and manifest.json, and the ZIP's own headers.
	MaxExportBytes  = MaxCaseBytes + 32<<20
	maxCaseJSON     = 16 << 20
	maxManifestJSON = 1 << 20
	// Once an export has expanded to more than ratioAllowance bytes, it may
	// not have expanded more than maxRatio times: photos, PDFs and
	// recordings hardly shrink and text shrinks some ten times, while a ZIP
	// bomb expands about a thousand times.
	maxRatio       = 100
	ratioAllowance = maxCaseJSON + MaxEvidenceBytes
)

// Signatures and flags of the ZIP format (APPNOTE.TXT).
const (
	localHeaderSig = 0x04034b50
	dirHeaderSig   = 0x02014b50
	dirEndSig      = 0x06054b50
	descriptorSig  = 0x08074b50

	flagEncrypted       = 1 << 0
	flagDescriptor      = 1 << 3
	flagStrongEncrypted = 1 << 6
	flagMaskedHeaders   = 1 << 13
)

var le = binary.LittleEndian

// ReadBundle starts reading an export from r as a stream: it reads and
// checks case.json, and returns a bundle whose File reads the evidence
// files from r one after the other. The call of File that returns the last
// file (or ReadBundle itself, for a case without evidence) also reads the
// rest of the export and checks it, so a caller that keeps what it reads
// must discard all of it unless every call succeeds.
//
// The export must be laid out as WriteBundle writes it: case.json, the
// evidence files in the order case.json lists them, manifest.json, and the
// ZIP directory listing those entries, as they were read, as plain files.
// Anything else is refused at the first entry out of place, so the entry
// count is bounded by what a case may hold. An entry may not expand beyond
// its limit (the size case.json gives an evidence file), the sizes
// case.json declares may not exceed the case limits, the whole may not
// expand more than maxRatio times, and every entry must match its CRC-32,
// its SHA-256 in case.json and in the manifest. Errors match ErrTooLarge
// for a limit and ErrInvalid for anything else wrong with the export.
func ReadBundle(r io.Reader) (Bundle, error) {
	br := &bundleReader{in: &countingReader{r: bufio.NewReaderSize(r, 64<<10)}}
	c := new(Case)
	if err := br.entry("case.json", maxCaseJSON, func(r io.Reader) error { return decodeJSON(r, c) }); err != nil {
		return Bundle{}, err
	}
	// The sizes case.json declares bound every evidence entry, so they are
	// the total budget; Validate checks them again, but as invalid data.
	var total int64
	for _, e := range c.Evidence {
		if e.Size > MaxEvidenceBytes {
			return Bundle{}, fmt.Errorf("%w: case.json lists a file of %d bytes, more than %d", ErrTooLarge, e.Size, MaxEvidenceBytes)
		}
		total += e.Size
	}
	if total > MaxCaseBytes {
		return Bundle{}, fmt.Errorf("%w: case.json lists %d bytes of files, more than %d", ErrTooLarge, total, MaxCaseBytes)
	}
	if err := c.Validate(); err != nil {
		return Bundle{}, err
	}
	br.c = c
	if len(c.Evidence) == 0 {
		if err := br.finish(); err != nil {
			return Bundle{}, err
		}
	}
	return Bundle{Case: c, File: br.file}, nil
}

// bundleReader reads an export entry by entry.
type bundleReader struct {
	in       *countingReader
	inflated int64      // uncompressed bytes read so far
	read     []zipEntry // the entries read so far
	c        *Case
	next     int    // the index in c.Evidence of the next file
	buf      []byte // the last evidence file read, reused for the next
	err      error  // the first failure, which every later call returns
}

// zipEntry is what the local header of an entry and its bytes said, for
// the manifest and the directory to match.
type zipEntry struct {
	name        string
	offset      int64 // of the local header
	method      uint16
	crc         uint32
	csize, size int64
	sha256      string
}

// file reads the next evidence file, which must be e.
func (br *bundleReader) file(e Evidence) ([]byte, error) {
	if br.err != nil {
		return nil, br.err
	}
	if br.next >= len(br.c.Evidence) || br.c.Evidence[br.next].ID != e.ID {
		return nil, fmt.Errorf("read export: evidence %s asked for out of order", e.ID)
	}
	e = br.c.Evidence[br.next]
	if int64(cap(br.buf)) < e.Size {
		br.buf = make([]byte, e.Size)
	}
	data := br.buf[:e.Size]
	err := br.entry(evidencePath(e), e.Size, func(r io.Reader) error {
		if _, err := io.ReadFull(r, data); err == io.ErrUnexpectedEOF || err == io.EOF {
			return fmt.Errorf("shorter than the %d bytes case.json gives", e.Size)
		} else {
			return err
		}
	})
	if err != nil {
		return nil, err
	}
	if br.read[len(br.read)-1].sha256 != e.SHA256 {
		br.err = fmt.Errorf("%w: evidence %s does not match its SHA-256", ErrInvalid, e.ID)
		return nil, br.err
	}
	br.next++
	if br.next == len(br.c.Evidence) {
		if err := br.finish(); err != nil {
			return nil, err
		}
	}
	return data, nil
}

// finish reads manifest.json, checks it against the entries read, and
// reads the ZIP directory that ends the export.
func (br *bundleReader) finish() error {
	var m manifest
	if err := br.entry("manifest.json", maxManifestJSON, func(r io.Reader) error { return decodeJSON(r, &m) }); err != nil {
		return err
	}
	err := br.checkManifest(m)
	if err == nil {
		err = br.directory()
	}
	br.err = err
	return err
}

func (br *bundleReader) checkManifest(m manifest) error {
	if m.Format != bundleFormat || m.Version != 1 {
		return fmt.Errorf("%w: not a kakekomi case export (format %q version %d)", ErrInvalid, m.Format, m.Version)
	}
	files := br.read[:len(br.read)-1] // all but the manifest
	if len(m.Files) != len(files) {
		return fmt.Errorf("%w: the manifest lists %d files, the export holds %d", ErrInvalid, len(m.Files), len(files))
	}
	listed := make(map[string]manifestFile, len(m.Files))
	for _, mf := range m.Files {
		if _, dup := listed[mf.Path]; dup {
			return fmt.Errorf("%w: the manifest lists %q twice", ErrInvalid, mf.Path)
		}
		listed[mf.Path] = mf
	}
	for _, e := range files {
		if mf, ok := listed[e.name]; !ok || mf.Size != e.size || mf.SHA256 != e.sha256 {
			return fmt.Errorf("%w: %q does not match its SHA-256 in the manifest", ErrInvalid, e.name)
		}
	}
	return nil
}

// entry reads the next entry of the export, which must be a file called
// name of at most limit bytes, and hands its bytes to read. read may stop
// early: the rest is read and checked all the same.
func (br *bundleReader) entry(name string, limit int64, read func(io.Reader) error) (err error) {
	if br.err != nil {
		return br.err
	}
	defer func() {
		if err != nil {
			br.err = err
		}
	}()
	e := zipEntry{name: name, offset: br.in.n}
	var h [30]byte
	if err := br.full(h[:]); err != nil {
		if len(br.read) == 0 && errors.Is(err, ErrInvalid) {
			return br.outOfPlace(name)
		}
		return err
	}
	if le.Uint32(h[0:]) != localHeaderSig {
		return br.outOfPlace(name)
	}
	flags, hcrc, hcsize, hsize := le.Uint16(h[6:]), le.Uint32(h[14:]), le.Uint32(h[18:]), le.Uint32(h[22:])
	e.method = le.Uint16(h[8:])
	got := make([]byte, le.Uint16(h[26:]))
	if err := br.full(got); err != nil {
		return err
	}
	if string(got) != name {
		return br.outOfPlace(name)
	}
	if err := br.skip(int64(le.Uint16(h[28:]))); err != nil { // the extra field
		return err
	}
	descriptor := flags&flagDescriptor != 0
	switch {
	case flags&(flagEncrypted|flagStrongEncrypted|flagMaskedHeaders) != 0:
		return fmt.Errorf("%w: %s is encrypted", ErrInvalid, name)
	case e.method != zip.Store && e.method != zip.Deflate:
		return fmt.Errorf("%w: %s is compressed with method %d", ErrInvalid, name, e.method)
	case hcsize == 0xffffffff || hsize == 0xffffffff:
		return fmt.Errorf("%w: %s has ZIP64 sizes, which no export needs", ErrInvalid, name)
	case !descriptor && int64(hsize) > limit:
		return fmt.Errorf("%w: %s is %d bytes, more than %d", ErrTooLarge, name, hsize, limit)
	case e.method == zip.Store && (descriptor || hcsize != hsize):
		return fmt.Errorf("%w: %s is stored without its size", ErrInvalid, name)
	case !descriptor:
		limit = int64(hsize) // nothing beyond what the header declares
	}
	var src io.Reader
	if e.method == zip.Deflate {
		// flate reads byte by byte from in, so no further than its stream.
		fr := flate.NewReader(br.in)
		defer fr.Close()
		src = fr
	} else {
		src = io.LimitReader(br.in, int64(hcsize))
	}
	start := br.in.n
	er := &entryReader{br: br, src: src, name: name, limit: limit, crc: crc32.NewIEEE(), sha: sha256.New()}
	rerr := read(er)
	if rerr == nil {
		io.Copy(io.Discard, er)
	}
	if er.err != nil { // a limit or a broken stream explains rerr too
		return er.err
	}
	if rerr != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalid, name, rerr)
	}
	e.csize, e.size, e.crc = br.in.n-start, er.n, er.crc.Sum32()
	e.sha256 = hex.EncodeToString(er.sha.Sum(nil))
	if descriptor {
		var d [16]byte
		if err := br.full(d[:12]); err != nil {
			return err
		}
		if le.Uint32(d[0:]) == descriptorSig { // the signature is optional
			if err := br.full(d[12:]); err != nil {
				return err
			}
			copy(d[:], d[4:])
		}
		hcrc, hcsize, hsize = le.Uint32(d[0:]), le.Uint32(d[4:]), le.Uint32(d[8:])
	}
	if hcrc != e.crc || int64(hcsize) != e.csize || int64(hsize) != e.size {
		return fmt.Errorf("%w: %s does not match its sizes or CRC-32", ErrInvalid, name)
	}
	br.read = append(br.read, e)
	return nil
}

// outOfPlace is the error of an entry that is not the one expected.
func (br *bundleReader) outOfPlace(name string) error {
	if len(br.read) == 0 {
		return fmt.Errorf("%w: not a kakekomi case export, a ZIP file that starts with case.json", ErrInvalid)
	}
	return fmt.Errorf("%w: entry %d is not %s", ErrInvalid, len(br.read)+1, name)
}

// directory reads the ZIP directory, which must list the entries read, as
// they were read, as plain files, and nothing else; then the end of the
// export.
func (br *bundleReader) directory() error {
	start := br.in.n
	for _, e := range br.read {
		var h [46]byte
		if err := br.full(h[:]); err != nil {
			return err
		}
		if le.Uint32(h[0:]) != dirHeaderSig {
			return fmt.Errorf("%w: the export holds files the case does not list", ErrInvalid)
		}
		name := make([]byte, le.Uint16(h[28:]))
		if err := br.full(name); err != nil {
			return err
		}
		if err := br.skip(int64(le.Uint16(h[30:])) + int64(le.Uint16(h[32:]))); err != nil { // extra field, comment
			return err
		}
		fh := zip.FileHeader{Name: string(name), CreatorVersion: le.Uint16(h[4:]), ExternalAttrs: le.Uint32(h[38:])}
		if fh.Name != e.name || le.Uint16(h[10:]) != e.method || le.Uint32(h[16:]) != e.crc ||
			int64(le.Uint32(h[20:])) != e.csize || int64(le.Uint32(h[24:])) != e.size ||
			le.Uint16(h[34:]) != 0 || int64(le.Uint32(h[42:])) != e.offset {
			return fmt.Errorf("%w: the ZIP directory does not match %s", ErrInvalid, e.name)
		}
		if !fh.Mode().IsRegular() {
			return fmt.Errorf("%w: %s is not a plain file", ErrInvalid, e.name)
		}
	}
	size := br.in.n - start
	var end [22]byte
	if err := br.full(end[:]); err != nil {
		return err
	}
	n := uint16(len(br.read))
	switch {
	case le.Uint32(end[0:]) != dirEndSig:
		return fmt.Errorf("%w: the export holds files the case does not list", ErrInvalid)
	case le.Uint16(end[4:]) != 0 || le.Uint16(end[6:]) != 0 || le.Uint16(end[8:]) != n || le.Uint16(end[10:]) != n ||
		int64(le.Uint32(end[12:])) != size || int64(le.Uint32(end[16:])) != start:
		return fmt.Errorf("%w: the end of the ZIP directory does not match", ErrInvalid)
	}
	if err := br.skip(int64(le.Uint16(end[20:]))); err != nil { // the comment
		return err
	}
	if _, err := br.in.ReadByte(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the end of the ZIP")
		}
		return br.failed(err)
	}
	return nil
}

// full reads exactly len(b) bytes of the export.
func (br *bundleReader) full(b []byte) error {
	_, err := io.ReadFull(br.in, b)
	return br.failed(err)
}

// skip reads past n bytes of the export.
func (br *bundleReader) skip(n int64) error {
	_, err := io.CopyN(io.Discard, br.in, n)
	return br.failed(err)
}

// failed describes an error reading the export itself.
func (br *bundleReader) failed(err error) error {
	switch {
	case err == nil, errors.Is(err, ErrTooLarge):
		return err
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: the export ends too early", ErrInvalid)
	}
	return fmt.Errorf("%w: %w", ErrInvalid, err)
}

// expand counts n more uncompressed bytes against the ratio guard.
func (br *bundleReader) expand(n int) error {
	br.inflated += int64(n)
	if br.inflated > ratioAllowance && br.inflated > maxRatio*br.in.n {
		return fmt.Errorf("%w: the export expands more than %d times, as a ZIP bomb does", ErrTooLarge, maxRatio)
	}
	return nil
}

// entryReader reads the uncompressed bytes of one entry, hashing them and
// refusing more than limit of them.
type entryReader struct {
	br       *bundleReader
	src      io.Reader
	name     string
	limit, n int64
	crc      hash.Hash32
	sha      hash.Hash
	err      error
}

func (er *entryReader) Read(p []byte) (int, error) {
	if er.err != nil {
		return 0, er.err
	}
	if left := er.limit - er.n; int64(len(p)) > left+1 {
		p = p[:left+1]
	}
	n, err := er.src.Read(p)
	er.crc.Write(p[:n])
	er.sha.Write(p[:n])
	er.n += int64(n)
	switch {
	case er.n > er.limit:
		er.err = fmt.Errorf("%w: %s is larger than %d bytes", ErrTooLarge, er.name, er.limit)
	case err != nil && err != io.EOF:
		er.err = er.br.failed(err)
	default:
		er.err = er.br.expand(n)
	}
	if er.err != nil {
		return n, er.err
	}
	return n, err
}

// countingReader counts the bytes of an export read through it and
// refuses more than MaxExportBytes. It reads byte by byte too, so that a
// decompressor reads no further than its own stream.
type countingReader struct {
	r *bufio.Reader
	n int64
}

var errExportTooLarge = fmt.Errorf("%w: the export is larger than %d MB", ErrTooLarge, MaxExportBytes>>20)

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > MaxExportBytes {
		return n, errExportTooLarge
	}
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err != nil {
		return 0, err
	}
	if c.n++; c.n > MaxExportBytes {
		return 0, errExportTooLarge
	}
	return b, nil
}

// decodeJSON decodes one JSON value from r into v, refusing unknown fields
// and anything after the value.
func decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}
