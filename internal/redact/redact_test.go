package redact

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

func TestMasksEveryEncoding(t *testing.T) {
	const secret = `s3cr3t/+= "quoted" ünï`
	var r Redactor
	r.Add(secret)
	js, _ := json.Marshal(secret)
	for name, text := range map[string]string{
		"plain":  "token " + secret + " end",
		"query":  "https://x.example/?k=" + url.QueryEscape(secret),
		"path":   "https://x.example/" + url.PathEscape(secret),
		"json":   `{"k":` + string(js) + `}`,
		"base64": base64.StdEncoding.EncodeToString([]byte(secret)),
	} {
		got := r.String(text)
		if strings.Contains(got, secret) || !strings.Contains(got, Mask) {
			t.Errorf("%s: %q -> %q", name, text, got)
		}
	}
}

func TestMasksBasicAuthPair(t *testing.T) {
	var r Redactor
	r.AddBasic("kim", "hunter22")
	h := "Basic " + base64.StdEncoding.EncodeToString([]byte("kim:hunter22"))
	if got := r.String(h); got != "Basic "+Mask {
		t.Errorf("got %q", got)
	}
}

func TestLongerSecretMaskedWhole(t *testing.T) {
	var r Redactor
	r.Add("abcd")
	r.Add("abcdefgh")
	if got := r.String("x abcdefgh y"); got != "x "+Mask+" y" {
		t.Errorf("got %q", got)
	}
}

func TestEmptyRedactorChangesNothing(t *testing.T) {
	var r *Redactor
	if got := r.String("abc"); got != "abc" {
		t.Errorf("got %q", got)
	}
	var z Redactor
	z.Add("")
	if !z.Empty() || z.String("abc") != "abc" {
		t.Errorf("empty secret registered")
	}
}
