// Package redacttest helps tests prove that a secret never leaves
// actiongate: it spells a secret in every encoding an upstream may use, runs
// an upstream that echoes a secret behind padding the caller chooses (so
// the caller can move where a cut falls), and finds a secret, any of its
// spellings or a fragment of it in what a surface returned.
package redacttest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf16"
)

// FragmentLen is the length of the shortest piece of a canary's head that
// counts as a leak.
const FragmentLen = 6

// Canary returns a fresh secret: a random head of letters and digits,
// which a leaked fragment is searched for, then a tail of characters every
// encoding spells differently ("/", "+", "&", "<", "'", "=", non-ASCII and
// beyond the BMP). It holds no quote, backslash, space or line break, so
// every spelling fits inside a JSON string as it is.
func Canary() (secret, head string) {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	var b [24]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	head = "Cnry" + string(b[:])
	return head + "/+=&<x>'üñ😀", head
}

// Spellings returns secret in every encoding of a secret an upstream body
// may carry, by name.
func Spellings(secret string) map[string]string {
	js, _ := json.Marshal(secret)
	return map[string]string{
		"json escaped slashes and \\u (PHP)": PHPJSON(secret),
		"\\u lower hex":                      EscapeEach(secret, func(_ int, r rune) string { return JSONU(r, `\u%04x`) }),
		"\\u upper hex":                      EscapeEach(secret, func(_ int, r rune) string { return JSONU(r, `\u%04X`) }),
		"every other rune \\u": EscapeEach(secret, func(i int, r rune) string {
			if i%2 == 0 {
				return JSONU(r, `\u%04x`)
			}
			return ""
		}),
		"json quoted":                string(js[1 : len(js)-1]),
		"html escaped":               html.EscapeString(secret),
		"html named":                 EscapeEach(secret, named),
		"html decimal":               EscapeEach(secret, func(_ int, r rune) string { return fmt.Sprintf("&#%d;", r) }),
		"html hex":                   EscapeEach(secret, func(_ int, r rune) string { return fmt.Sprintf("&#x%x;", r) }),
		"html upper hex":             EscapeEach(secret, func(_ int, r rune) string { return fmt.Sprintf("&#X%X;", r) }),
		"html hex leading zeros":     EscapeEach(secret, func(_ int, r rune) string { return fmt.Sprintf("&#x%06x;", r) }),
		"html decimal leading zeros": EscapeEach(secret, func(_ int, r rune) string { return fmt.Sprintf("&#%07d;", r) }),
		"percent upper hex":          PercentEach(secret, "%%%02X"),
		"percent lower hex":          PercentEach(secret, "%%%02x"),
		"query escaped":              url.QueryEscape(secret),
		"path escaped":               url.PathEscape(secret),
		"base64 std":                 base64.StdEncoding.EncodeToString([]byte(secret)),
		"base64 raw":                 base64.RawStdEncoding.EncodeToString([]byte(secret)),
		"base64 url":                 base64.URLEncoding.EncodeToString([]byte(secret)),
		"base64 raw url":             base64.RawURLEncoding.EncodeToString([]byte(secret)),
		"base64 std escaped slashes": strings.ReplaceAll(base64.StdEncoding.EncodeToString([]byte(secret)), "/", `\/`),
		"mixed escapes": EscapeEach(secret, func(i int, r rune) string {
			switch i % 4 {
			case 0:
				return JSONU(r, `\u%04x`)
			case 1:
				return fmt.Sprintf("&#%d;", r)
			case 2:
				return PercentEach(string(r), "%%%02x")
			}
			return ""
		}),
	}
}

// named spells the runes HTML has short names for by name.
func named(_ int, r rune) string {
	return map[rune]string{'&': "&amp;", '<': "&lt;", '>': "&gt;", '\'': "&apos;", '"': "&quot;", '/': "&sol;", '+': "&plus;", '=': "&equals;", 'ü': "&uuml;", 'ñ': "&ntilde;"}[r]
}

// EscapeEach spells every rune of s with spell, keeping the runes for which
// spell returns "".
func EscapeEach(s string, spell func(i int, r rune) string) string {
	var b strings.Builder
	i := 0
	for _, r := range s {
		if e := spell(i, r); e != "" {
			b.WriteString(e)
		} else {
			b.WriteRune(r)
		}
		i++
	}
	return b.String()
}

