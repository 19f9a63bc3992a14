package secret

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func TestParseMasterKeyForms(t *testing.T) {
	key := make([]byte, KeySize)
	for i := range key {
		key[i] = byte(i*7 + 0xf0) // includes bytes that differ between std and url base64
	}
	forms := map[string]string{
		"hex lower":        hex.EncodeToString(key),
		"hex upper":        strings.ToUpper(hex.EncodeToString(key)),
		"std padded":       base64.StdEncoding.EncodeToString(key),
		"std raw":          base64.RawStdEncoding.EncodeToString(key),
		"url padded":       base64.URLEncoding.EncodeToString(key),
		"url raw":          base64.RawURLEncoding.EncodeToString(key),
		"trailing newline": base64.StdEncoding.EncodeToString(key) + "\n",
		"EncodeKey":        EncodeKey(key),
	}
	for name, s := range forms {
		got, err := ParseMasterKey(s)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !bytes.Equal(got, key) {
			t.Errorf("%s: decoded to a different key", name)
		}
	}
}

func TestParseMasterKeyErrors(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"empty":      {"", "empty"},
		"blank":      {"   ", "empty"},
		"short b64":  {base64.StdEncoding.EncodeToString([]byte("too-short-key-value")), "decodes to 19 bytes"},
		"long hex":   {strings.Repeat("ab", 40), "decodes to 60 bytes"},
		"passphrase": {"correct horse battery staple!", "neither hex nor base64"},
		"bad hex":    {strings.Repeat("zz", 32), "decodes to 48 bytes"},
	}
	for name, c := range cases {
		_, err := ParseMasterKey(c.in)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, c.want) || !strings.Contains(msg, "64 hex characters or as base64") {
			t.Errorf("%s: error %q lacks %q or the expected form", name, msg, c.want)
		}
		if strings.TrimSpace(c.in) != "" && strings.Contains(msg, strings.TrimSpace(c.in)) {
			t.Errorf("%s: error %q echoes the value", name, msg)
		}
	}
}

func TestGenerateKey(t *testing.T) {
	a, _ := GenerateKey()
	b, _ := GenerateKey()
	if len(a) != KeySize || bytes.Equal(a, b) {
		t.Fatal("GenerateKey does not return distinct 32-byte keys")
	}
}
