package toolschema

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/actiongate/actiongate/internal/action"
)

// Format names the tool-definition shape a client reads.
type Format string

// The supported tool-definition formats.
const (
	FormatOpenAI    Format = "openai"
	FormatAnthropic Format = "anthropic"
	FormatMCP       Format = "mcp"
)

// ErrUnknownFormat is returned for a format name that is not supported.
var ErrUnknownFormat = errors.New("unknown tool format")

// ParseFormat parses a format name (openai, anthropic or mcp; case and
// surrounding space ignored).
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case FormatOpenAI, FormatAnthropic, FormatMCP:
		return f, nil
	}
	return "", fmt.Errorf("toolschema: parsing format %q: %w (use openai, anthropic or mcp)", s, ErrUnknownFormat)
}

// OpenAITool is a tool definition in the shape of OpenAI's Chat Completions
// `tools` list.
type OpenAITool struct {
	Function OpenAIFunction `json:"function"`
	Type     string         `json:"type"`
}

// OpenAIFunction is the function part of an OpenAITool. Strict is true when
// Parameters is the strict-mode schema.
type OpenAIFunction struct {
	Description string         `json:"description"`
	Name        string         `json:"name"`
	Parameters  map[string]any `json:"parameters"`
	Strict      bool           `json:"strict"`
}

// AnthropicTool is a tool definition in the shape of Anthropic's Messages
// API `tools` list.
type AnthropicTool struct {
	Description string         `json:"description"`
	InputSchema map[string]any `json:"input_schema"`
	Name        string         `json:"name"`
}

// MCPTool is a tool in the shape of an MCP tools/list result entry.
type MCPTool struct {
	Annotations map[string]any `json:"annotations"`
	Description string         `json:"description"`
	InputSchema map[string]any `json:"inputSchema"`
	Name        string         `json:"name"`
	Title       string         `json:"title,omitempty"`
}

// Tools returns the tool definitions for actions in format f, sorted by
// action name, followed by the built-in more_results tool. Elements are
// OpenAITool, AnthropicTool or MCPTool values. An action named like the
// built-in tool, or two actions with the same name, are an error.
func Tools(actions []*action.Action, f Format) ([]any, error) {
	sorted := make([]*action.Action, 0, len(actions)+1)
	for _, a := range actions {
		if a == nil {
			return nil, fmt.Errorf("toolschema: building tools: nil action")
		}
		if a.Name == MoreResultsTool {
			return nil, fmt.Errorf("toolschema: building tools: action name %q is reserved for the built-in tool", a.Name)
		}
		sorted = append(sorted, a)
	}
	slices.SortFunc(sorted, func(x, y *action.Action) int { return strings.Compare(x.Name, y.Name) })
	for i := 1; i < len(sorted); i++ {
		if sorted[i].Name == sorted[i-1].Name {
			return nil, fmt.Errorf("toolschema: building tools: action %q listed twice", sorted[i].Name)
		}
	}
	sorted = append(sorted, MoreResultsAction())
	out := make([]any, 0, len(sorted))
	for _, a := range sorted {
		t, err := Tool(a, f)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// Tool returns the definition of one action in format f.
func Tool(a *action.Action, f Format) (any, error) {
	switch f {
	case FormatOpenAI:
		return OpenAIToolFor(a), nil
	case FormatAnthropic:
		return AnthropicToolFor(a), nil
	case FormatMCP:
		return MCPToolFor(a), nil
	}
	return nil, fmt.Errorf("toolschema: building tool %s: format %q: %w", a.Name, f, ErrUnknownFormat)
}

// OpenAIToolFor returns a's OpenAI definition: strict mode when its params
// allow it (see StrictInputSchema), the plain schema otherwise.
func OpenAIToolFor(a *action.Action) OpenAITool {
	params, strict := StrictInputSchema(a)
	if !strict {
		params = InputSchema(a)
	}
	return OpenAITool{
		Type: "function",
		Function: OpenAIFunction{
			Name:        a.Name,
			Description: Description(a),
			Parameters:  params,
			Strict:      strict,
		},
	}
}

// AnthropicToolFor returns a's Anthropic definition.
func AnthropicToolFor(a *action.Action) AnthropicTool {
	return AnthropicTool{Name: a.Name, Description: Description(a), InputSchema: InputSchema(a)}
}

// MCPToolFor returns a's MCP definition with its annotations.
func MCPToolFor(a *action.Action) MCPTool {
	return MCPTool{
		Name:        a.Name,
		Title:       a.Title,
		Description: Description(a),
		InputSchema: InputSchema(a),
		Annotations: Annotations(a),
	}
}

// Description returns the text telling a model when to use a: its
// description, else its title, else a sentence naming the request.
func Description(a *action.Action) string {
	if d := strings.TrimSpace(a.Description); d != "" {
		return d
	}
	if t := strings.TrimSpace(a.Title); t != "" {
		return t
	}
	return fmt.Sprintf("Calls %s (%s request).", a.Name, a.Method)
}
