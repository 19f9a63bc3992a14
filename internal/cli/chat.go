package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/runlog"
	"github.com/actiongate/actiongate/internal/runtime"
)

// maxChatLine bounds one line read from standard input; a longer line is
// refused (and not sent) rather than cut.
const maxChatLine = 64 << 10

// terminalContact is the name of the anonymous contact a chat without
// --contact creates.
const terminalContact = "terminal"

// exitGrace is how long a chat that is quitting waits for a cancelled turn
// to save its conversation before it closes the database anyway.
const exitGrace = 3 * time.Second

// errChatQuit ends a chat: /quit, a second Ctrl-C, or a termination signal.
var errChatQuit = errors.New("cli: chat: quit")

// chatFlags are the flags of `chat`.
type chatFlags struct {
	contact string
	vars    []string
}

func newChatCmd(e *env) *cobra.Command {
	var f chatFlags
	cmd := &cobra.Command{
		Use:   "chat AGENT [--contact EXTERNAL_ID] [--var k=v]...",
		Short: "Talk with an agent in the terminal, with its tool calls shown inline",
		Long: `Talk with an agent that has a model, one line per message. The answer is
printed as it arrives; each tool call shows inline with its arguments, its
status, its run id and its tokens raw → filtered, and each turn ends with the
model's usage. A write that needs confirmation shows the request it would
send (secrets masked) and asks approve? [y/N]; only y sends it.

--contact finds the contact with that external id, or creates it; without it
a new anonymous contact named "terminal" is created. --var sets conversation
variables ({{vars.k}}), as strings. The conversation's channel is "api".

/quit or end of input (Ctrl-D) ends the chat. Ctrl-C cancels the running
turn; a second Ctrl-C, or Ctrl-C at the prompt, ends the chat.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runChat(cmd, e, args[0], &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.contact, "contact", "", "the contact's external id: found, or created when new")
	fl.StringArrayVar(&f.vars, "var", nil, "conversation variable k=v, kept as a string (repeatable)")
	return cmd
}

func runChat(cmd *cobra.Command, e *env, agent string, f *chatFlags) error {
	vars, err := parsePairs("--var", f.vars)
	if err != nil {
		return err
	}
	g, err := openExistingGateway(cmd, e)
	if err != nil {
		return err
	}
	defer g.Close()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	// The chat answers its own signals: the first Ctrl-C cancels a turn,
	// not the command, so turns run outside the command's context.
	ctx := context.WithoutCancel(cmd.Context())
	c := newChat(e, runtime.New(g, runtime.Options{}), g, sigs)
	return c.run(ctx, agent, f.contact, vars)
}

// chat is one terminal conversation with an agent.
type chat struct {
	e    *env
	rt   *runtime.Runtime
	g    *gateway.Gateway
	p    *gateway.Principal
	sigs <-chan os.Signal
	// prompt is whether to print "you> " (standard input is a terminal).
	prompt bool
	// dim is whether to dim the usage lines (standard output is a terminal).
	dim    bool
	convID string
}

func newChat(e *env, rt *runtime.Runtime, g *gateway.Gateway, sigs <-chan os.Signal) *chat {
	c := &chat{e: e, rt: rt, g: g, p: gateway.Operator(), sigs: sigs, prompt: isTerminal(e.stdin)}
	if r, ok := e.stdout.(io.Reader); ok {
		c.dim = isTerminal(r)
	}
	return c
}

// run starts the conversation and talks until the input ends or the
// person quits.
func (c *chat) run(ctx context.Context, agent, externalID string, vars map[string]any) error {
	if err := c.start(ctx, agent, externalID, vars); err != nil {
		return err
	}
	lines, stop := readLines(c.e.stdin)
	defer stop()
	defer fmt.Fprintf(c.e.stderr, "Conversation %s ended.\n", c.convID)
	for {
		text, ok, err := c.next(lines)
		if err != nil || !ok {
			return ignoreQuit(err)
		}
		if err := c.turn(ctx, lines, text); err != nil {
			return ignoreQuit(err)
		}
	}
}

// ignoreQuit turns the end of a chat into success.
func ignoreQuit(err error) error {
	if errors.Is(err, errChatQuit) {
		return nil
	}
	return err
}

// start begins the conversation and says who the agent talks with.
func (c *chat) start(ctx context.Context, agent, externalID string, vars map[string]any) error {
	contact := &gateway.Contact{ExternalID: externalID}
	if externalID == "" {
		contact = &gateway.Contact{Name: terminalContact}
	}
	conv, err := c.rt.Start(ctx, c.p, runtime.StartRequest{Agent: agent, Contact: contact, Vars: vars, Channel: gateway.ChannelAPI})
	if errors.Is(err, runtime.ErrNoModel) {
		return fmt.Errorf("agent %s has no model, so it only serves tools; give it one with "+
			"model: {provider: PROVIDER, name: MODEL} in its resource (and a kind: Provider resource of that name), then apply it", agent)
	}
	if err != nil {
		return fmt.Errorf("starting a conversation with agent %s: %w", agent, err)
	}
	c.convID = conv.ID
	if externalID == "" {
		fmt.Fprintf(c.e.stderr, "No --contact given: created a new anonymous contact %q (%s). Pass --contact EXTERNAL_ID to talk as the same person again.\n", terminalContact, conv.ContactID)
	} else {
		fmt.Fprintf(c.e.stderr, "Talking as contact %s (external id %s).\n", conv.ContactID, externalID)
	}
	fmt.Fprintf(c.e.stderr, "Conversation %s with agent %s. Type /quit or press Ctrl-D to end.\n", conv.ID, agent)
	return nil
}

// next returns the next message to send: it skips empty lines and refuses
// overlong ones; ok is false at the end of the input or on /quit.
func (c *chat) next(lines <-chan chatLine) (text string, ok bool, err error) {
	for {
		if c.prompt {
			fmt.Fprint(c.e.stdout, "you> ")
		}
		l, ok, err := c.readLine(lines)
		if err != nil || !ok {
			return "", false, err
		}
		if l.tooLong {
			fmt.Fprintf(c.e.stdout, "  ✗ that line is longer than %d bytes; nothing was sent\n", maxChatLine)
			continue
		}
		text := strings.TrimSpace(l.text)
		switch text {
		case "":
			continue
		case "/quit":
			return "", false, nil
		}
		return text, true, nil
	}
}

// readLine waits for a line of input; a signal ends the chat.
func (c *chat) readLine(lines <-chan chatLine) (chatLine, bool, error) {
	select {
	case l, ok := <-lines:
		if ok && l.err != nil {
			return chatLine{}, false, fmt.Errorf("cli: chat: reading standard input: %w", l.err)
		}
		return l, ok, nil
	case <-c.sigs:
		fmt.Fprintln(c.e.stdout)
		return chatLine{}, false, errChatQuit
	}
}

// turn sends one message and follows the turn through any confirmations
// it pauses for.
func (c *chat) turn(ctx context.Context, lines <-chan chatLine, text string) error {
	pr := c.newPrinter()
	emit := pr.emit
	res, err := c.interruptible(ctx, func(ctx context.Context) (*runtime.TurnResult, error) {
		return c.rt.Send(ctx, c.p, c.convID, text, emit)
	})
	for {
		if err != nil {
			if errors.Is(err, errChatQuit) {
				return err
			}
			pr.endText()
			fmt.Fprintf(c.e.stdout, "  ✗ %v\n", err)
			return nil
		}
		pr.finish(res)
		if res.Status != runtime.TurnWaiting {
			return nil
		}
		approve, askErr := c.ask(ctx, lines, pr, res.ConfirmationID)
		if askErr != nil {
			return askErr
		}
		pr, res, err = c.decide(ctx, res.ConfirmationID, approve)
	}
}

// decide approves or rejects a confirmation and runs the turn it resumes,
// printed by the printer it returns.
func (c *chat) decide(ctx context.Context, id string, approve bool) (*printer, *runtime.TurnResult, error) {
	pr := c.newPrinter()
	res, err := c.interruptible(ctx, func(ctx context.Context) (*runtime.TurnResult, error) {
		_, tr, err := c.rt.Decide(ctx, c.p, id, approve, pr.emit)
		if err == nil && tr == nil {
			err = fmt.Errorf("cli: chat: confirmation %s paused no turn of this conversation", id)
		}
		return tr, err
	})
	return pr, res, err
}

// interruptible runs a turn step while watching for signals: the first
// Ctrl-C cancels it, a second one (or a termination signal) quits.
func (c *chat) interruptible(ctx context.Context, step func(context.Context) (*runtime.TurnResult, error)) (*runtime.TurnResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type outcome struct {
		res *runtime.TurnResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := step(ctx)
		done <- outcome{res, err}
	}()
	cancelled := false
	for {
		select {
		case o := <-done:
			return o.res, o.err
		case sig := <-c.sigs:
			cancel()
			if cancelled || sig == syscall.SIGTERM {
				fmt.Fprintln(c.e.stdout)
				select {
				case <-done:
				case <-time.After(exitGrace):
				}
				return nil, errChatQuit
			}
			cancelled = true
			fmt.Fprintln(c.e.stdout, "\n  (cancelling the turn; Ctrl-C again to quit)")
		}
	}
}

// ask shows the request waiting for confirmation and asks whether to send
// it. The end of the input or /quit leaves it pending and ends the chat.
func (c *chat) ask(ctx context.Context, lines <-chan chatLine, pr *printer, id string) (bool, error) {
	if !pr.previewed {
		info, err := c.g.ConfirmationInfo(ctx, id)
		if err != nil {
			return false, fmt.Errorf("cli: chat: reading confirmation %s: %w", id, err)
		}
		fmt.Fprintf(c.e.stdout, "  ← %s waits for your confirmation\n", info.Action)
		printPreview(c.e.stdout, info.Preview)
	}
	fmt.Fprint(c.e.stdout, "approve? [y/N] ")
	l, ok, err := c.readLine(lines)
	if errors.Is(err, errChatQuit) || (err == nil && (!ok || strings.TrimSpace(l.text) == "/quit")) {
		fmt.Fprintf(c.e.stderr, "Confirmation %s is left pending; approve or reject it in the console or with POST /api/v1/confirmations/%s.\n", id, id)
		return false, errChatQuit
	}
	if err != nil {
		return false, err
	}
	if !c.prompt {
		fmt.Fprintln(c.e.stdout, l.text) // what a terminal would have echoed
	}
	switch strings.ToLower(strings.TrimSpace(l.text)) {
	case "y", "yes":
		return true, nil
	}
	fmt.Fprintln(c.e.stdout, "  (declined; nothing was sent)")
	return false, nil
}

// printer writes one turn's events as they arrive.
type printer struct {
	c *chat
	w io.Writer
	// inText is whether an answer line is open ("agent> " printed).
	inText bool
	// streamed is whether any of the answer arrived as deltas.
	streamed bool
	// failed is whether an error event was printed.
	failed bool
	// previewed is whether a confirmation's request was shown.
	previewed bool
}

func (c *chat) newPrinter() *printer { return &printer{c: c, w: c.e.stdout} }

// emit prints one event of the turn.
func (pr *printer) emit(ev runtime.Event) {
	switch ev.Type {
	case runtime.EventMessageDelta:
		if ev.Delta == "" {
			return
		}
		if !pr.inText {
			fmt.Fprint(pr.w, "agent> ")
			pr.inText = true
		}
		pr.streamed = true
		fmt.Fprint(pr.w, ev.Delta)
	case runtime.EventToolCallStarted:
		if ev.ToolCall != nil {
			pr.endText()
			fmt.Fprintf(pr.w, "  → %s %s\n", ev.ToolCall.Name, compactJSON(ev.ToolCall.Arguments))
		}
	case runtime.EventToolCallFinished:
		if ev.ToolCall != nil {
			pr.endText()
			fmt.Fprintf(pr.w, "  ← %s\n", callSummary(ev.ToolCall))
		}
	case runtime.EventConfirmationRequired:
		pr.endText()
		pr.previewed = true
		printPreview(pr.w, ev.Preview)
	case runtime.EventError:
		pr.endText()
		pr.failed = true
		fmt.Fprintf(pr.w, "  ✗ turn failed: %s\n", ev.Error)
	case runtime.EventMessageCompleted:
		pr.endText()
	}
}

// endText closes an open answer line.
func (pr *printer) endText() {
	if pr.inText {
		fmt.Fprintln(pr.w)
		pr.inText = false
	}
}

// finish prints what the events did not: an answer that did not stream, a
// failure, and the model's usage over the turn.
func (pr *printer) finish(res *runtime.TurnResult) {
	pr.endText()
	if !pr.streamed && res.Message.Content != "" {
		fmt.Fprintf(pr.w, "agent> %s\n", res.Message.Content)
	}
	if res.Status == runtime.TurnFailed && !pr.failed {
		fmt.Fprintf(pr.w, "  ✗ turn failed: %s\n", res.Error)
	}
	line := fmt.Sprintf("  (model: %s in, %s out)", groupDigits(res.Usage.InputTokens), groupDigits(res.Usage.OutputTokens))
	if pr.c.dim {
		line = "\x1b[2m" + line + "\x1b[0m"
	}
	fmt.Fprintln(pr.w, line)
}

// printPreview shows the request a confirmation would send, secrets
// masked, under the call's line.
func printPreview(w io.Writer, r *runlog.Request) {
	if r == nil {
		fmt.Fprintln(w, "    (the request has no preview)")
		return
	}
	fmt.Fprintf(w, "    %s %s\n", r.Method, r.URL)
	if r.Body != "" {
		fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(indentJSON(r.Body), "\n", "\n  "))
	}
}

// callSummary says how a tool call went: its status in words, its run and
// its tokens raw → filtered.
func callSummary(tc *runtime.ToolCall) string {
	parts := []string{statusWords(tc.Status)}
	if tc.RunID != "" {
		parts = append(parts, "run "+tc.RunID)
	}
	if tc.Status != gateway.StatusConfirmationRequired && (tc.RawTokens > 0 || tc.OutputTokens > 0) {
		parts = append(parts, fmt.Sprintf("%s → %s tokens", groupDigits(tc.RawTokens), groupDigits(tc.OutputTokens)))
	}
	return strings.Join(parts, " · ")
}

// statusWords names a tool call's status for people.
func statusWords(status string) string {
	switch status {
	case gateway.StatusConfirmationRequired:
		return "waiting for your confirmation"
	case runtime.StatusRejected:
		return "declined"
	case "":
		return "done"
	}
	return strings.ReplaceAll(status, "_", " ")
}

// compactJSON prints arguments on one line; text that is not JSON is
// printed as it is.
func compactJSON(raw json.RawMessage) string {
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return string(raw)
	}
	return buf.String()
}

// groupDigits writes n with thousands separators: 1234 → "1,234".
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// chatLine is one line of standard input.
type chatLine struct {
	text string
	// tooLong marks a line past maxChatLine, whose text was dropped.
	tooLong bool
	err     error
}

// readLines reads r line by line on its own goroutine, so a chat can wait
// for input and signals at once. The channel closes at the end of the
// input; stop ends the reader (one blocked in a read ends with it).
func readLines(r io.Reader) (<-chan chatLine, func()) {
	out := make(chan chatLine)
	done := make(chan struct{})
	go func() {
		defer close(out)
		br := bufio.NewReaderSize(r, 4096)
		for {
			l, err := readBoundedLine(br)
			if errors.Is(err, io.EOF) && l.text == "" && !l.tooLong {
				return
			}
			if err != nil && !errors.Is(err, io.EOF) {
				l.err = err
			}
			select {
			case out <- l:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return out, func() { close(done) }
}

// readBoundedLine reads one line without its line ending, keeping at most
// maxChatLine bytes; the rest of a longer line is read and dropped.
func readBoundedLine(br *bufio.Reader) (chatLine, error) {
	var buf []byte
	var l chatLine
	for {
		chunk, err := br.ReadSlice('\n')
		if !l.tooLong {
			if len(buf)+len(chunk) > maxChatLine+2 {
				l.tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if !l.tooLong {
			l.text = strings.TrimRight(string(buf), "\r\n")
			l.tooLong = len(l.text) > maxChatLine
			if l.tooLong {
				l.text = ""
			}
		}
		return l, err
	}
}
