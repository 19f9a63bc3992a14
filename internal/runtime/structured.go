package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/gateway"
	"github.com/actiongate/actiongate/internal/jsonlimit"
	"github.com/actiongate/actiongate/internal/provider"
	"github.com/actiongate/actiongate/internal/toolschema"
)

// Bounds of a structured request.
const (
	// MaxStructuredAnswerBytes bounds the answer a structured request
	// reads: a longer answer is a wrong one, and StructuredResult.Text and
	// the answer repeated to the model in the second attempt hold at most
	// this many bytes of it. The input is bounded by MaxContentBytes.
	MaxStructuredAnswerBytes = 64 << 10
	// MaxStructuredFields bounds the fields one request asks for.
	MaxStructuredFields = 64
)

// structuredAttempts is how many answers a structured request reads: the
// first, and one more after a wrong one.
const structuredAttempts = 2

// StructuredRequest asks an agent's model for typed fields (the agent
// step of a workflow).
type StructuredRequest struct {
	// Agent is the agent whose model and instructions are used.
	Agent string
	// Contact holds the run's contact attributes (may be nil), for
	// {{contact.x}} in the instructions.
	Contact map[string]any
	// Vars holds the run's vars, for {{vars.x}} in the instructions.
	Vars map[string]any
	// Input is the rendered input text: not empty, valid UTF-8, at most
	// MaxContentBytes.
	Input string
	// Fields are the values asked for: type string, integer, number or
	// boolean, with an optional enum and description. Every field is
	// required in the answer.
	Fields map[string]*action.Param
	// Timeout bounds the whole request, both attempts; 0 means the
	// agent's turn timeout.
	Timeout time.Duration
}

// StructuredResult is what a structured request came to.
type StructuredResult struct {
	// Values holds one value per field, of its declared type: string,
	// int64 (integer), float64 (number) or bool.
	Values map[string]any
	// Usage is the model's tokens, both attempts summed.
	Usage gateway.Usage
	// Attempts is how many answers were read: 1 or 2.
	Attempts int
	// Text is the model's last answer as it came, cut to
	// MaxStructuredAnswerBytes.
	Text string
}

// AnswerError is a structured request whose model answered wrongly twice.
type AnswerError struct {
	Agent string
	// Problems are what was wrong with the last answer, by field
	// (Argument names it; empty for the answer as a whole).
	Problems []toolschema.Problem
	// More counts the problems not listed.
	More int
}

// Error names each field and what was wrong with it.
func (e *AnswerError) Error() string {
	return fmt.Sprintf("runtime: agent %q answered %d times without the fields asked for: %s",
		e.Agent, structuredAttempts, problemsList(e.Problems, e.More, "; "))
}

