package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

var errConnectionString = errors.New(`connection_string is not a valid PostgreSQL connection string; expected a URL such as "postgres://user@host:5432/db" or "host=... dbname=..."`)

const (
	defaultBatchSize      = 10000
	defaultBatchSizeBytes = 5 * 1024 * 1024
)

// Spec is the destination's `spec:` block in a CloudQuery configuration.
type Spec struct {
	// ConnectionString is a PostgreSQL URL (postgres://user@host:port/db) or keyword/value DSN.
	ConnectionString string `json:"connection_string"`
	// BatchSize is the most rows buffered before they are written.
	BatchSize int `json:"batch_size,omitempty"`
	// BatchSizeBytes is the most bytes buffered before they are written.
	BatchSizeBytes int `json:"batch_size_bytes,omitempty"`
}

// parseSpec decodes and validates a spec, rejecting unknown fields so typos do not go unnoticed.
func parseSpec(raw []byte) (Spec, error) {
	var s Spec
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Spec{}, fmt.Errorf("invalid pgtest destination spec: %w", err)
	}
	s.setDefaults()
	return s, s.validate()
}

func (s *Spec) setDefaults() {
	if s.BatchSize == 0 {
		s.BatchSize = defaultBatchSize
	}
	if s.BatchSizeBytes == 0 {
		s.BatchSizeBytes = defaultBatchSizeBytes
	}
}

func (s Spec) validate() error {
	if s.ConnectionString == "" {
		return errors.New(`connection_string is required: set spec.connection_string to a PostgreSQL URL such as "postgres://user@127.0.0.1:5432/db?sslmode=disable"`)
	}
	// The parse error is not wrapped: it quotes the connection string, password included at times.
	if _, err := pgx.ParseConfig(s.ConnectionString); err != nil {
		return errConnectionString
	}
	if s.BatchSize < 0 || s.BatchSizeBytes < 0 {
		return errors.New("batch_size and batch_size_bytes must not be negative")
	}
	return nil
}
