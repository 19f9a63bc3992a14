package toolschema

import (
	"github.com/actiongate/actiongate/internal/action"
)

// MoreResultsTool is the name of the built-in tool, listed for every agent,
// that returns the next part of a result cut to fit the token budget, or
// one item or some fields of it in full.
const MoreResultsTool = action.MoreResultsTool

// The built-in tool's arguments: the handle a cut result carries (the only
// required one), an item of its list and field names to read in full.
const (
	MoreResultsParam       = "handle"
	MoreResultsItemParam   = "item"
	MoreResultsFieldsParam = "fields"
)

// MoreResultsAction returns the built-in more_results tool as an action, so
// that its schema, definitions and argument validation come from the same
// code as every other tool. It has no URL: the caller answers it from held
// results instead of sending a request.
func MoreResultsAction() *action.Action {
	return &action.Action{
		Name:  MoreResultsTool,
		Title: "More results",
		Description: "Read more of a tool result that was cut short to fit the size limit, without calling the API again. " +
			"Use it only when a previous tool output gives a handle, and only if you need more to answer; pass that handle exactly as given. " +
			"With only the handle you get the next items; add \"item\" for one item in full, " +
			"or \"fields\" for just those fields of every item (or of that item). " +
			"The part returned may end with a new handle for the part after it. " +
			"Handles expire after a while; if one has expired, call the original tool again.",
		Method: action.MethodGet,
		Params: action.Params{
			{Name: MoreResultsParam, Param: &action.Param{
				Type:        typeString,
				Description: "The handle from the truncated tool output, copied exactly.",
				Required:    true,
			}},
			{Name: MoreResultsItemParam, Param: &action.Param{
				Type:        typeString,
				Description: "One item to show in full: its id or number as shown (e.g. \"1347\"), or its position in the list counting from 1.",
			}},
			{Name: MoreResultsFieldsParam, Param: &action.Param{
				Type:        typeArray,
				Description: "Field names to show in full, dotted for nested ones, e.g. [\"body\", \"user.login\"].",
				Items:       &action.Param{Type: typeString},
			}},
		},
	}
}
