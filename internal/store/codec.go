package store

import (
	"encoding/json"
	"fmt"

	"github.com/kakekomi/kakekomi/internal/casefile"
)

// encode seals the case body as JSON.
func encode(k casefile.Keys, c *casefile.Case) ([]byte, error) {
	pt, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode case: %w", err)
	}
	return k.Seal(bodyLabel, pt), nil
}

// decode opens a sealed case body.
func decode(k casefile.Keys, sealed []byte) (*casefile.Case, error) {
	pt, err := k.Open(bodyLabel, sealed)
	if err != nil {
		return nil, err
	}
	c := new(casefile.Case)
	if err := json.Unmarshal(pt, c); err != nil {
		return nil, fmt.Errorf("decode case: %w", err)
	}
	return c, nil
}
