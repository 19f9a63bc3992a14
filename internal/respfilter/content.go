package respfilter

import (
	"bytes"
	"fmt"
	"mime"
	"strings"
	"unicode/utf8"
)

// bodyKind is how a body is read.
type bodyKind int

const (
	kindJSON bodyKind = iota
	kindHTML
	kindText
	kindBinary
	kindEmpty
)

// mediaType returns the lower-cased media type of a Content-Type value.
func mediaType(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(contentType, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	return mt
}

// isJSONType reports whether a media type declares JSON.
func isJSONType(mt string) bool {
	return mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json") ||
		mt == "application/x-ndjson" || mt == "application/jsonl" || mt == "application/json-seq"
}

// classify decides how to read body. A declared JSON type is read as JSON;
// so is any other non-HTML body that starts like a JSON object or array
// (many APIs send JSON as text/plain). HTML is recognised by its type or,
// without one, by its start. Media types that are images, audio, video,
// fonts or archives, and bodies that are not UTF-8 text, are binary.
func classify(mt string, body []byte) bodyKind {
	if len(bytes.TrimSpace(body)) == 0 {
		return kindEmpty
	}
	if isJSONType(mt) {
		return kindJSON
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if mt == "text/html" || mt == "application/xhtml+xml" {
		return kindHTML
	}
	if isBinaryType(mt) {
		return kindBinary
	}
	if !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0 {
		return kindBinary
	}
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return kindJSON
	}
	if mt == "" && looksLikeHTML(trimmed) {
		return kindHTML
	}
	return kindText
}

// isBinaryType reports media types that never hold readable text.
func isBinaryType(mt string) bool {
	major, _, _ := strings.Cut(mt, "/")
	switch major {
	case "image", "audio", "video", "font", "model":
		return mt != "image/svg+xml"
	}
	switch mt {
	case "application/pdf", "application/zip", "application/gzip", "application/x-gzip",
		"application/x-tar", "application/x-7z-compressed", "application/x-protobuf",
		"application/vnd.google.protobuf", "application/msword", "application/wasm":
		return true
	}
	return strings.HasPrefix(mt, "application/vnd.openxmlformats") || strings.HasPrefix(mt, "application/vnd.ms-")
}

// looksLikeHTML reports whether a body without a declared type starts like
// an HTML document.
func looksLikeHTML(b []byte) bool {
	head := strings.ToLower(string(b[:min(len(b), 64)]))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html")
}

// describeBinary says what a binary body is instead of showing its bytes.
func describeBinary(mt string, size int) string {
	if mt == "" {
		mt = "unknown type"
	}
	return "binary content, " + mt + ", " + humanSize(size)
}

// humanSize renders a byte count as "812 bytes", "24 KiB" or "3.4 MiB".
func humanSize(n int) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
}