// Structured asks req.Agent's model for req.Fields, given req.Input. The
// model gets the agent's instructions (rendered with req.Contact and
// req.Vars), the fields to answer with as one JSON object, and the input,
// and no tools. An answer that is not exactly that object (a ```json
// fence around it is fine) is retried once, the model told its answer and
// what was wrong with it, field by field; a second wrong answer is an
// *AnswerError.
//
// A request that is itself wrong is action.Errors naming the field; an
// unknown agent is gateway.ErrUnknownAgent, one without a model
// ErrNoModel, an unusable provider a *gateway.ProviderError; a failed
// model call is a *provider.Error (context.DeadlineExceeded past the
// timeout). No error holds the provider's key. Once the model was asked,
// the result is returned with the error too, holding the usage, the
// attempts and the last text, without Values.
func (r *Runtime) Structured(ctx context.Context, req StructuredRequest) (*StructuredResult, error) {
	if errs := checkStructured(req); len(errs) > 0 {
		return nil, errs
	}
	m, err := r.g.Model(ctx, req.Agent)
	if err != nil {
		return nil, fmt.Errorf("runtime: asking agent %q: %w", req.Agent, err)
	}
	validator, err := toolschema.NewValidator(&action.Action{Name: req.Agent, Params: requiredFields(req.Fields)})
	if err != nil {
		return nil, fmt.Errorf("runtime: asking agent %q: %w", req.Agent, err)
	}
	timeout, limit := req.Timeout, "timeout"
	if timeout == 0 {
		timeout, limit = m.Agent.TurnTimeoutDuration(), "limits.turn_timeout"
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	s := &structured{r: r, m: m, req: req, validator: validator, res: &StructuredResult{}}
	s.msgs = []provider.Message{{Role: provider.RoleUser, Content: req.Input}}
	status := "failed"
	defer func() { s.log(ctx, status) }()
	for {
		text, err := s.ask(ctx)
		if err != nil {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return s.res, fmt.Errorf("runtime: agent %q: no answer within %s (%s): %w", req.Agent, timeout, limit, err)
			}
			return s.res, fmt.Errorf("runtime: asking agent %q: %w", req.Agent, err)
		}
		values, problems, more := s.read(text)
		if len(problems) == 0 {
			s.res.Values, status = values, "ok"
			return s.res, nil
		}
		if s.res.Attempts == structuredAttempts {
			status = "invalid"
			return s.res, &AnswerError{Agent: req.Agent, Problems: problems, More: more}
		}
		s.msgs = append(s.msgs,
			provider.Message{Role: provider.RoleAssistant, Content: s.res.Text},
			provider.Message{Role: provider.RoleUser, Content: retryText(problems, more)})
	}
}

// structured is one structured request while it runs.
type structured struct {
	r         *Runtime
	m         *gateway.Model
	req       StructuredRequest
	validator *toolschema.Validator
	msgs      []provider.Message
	res       *StructuredResult
	// long is set when the last answer was longer than the bound.
	long bool
}

// ask sends the messages so far and returns the answer's text, counting
// its tokens in the result and the metrics.
func (s *structured) ask(ctx context.Context) (string, error) {
	ag := s.m.Agent
	req := &provider.Request{
		Model:           ag.Model.Name,
		System:          structuredSystem(instructions(ag.Instructions, s.req.Contact, s.req.Vars), s.req.Fields),
		Messages:        s.msgs,
		Temperature:     ag.Model.Temperature,
		MaxOutputTokens: ag.Model.MaxOutputTokens,
	}
	if req.MaxOutputTokens == 0 {
		req.MaxOutputTokens = action.DefaultMaxOutputTokens
	}
	resp, err := s.m.Client.Complete(ctx, req, nil)
	if err != nil {
		return "", err
	}
	u := gateway.Usage{InputTokens: resp.Usage.InputTokens, OutputTokens: resp.Usage.OutputTokens}
	s.res.Usage.InputTokens += u.InputTokens
	s.res.Usage.OutputTokens += u.OutputTokens
	s.res.Attempts++
	s.r.g.Metrics().ObserveModelTokens(ag.Name, s.m.Provider.Name, u)
	s.long = len(resp.Content) > MaxStructuredAnswerBytes
	s.res.Text = cutText(resp.Content, MaxStructuredAnswerBytes)
	return resp.Content, nil
}

// read parses and checks an answer: the values by field when it is right,
// else the problems (at most toolschema.MaxProblems) and how many more.
func (s *structured) read(text string) (map[string]any, []toolschema.Problem, int) {
	if s.long {
		return nil, []toolschema.Problem{{Message: fmt.Sprintf("the answer is longer than %d bytes; answer with the JSON object alone", MaxStructuredAnswerBytes)}}, 0
	}
	obj, why := answerObject(text)
	if why != "" {
		return nil, []toolschema.Problem{{Message: "the answer is not one JSON object (" + why + "); answer with the JSON object alone"}}, 0
	}
	if ps, more := s.validator.Validate(obj); len(ps) > 0 {
		return nil, ps, more
	}
	values := make(map[string]any, len(obj))
	var problems []toolschema.Problem
	for _, name := range slices.Sorted(maps.Keys(obj)) {
		v, problem := typed(obj[name], s.req.Fields[name].Type)
		if problem != "" {
			problems = append(problems, toolschema.Problem{Argument: name, Message: name + " " + problem})
			continue
		}
		values[name] = v
	}
	return values, problems, 0
}

