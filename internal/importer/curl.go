package importer

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// curlRequest is what a cURL command line asks for, before it becomes an
// action. Secret parts (header values, the password of -u) are held here
// only until they are turned into credential references.
type curlRequest struct {
	method  string
	url     string
	headers []curlHeader
	data    []string
	json    bool
	get     bool
	user    string
	userSet bool
	form    []string
	// cookie is the value of -b when it holds cookies (not a file name).
	cookie string
	notes  []string
}

// curlHeader is one -H header, in command order.
type curlHeader struct{ name, value string }

// curlValueFlags are the flags read, each with the long name it stands for.
func curlValueFlags() map[string]string {
	return map[string]string{
		"-X": "--request", "-H": "--header", "-d": "--data", "-u": "--user",
		"-F": "--form", "-A": "--user-agent", "-e": "--referer", "-b": "--cookie",
	}
}

// curlSkippedValueFlags are flags that take a value which says nothing
// about the request an action sends (output files, timeouts, proxies).
func curlSkippedValueFlags() map[string]bool {
	names := []string{"-o", "--output", "-m", "--max-time", "--connect-timeout", "-w", "--write-out",
		"-x", "--proxy", "-c", "--cookie-jar", "--retry", "--retry-delay", "-r", "--range", "-E", "--cert",
		"--cacert", "--key", "-U", "--proxy-user", "--resolve", "--limit-rate", "-K", "--config",
		"--max-redirs", "--dump-header", "-D", "--trace", "--trace-ascii", "--stderr", "--interface"}
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// parseCurl reads the words of a cURL command into a request.
func parseCurl(words []string) (*curlRequest, error) {
	if len(words) > 0 && (words[0] == "curl" || strings.HasSuffix(words[0], "/curl")) {
		words = words[1:]
	}
	req := &curlRequest{}
	short, skipped := curlValueFlags(), curlSkippedValueFlags()
	unknown := map[string]bool{}
	extra := 0
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "--":
			extra += req.positional(words[i+1:])
			i = len(words)
		case strings.HasPrefix(w, "--"):
			name, value, hasValue := strings.Cut(w, "=")
			if !takesValue(name) && !skipped[name] {
				req.flag(name, unknown)
				continue
			}
			if !hasValue {
				if i+1 >= len(words) {
					return nil, fmt.Errorf("flag %s needs a value", name)
				}
				i++
				value = words[i]
			}
			if skipped[name] {
				continue
			}
			if err := req.option(name, value); err != nil {
				return nil, err
			}
		case strings.HasPrefix(w, "-") && len(w) > 1:
			n, err := req.shortFlags(words, i, short, skipped, unknown)
			if err != nil {
				return nil, err
			}
			i = n
		default:
			extra += req.positional([]string{w})
		}
	}
	req.noteIgnored(unknown, extra)
	return req, nil
}

// shortFlags reads the combined short flags of words[i] (-sSL, -XPOST,
// -H 'A: b') and returns the index of the last word used.
func (req *curlRequest) shortFlags(words []string, i int, short map[string]string, skipped, unknown map[string]bool) (int, error) {
	w := words[i]
	for j := 1; j < len(w); j++ {
		f := "-" + w[j:j+1]
		long, reads := short[f]
		if !reads && !skipped[f] {
			req.flag(f, unknown)
			continue
		}
		value := w[j+1:]
		if value == "" {
			if i+1 >= len(words) {
				return i, fmt.Errorf("flag %s needs a value", f)
			}
			i++
			value = words[i]
		}
		if reads {
			if err := req.option(long, value); err != nil {
				return i, err
			}
		}
		return i, nil
	}
	return i, nil
}

// takesValue reports whether the long flag name is one read with a value.
func takesValue(name string) bool {
	switch name {
	case "--request", "--header", "--data", "--data-raw", "--data-binary", "--data-ascii", "--data-urlencode",
		"--json", "--user", "--form", "--form-string", "--user-agent", "--referer", "--cookie", "--url", "--oauth2-bearer":
		return true
	}
	return false
}

