package egress

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/actiongate/actiongate/internal/redact"
)

// readResponse reads resp's body, decompressing gzip, and fails with a
// too_large error once more than the cap has arrived: at most cap+1 bytes are
// ever read (after decompression).
func (c *Client) readResponse(method string, resp *http.Response) (*Response, error) {
	defer resp.Body.Close()
	host := resp.Request.URL.Hostname()
	out := &Response{
		Status:      resp.StatusCode,
		Header:      resp.Header,
		ContentType: resp.Header.Get("Content-Type"),
		FinalURL:    maskedURL(resp.Request),
	}
	if method == http.MethodHead || resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified {
		return out, nil
	}
	var body io.Reader = resp.Body
	size := resp.ContentLength
	if strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip") {
		zr, err := gzip.NewReader(resp.Body)
		if err == io.EOF {
			resp.Header.Del("Content-Encoding")
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		body = zr
		size = -1
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
	}
	if size > c.maxBytes {
		return nil, tooLargeErr(host, c.maxBytes, 0)
	}
	var buf bytes.Buffer
	if size > 0 {
		buf.Grow(int(size))
	}
	n, err := buf.ReadFrom(io.LimitReader(body, c.maxBytes+1))
	if n > c.maxBytes {
		return nil, tooLargeErr(host, c.maxBytes, 0)
	}
	if err != nil {
		return nil, err
	}
	out.Body = buf.Bytes()
	return out, nil
}

// maskedURL returns the URL of req with the value of a query credential
// replaced by redact.Mask.
func maskedURL(req *http.Request) *url.URL {
	u := *req.URL
	st, _ := req.Context().Value(callKey{}).(*call)
	if st == nil || st.cred == nil || st.cred.queryKey() == "" {
		return &u
	}
	q := u.Query()
	if q.Has(st.cred.queryKey()) {
		q.Set(st.cred.queryKey(), redact.Mask)
		u.RawQuery = q.Encode()
	}
	return &u
}