// answerObject decodes an answer that is one JSON object, alone or in a
// ``` fence (```json), numbers kept exact; otherwise it says why not.
func answerObject(text string) (map[string]any, string) {
	raw := []byte(unfence(strings.TrimSpace(text)))
	if len(raw) == 0 {
		return nil, "it is empty"
	}
	if err := jsonlimit.CheckDepth(raw, jsonlimit.MaxDepth); err != nil {
		return nil, err.Error()
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err.Error()
	}
	if len(bytes.TrimSpace(raw[dec.InputOffset():])) > 0 {
		return nil, "there is more after the object"
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, "it is JSON, but not an object"
	}
	return obj, ""
}

// unfence returns the text inside a ``` fence (with or without a language
// word such as json) that is the whole of s, or s itself.
func unfence(s string) string {
	rest, ok := strings.CutPrefix(s, "```")
	if !ok {
		return s
	}
	nl := strings.IndexByte(rest, '\n')
	if nl < 0 {
		return s
	}
	if word := strings.TrimSpace(rest[:nl]); strings.ContainsAny(word, " {[\"") {
		return s
	}
	body, ok := strings.CutSuffix(rest[nl+1:], "```")
	if !ok {
		return s
	}
	return strings.TrimSpace(body)
}

// typed converts a value that passed the schema to its field's Go type, or
// says why it cannot be held.
func typed(v any, typ string) (any, string) {
	n, isNumber := v.(json.Number)
	switch {
	case typ == "integer" && isNumber:
		var rat big.Rat
		if _, ok := rat.SetString(n.String()); !ok || !rat.IsInt() {
			return nil, "must be a whole number (got " + n.String() + ")"
		}
		if !rat.Num().IsInt64() {
			return nil, "is out of the range of a 64-bit integer (got " + cutText(n.String(), 40) + ")"
		}
		return rat.Num().Int64(), ""
	case typ == "number" && isNumber:
		f, err := strconv.ParseFloat(n.String(), 64)
		if err != nil {
			return nil, "is out of the range of a 64-bit number (got " + cutText(n.String(), 40) + ")"
		}
		return f, ""
	}
	return v, ""
}

// requiredFields is fields with every one required, for the validator.
func requiredFields(fields map[string]*action.Param) action.Params {
	out := make(action.Params, 0, len(fields))
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		c := *fields[name]
		c.Required = true
		out = append(out, action.NamedParam{Name: name, Param: &c})
	}
	return out
}

// structuredSystem is the system prompt of a structured request: the
// agent's instructions, then how to answer.
func structuredSystem(instructions string, fields map[string]*action.Param) string {
	var b strings.Builder
	if strings.TrimSpace(instructions) != "" {
		b.WriteString(instructions)
		b.WriteString("\n\n")
	}
	b.WriteString("Read the user's message and answer with only a JSON object, without any other text, with exactly these fields:\n")
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		key, _ := json.Marshal(name)
		b.WriteString("- ")
		b.Write(key)
		b.WriteString(": ")
		b.WriteString(fieldText(fields[name]))
		b.WriteString("\n")
	}
	b.WriteString("Give every field, of its type, and no other field.")
	return b.String()
}