// flag records a flag without a value: -G and -I change the request,
// the output and connection flags are ignored, others are noted.
func (req *curlRequest) flag(name string, unknown map[string]bool) {
	switch name {
	case "-G", "--get":
		req.get = true
	case "-I", "--head":
		req.method = "HEAD"
	case "-s", "--silent", "-S", "--show-error", "-L", "--location", "-k", "--insecure", "-v", "--verbose",
		"-i", "--include", "--compressed", "-f", "--fail", "--fail-with-body", "-N", "--no-buffer",
		"-#", "--progress-bar", "-q", "--http1.1", "--http2", "--http2-prior-knowledge", "--http3",
		"-g", "--globoff", "--location-trusted", "--no-progress-meter", "-4", "-6", "--ipv4", "--ipv6", "--tlsv1.2", "--tlsv1.3":
	default:
		unknown[name] = true
	}
}

// option records a flag read with its value.
func (req *curlRequest) option(name, value string) error {
	switch name {
	case "--request":
		req.method = strings.ToUpper(value)
	case "--header":
		n, v, ok := strings.Cut(value, ":")
		if !ok || strings.TrimSpace(n) == "" {
			if strings.HasSuffix(value, ";") {
				return nil
			}
			return fmt.Errorf("-H needs \"Name: value\": one header has no colon")
		}
		req.headers = append(req.headers, curlHeader{strings.TrimSpace(n), strings.TrimSpace(v)})
	case "--data", "--data-raw", "--data-binary", "--data-ascii":
		req.addData(name, value)
	case "--data-urlencode":
		req.addData(name, urlencodeData(value))
	case "--json":
		req.json = true
		req.addData(name, value)
	case "--user":
		req.user, req.userSet = value, true
	case "--form", "--form-string":
		req.form = append(req.form, value)
	case "--user-agent":
		req.headers = append(req.headers, curlHeader{"User-Agent", value})
	case "--referer":
		req.headers = append(req.headers, curlHeader{"Referer", value})
	case "--cookie":
		if strings.Contains(value, "=") {
			req.cookie = value
		} else {
			req.notes = append(req.notes, "-b names a cookie file, which is not read")
		}
	case "--url":
		if req.url != "" {
			req.notes = append(req.notes, "a second URL was ignored")
			return nil
		}
		req.url = value
	case "--oauth2-bearer":
		req.headers = append(req.headers, curlHeader{"Authorization", "Bearer " + value})
	}
	return nil
}

// addData adds one -d value; a value read from a file is noted and left out.
func (req *curlRequest) addData(name, value string) {
	if strings.HasPrefix(value, "@") && name != "--data-raw" {
		req.notes = append(req.notes, name+" reads a file, which is not read: its body is left out")
		return
	}
	req.data = append(req.data, value)
}

// urlencodeData encodes a --data-urlencode value as curl does: "name=value"
// and "=value" encode the value, a value without "=" is encoded whole.
func urlencodeData(v string) string {
	name, content, ok := strings.Cut(v, "=")
	if !ok {
		return url.QueryEscape(v)
	}
	if name == "" {
		return url.QueryEscape(content)
	}
	return name + "=" + url.QueryEscape(content)
}

// positional takes the first positional word as the URL and returns how
// many others were left over.
func (req *curlRequest) positional(words []string) int {
	extra := 0
	for _, w := range words {
		if req.url == "" {
			req.url = w
			continue
		}
		extra++
	}
	return extra
}

// noteIgnored notes the flags not read and the extra words (whose text is
// not repeated: it may be a secret).
func (req *curlRequest) noteIgnored(unknown map[string]bool, extra int) {
	if len(unknown) > 0 {
		names := make([]string, 0, len(unknown))
		for n := range unknown {
			names = append(names, n)
		}
		slices.Sort(names)
		if len(names) > 20 {
			names = append(names[:20], fmt.Sprintf("and %d more", len(unknown)-20))
		}
		req.notes = append(req.notes, "flags not read, ignored: "+strings.Join(names, ", "))
	}
	if extra > 0 {
		req.notes = append(req.notes, fmt.Sprintf("%d word(s) after the URL were ignored", extra))
	}
}
