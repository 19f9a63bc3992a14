package provider

import (
	"fmt"
	"io"
	"strings"
)

// answer accumulates one streamed answer within the bounds.
type answer struct {
	provider string
	onText   func(string)
	text     strings.Builder
	calls    []ToolCall
	args     []strings.Builder
	size     int
	// emitted is set once text reached onText: the call is not retried.
	emitted bool
	usage   Usage
	stop    string
}

// tooLarge is the Error of an answer past a bound.
func tooLarge(provider, what string) *Error {
	return &Error{Provider: provider, Type: TypeTooLarge, Message: "the answer was cut: " + what}
}

// grow counts n more bytes of answer.
func (a *answer) grow(n int) error {
	a.size += n
	if a.size > MaxAnswerBytes {
		return tooLarge(a.provider, fmt.Sprintf("it is larger than %d MiB of text and tool-call arguments", MaxAnswerBytes>>20))
	}
	return nil
}

// addText appends a text delta and passes it to onText.
func (a *answer) addText(s string) error {
	if s == "" {
		return nil
	}
	if err := a.grow(len(s)); err != nil {
		return err
	}
	a.text.WriteString(s)
	if a.onText != nil {
		a.emitted = true
		a.onText(s)
	}
	return nil
}

// newCall starts a tool call and returns its position.
func (a *answer) newCall(id, name string) (int, error) {
	if len(a.calls) >= MaxToolCalls {
		return 0, tooLarge(a.provider, fmt.Sprintf("it asks for more than %d tool calls", MaxToolCalls))
	}
	if err := a.grow(len(id) + len(name)); err != nil {
		return 0, err
	}
	a.calls = append(a.calls, ToolCall{ID: id, Name: name})
	a.args = append(a.args, strings.Builder{})
	return len(a.calls) - 1, nil
}

// addName appends to the name of call i (OpenAI may stream it in parts).
func (a *answer) addName(i int, s string) error {
	if err := a.grow(len(s)); err != nil {
		return err
	}
	a.calls[i].Name += s
	return nil
}

// addArgs appends an arguments delta to call i.
func (a *answer) addArgs(i int, s string) error {
	if err := a.grow(len(s)); err != nil {
		return err
	}
	a.args[i].WriteString(s)
	return nil
}

// response returns the whole answer. A call without arguments gets "{}".
func (a *answer) response() *Response {
	r := &Response{Content: a.text.String(), Usage: a.usage, StopReason: a.stop}
	for i, tc := range a.calls {
		tc.Arguments = a.args[i].String()
		if strings.TrimSpace(tc.Arguments) == "" {
			tc.Arguments = "{}"
		}
		r.ToolCalls = append(r.ToolCalls, tc)
	}
	return r
}

// maxEventBytes bounds one server-sent event (the text between two blank
// lines), so a stream cannot make the SDK's line reader buffer more than
// one answer's worth.
const maxEventBytes = MaxAnswerBytes + 64<<10

// boundedBody is a response body that fails past MaxWireBytes in all or
// maxEventBytes in one event.
type boundedBody struct {
	rc io.ReadCloser
	c  *client
	// total counts all bytes; event the bytes since the last blank line.
	total, event int64
	// lastNL is set when the previous byte (CR ignored) ended a line.
	lastNL bool
}

// Read implements io.Reader.
func (b *boundedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.total += int64(n)
	if b.total > MaxWireBytes {
		return 0, tooLarge(b.c.name, fmt.Sprintf("the provider sent more than %d MiB", MaxWireBytes>>20))
	}
	for _, ch := range p[:n] {
		switch ch {
		case '\r':
			continue
		case '\n':
			if b.lastNL {
				b.event = 0
			}
			b.lastNL = true
		default:
			b.lastNL = false
		}
		b.event++
	}
	if b.event > maxEventBytes {
		return 0, tooLarge(b.c.name, fmt.Sprintf("one stream event is larger than %d MiB", maxEventBytes>>20))
	}
	return n, err
}

// Close implements io.Closer.
func (b *boundedBody) Close() error { return b.rc.Close() }
