package workbook

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// FuzzReadScoringSheet: whatever the bytes, reading never panics and never
// hangs; it returns rows, problems or an error. The committed seed corpus
// (testdata/fuzz/FuzzReadScoringSheet) holds a real sheet and damaged ones.
func FuzzReadScoringSheet(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		up, err := ReadScoringSheet(bytes.NewReader(data))
		if err == nil && len(up.Rows) > maxRows {
			t.Fatalf("%d rows read past the limit", len(up.Rows))
		}
	})
}

// TestWriteFuzzCorpus regenerates the seed corpus with -update.
func TestWriteFuzzCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to regenerate the fuzz seed corpus")
	}
	var sheet bytes.Buffer
	if err := WriteScoringSheet(&sheet, sampleSheet("ja")); err != nil {
		t.Fatal(err)
	}
	good := sheet.Bytes()
	seeds := map[string][]byte{
		"valid_sheet":   good,
		"truncated":     good[:len(good)/3],
		"flipped_bytes": flip(good),
		"not_a_zip":     []byte("PK\x03\x04 not really"),
		"empty":         {},
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzReadScoringSheet")
	os.MkdirAll(dir, 0o755)
	for name, data := range seeds {
		content := "go test fuzz v1\n[]byte(" + strconv.Quote(string(data)) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func flip(b []byte) []byte {
	out := bytes.Clone(b)
	for i := 200; i < len(out); i += 997 {
		out[i] ^= 0x5a
	}
	return out
}
