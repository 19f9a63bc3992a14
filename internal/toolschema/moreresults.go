package toolschema

import "github.com/actiongate/actiongate/internal/action"

// MoreResultsTool is the name of the built-in tool, listed for every agent,
// that returns the next part of a result cut to fit the token budget.
const MoreResultsTool = "more_results"

// MoreResultsParam is the built-in tool's only argument: the handle a cut
// result carries.
const MoreResultsParam = "handle"

// MoreResultsAction returns the built-in more_results tool as an action, so
// that its schema, definitions and argument validation come from the same
// code as every other tool. It has no URL: the caller answers it from held
// results instead of sending a request.
func MoreResultsAction() *action.Action {
	return &action.Action{
		Name:  MoreResultsTool,
		Title: "More results",
		Description: "Get the next part of a tool result that was cut short to fit the size limit. " +
			"Use it only when a previous tool output says it was truncated and gives a handle, " +
			"and only if you need the rest to answer; pass that handle exactly as given. " +
			"The part returned may end with a new handle for the part after it. " +
			"Handles expire after a while; if one has expired, call the original tool again.",
		Method: action.MethodGet,
		Params: map[string]*action.Param{
			MoreResultsParam: {
				Type:        typeString,
				Description: "The handle from the truncated tool output, copied exactly.",
				Required:    true,
			},
		},
	}
}