// JSONU spells r as a JSON \u escape in the given format (`\u%04x` or
// `\u%04X`), as a surrogate pair beyond the BMP.
func JSONU(r rune, format string) string {
	if r > 0xffff {
		r1, r2 := utf16.EncodeRune(r)
		return fmt.Sprintf(format+format, r1, r2)
	}
	return fmt.Sprintf(format, r)
}

// PHPJSON quotes s as PHP's json_encode does by default, without the
// quotes: "/" as "\/" and every non-ASCII rune as \u escapes.
func PHPJSON(s string) string {
	return EscapeEach(s, func(_ int, r rune) string {
		switch {
		case r == '/':
			return `\/`
		case r == '"' || r == '\\':
			return `\` + string(r)
		case r > 0x7e:
			return JSONU(r, `\u%04x`)
		}
		return ""
	})
}

// PercentEach percent-encodes every byte of s with format ("%%%02X").
func PercentEach(s, format string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, format, s[i])
	}
	return b.String()
}

// Find returns what of secret appears in b: the names of the spellings
// found, as they are or quoted once more as a JSON API quotes them, and
// "fragment X" for a piece of head of FragmentLen bytes.
func Find(b []byte, secret, head string) []string {
	text := string(b)
	var found []string
	for name, s := range Spellings(secret) {
		js, _ := json.Marshal(s)
		if strings.Contains(text, s) || strings.Contains(text, string(js[1:len(js)-1])) {
			found = append(found, name)
		}
	}
	for i := 0; i+FragmentLen <= len(head); i++ {
		if f := head[i : i+FragmentLen]; strings.Contains(text, f) {
			found = append(found, "fragment "+f)
			break
		}
	}
	return found
}

// Echo is an upstream answering GET ?k=SECRET&form=FORM&pad=PAD&n=N with
// PAD and N dashes, then SECRET, in FORM: "json" (a JSON string), "text"
// (a line), "html" (a paragraph), "error" (a message with status 400),
// "list" (every item of a list longer than one page), or "spell:NAME",
// SECRET alone spelled as Spellings names it inside a JSON string.
func Echo() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		n, _ := strconv.Atoi(q.Get("n"))
		secret := q.Get("k")
		value := q.Get("pad") + strings.Repeat("-", max(n, 0)) + secret
		form := q.Get("form")
		switch {
		case form == "json":
			writeJSON(w, http.StatusOK, map[string]any{"echo": value})
		case form == "text":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprintln(w, value)
		case form == "html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, "<html><body><p>%s</p></body></html>", html.EscapeString(value))
		case form == "error":
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{"message": value}})
		case form == "list":
			items := make([]any, 80)
			for i := range items {
				items[i] = map[string]any{"i": i, "echo": value}
			}
			writeJSON(w, http.StatusOK, items)
		case strings.HasPrefix(form, "spell:"):
			s, ok := Spellings(secret)[strings.TrimPrefix(form, "spell:")]
			if !ok {
				http.Error(w, "unknown spelling", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"pad":%q,"echo":"%s"}`, q.Get("pad"), s)
		default:
			http.Error(w, "unknown form", http.StatusBadRequest)
		}
	})
}

// EchoActions is the resource YAML of the two actions that call Echo at
// base ("http://host:port"), sending the stored secret secretName:
// echo_cut takes form, pad and n and cuts strings at 40 characters, so the
// caller moves the cut across the secret; echo_spelled takes spelling and
// gets the secret whole in that spelling.
func EchoActions(base, secretName string) string {
	return strings.NewReplacer("BASE", base, "SECRET", secretName).Replace(`kind: Action
name: echo_cut
description: Echoes the padding it is given, then the stored secret.
method: GET
url: BASE/echo
query:
  k: "{{secret.SECRET}}"
  form: "{{form}}"
  pad: "{{pad}}"
  n: "{{n}}"
params:
  form: {type: string, required: true}
  pad: {type: string, default: ""}
  n: {type: integer, default: 0}
response:
  max_string: 40
---
kind: Action
name: echo_spelled
description: Echoes the stored secret spelled in the given encoding, uncut.
method: GET
url: BASE/echo
query:
  k: "{{secret.SECRET}}"
  form: "spell:{{spelling}}"
params:
  spelling: {type: string, required: true}
`)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
