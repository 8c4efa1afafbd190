package casefile

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/width"
)

// A case code is the only key to a case: 20 characters of Crockford's
// base32 (no I, L, O or U, so nothing is read two ways), shown as four
// groups of five: 32^20 = 2^100 possibilities.
const (
	codeGroups   = 4
	codeGroupLen = 5
)

// alphabet is Crockford's base32: 32 symbols, 5 bits each.
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Argon2id parameters (OWASP's minimum for argon2id: 19 MiB, 2 passes).
// The code alone has 100 bits, so the slow hash only matters for the
// passphrase, and for a store stolen together with a weak passphrase.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
)

// NewCode returns a fresh random case code, formatted for people.
func NewCode() string {
	var b [codeGroups * codeGroupLen]byte
	rand.Read(b[:])
	var sb strings.Builder
	for i, x := range b {
		if i > 0 && i%codeGroupLen == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(alphabet[x&31])
	}
	return sb.String()
}

// NormalizeCode reads a code as a person may type it: any case, full or
// half width (a Japanese keyboard types ＡＢＣ and 「ー」 for the dash), with
// or without dashes or spaces, O for 0 and I or L for 1.
func NormalizeCode(s string) (string, error) {
	var sb strings.Builder
	for _, r := range strings.ToUpper(width.Fold.String(s)) {
		switch r {
		case '-', 'ー', '‐', '‑', '–', '—', '−', '―', ' ', '\t':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if r > 0x7f || !strings.ContainsRune(alphabet, r) {
			return "", fmt.Errorf("%w: it has only letters and digits", ErrBadCode)
		}
		sb.WriteRune(r)
	}
	if sb.Len() != codeGroups*codeGroupLen {
		return "", fmt.Errorf("%w: it has %d characters", ErrBadCode, codeGroups*codeGroupLen)
	}
	return sb.String(), nil
}

// Keys are what the code (and passphrase) unlock. Lookup names the case in
// the store; the store cannot turn it back into the code, nor read the case
// without the code.
type Keys struct {
	Lookup     string // hex; derived separately from the data key
	Passphrase bool   // whether a passphrase went into the data key
	aead       cipher.AEAD
}

// DeriveKeys derives the keys of a case from its code and optional
// passphrase with argon2id and HKDF-SHA256.
func DeriveKeys(code, passphrase string) (Keys, error) {
	ck, err := DeriveCodeKeys(code)
	if err != nil {
		return Keys{}, err
	}
	return ck.Keys(passphrase)
}

// CodeKeys are what the code alone unlocks: the case's name in the store,
// and the root of its data key. They let a server find out whether a case
// exists, and whether it has a passphrase, before it spends a second slow
// hash on the passphrase.
type CodeKeys struct {
	Lookup string // as in Keys
	root   []byte
}

// DeriveCodeKeys runs the slow hash (argon2id) of a case code.
func DeriveCodeKeys(code string) (CodeKeys, error) {
	norm, err := NormalizeCode(code)
	if err != nil {
		return CodeKeys{}, err
	}
	root := argon2.IDKey([]byte(norm), []byte("kakekomi case code v1"), argonTime, argonMemory, argonThreads, 32)
	lookup, err := hkdf.Key(sha256.New, root, nil, "kakekomi lookup v1", 32)
	if err != nil {
		return CodeKeys{}, fmt.Errorf("derive lookup: %w", err)
	}
	return CodeKeys{Lookup: hex.EncodeToString(lookup), root: root}, nil
}

// Keys derives the data key from the code's root and the optional
// passphrase, which gets a slow hash of its own.
func (ck CodeKeys) Keys(passphrase string) (Keys, error) {
	if ck.root == nil {
		return Keys{}, errors.New("code keys not derived")
	}
	data, err := hkdf.Key(sha256.New, ck.root, nil, "kakekomi data v1", 32)
	if err != nil {
		return Keys{}, fmt.Errorf("derive data key: %w", err)
	}
	if passphrase != "" {
		// The passphrase gets its own slow hash, salted by the code, so a
		// guess costs one argon2id run per case.
		salt := hmac.New(sha256.New, ck.root)
		salt.Write([]byte("kakekomi passphrase salt v1"))
		p := argon2.IDKey([]byte(passphrase), salt.Sum(nil), argonTime, argonMemory, argonThreads, 32)
		data, err = hkdf.Key(sha256.New, append(data, p...), nil, "kakekomi data+passphrase v1", 32)
		if err != nil {
			return Keys{}, fmt.Errorf("derive data key: %w", err)
		}
	}
	block, err := aes.NewCipher(data)
	if err != nil {
		return Keys{}, fmt.Errorf("data key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return Keys{}, fmt.Errorf("data key: %w", err)
	}
	return Keys{Lookup: ck.Lookup, Passphrase: passphrase != "", aead: aead}, nil
}

// Seal encrypts plaintext with AES-256-GCM. label binds the ciphertext to
// its place (the case body, one evidence id) so that blobs cannot be
// swapped between places or cases.
func (k Keys) Seal(label string, plaintext []byte) []byte {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	rand.Read(nonce)
	return k.aead.Seal(nonce, nonce, plaintext, []byte(k.Lookup+"\x00"+label))
}

// Open decrypts what Seal sealed with the same label, in place: the
// plaintext it returns overwrites sealed, so that opening a large evidence
// file needs no second copy. A wrong passphrase gives ErrPassphrase.
func (k Keys) Open(label string, sealed []byte) ([]byte, error) {
	if k.aead == nil {
		return nil, errors.New("keys not derived")
	}
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return nil, fmt.Errorf("%w: sealed data too short", ErrInvalid)
	}
	pt, err := k.aead.Open(sealed[n:n], sealed[:n], sealed[n:], []byte(k.Lookup+"\x00"+label))
	if err != nil {
		return nil, ErrPassphrase
	}
	return pt, nil
}