// fieldText describes a field for the model: type, allowed values, bounds
// and description.
func fieldText(p *action.Param) string {
	parts := []string{map[string]string{
		"string": "a string", "integer": "an integer (a whole number)", "number": "a number", "boolean": "a boolean (true or false)",
	}[p.Type]}
	if len(p.Enum) > 0 {
		vals := make([]string, len(p.Enum))
		for i, v := range p.Enum {
			raw, _ := json.Marshal(v)
			vals[i] = string(raw)
		}
		parts = append(parts, "one of "+strings.Join(vals, ", "))
	}
	if p.Pattern != "" {
		parts = append(parts, "matching the regular expression "+p.Pattern)
	}
	if p.MinLength != nil {
		parts = append(parts, fmt.Sprintf("at least %d characters", *p.MinLength))
	}
	if p.MaxLength != nil {
		parts = append(parts, fmt.Sprintf("at most %d characters", *p.MaxLength))
	}
	if p.Minimum != nil {
		parts = append(parts, "at least "+strconv.FormatFloat(*p.Minimum, 'g', -1, 64))
	}
	if p.Maximum != nil {
		parts = append(parts, "at most "+strconv.FormatFloat(*p.Maximum, 'g', -1, 64))
	}
	text := strings.Join(parts, ", ")
	if d := strings.TrimSpace(p.Description); d != "" {
		text += ". " + d
	}
	return text
}

// retryText tells the model what was wrong with its answer.
func retryText(problems []toolschema.Problem, more int) string {
	return "Your answer could not be used:\n- " + problemsList(problems, more, "\n- ") +
		"\nAnswer again with only the JSON object, with exactly the fields asked for."
}

// problemsList joins the problems' messages with sep.
func problemsList(problems []toolschema.Problem, more int, sep string) string {
	msgs := make([]string, 0, len(problems)+1)
	for _, p := range problems {
		msgs = append(msgs, p.Message)
	}
	if more > 0 {
		msgs = append(msgs, fmt.Sprintf("and %d more problems", more))
	}
	return strings.Join(msgs, sep)
}

// cutText cuts s to at most n bytes, at a rune boundary, marking the cut.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "…"
	cut := n - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}

// log writes a line about the request, never its content.
func (s *structured) log(ctx context.Context, status string) {
	s.r.log.InfoContext(ctx, "structured answer", "agent", s.req.Agent, "status", status, "attempts", s.res.Attempts,
		"input_tokens", s.res.Usage.InputTokens, "output_tokens", s.res.Usage.OutputTokens)
}

// Field types a structured request may ask for.
var structuredTypes = []string{"string", "integer", "number", "boolean"}

// checkStructured finds what is wrong with a StructuredRequest, by field.
func checkStructured(req StructuredRequest) action.Errors {
	var errs action.Errors
	add := func(path, format string, args ...any) {
		errs = append(errs, &action.FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(req.Agent) == "" {
		add("agent", "is empty")
	}
	for _, e := range checkContent(req.Input) {
		add("input", "%s", e.Message)
	}
	if req.Timeout < 0 {
		add("timeout", "is negative (%s)", req.Timeout)
	}
	switch {
	case len(req.Fields) == 0:
		add("fields", "name no field to ask for")
	case len(req.Fields) > MaxStructuredFields:
		add("fields", "name %d fields, more than %d", len(req.Fields), MaxStructuredFields)
	}
	for _, name := range slices.Sorted(maps.Keys(req.Fields)) {
		p, path := req.Fields[name], "fields."+name
		switch {
		case strings.TrimSpace(name) == "":
			add("fields", "a field has no name")
			continue
		case p == nil:
			add(path, "has no type")
			continue
		case !slices.Contains(structuredTypes, p.Type):
			add(path+".type", "is %q, not one of %s", p.Type, strings.Join(structuredTypes, ", "))
			continue
		}
		for i, v := range p.Enum {
			if !enumFits(v, p.Type) {
				add(fmt.Sprintf("%s.enum[%d]", path, i), "%v is not of the field's type, %s", v, p.Type)
			}
		}
	}
	return errs
}

// enumFits reports whether an enum value is of the field's type.
func enumFits(v any, typ string) bool {
	switch x := v.(type) {
	case string:
		return typ == "string"
	case bool:
		return typ == "boolean"
	case int, int64, uint64:
		return typ == "integer" || typ == "number"
	case float64:
		return typ == "number" || (typ == "integer" && x == float64(int64(x)))
	case json.Number:
		_, err := x.Int64()
		return typ == "number" || (typ == "integer" && err == nil)
	}
	return false
}
