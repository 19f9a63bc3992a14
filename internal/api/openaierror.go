package api

import (
	"errors"
	"net/http"
	"sort"

	"github.com/actiongate/actiongate/internal/httpkit"
	"github.com/actiongate/actiongate/internal/runtime"
)

// OpenAI's error types.
const (
	openAIInvalidRequest = "invalid_request_error"
	openAIServerError    = "server_error"
)

// openAIError is an error in OpenAI's shape, with its HTTP status. Param
// names the request field at fault and Code a machine-readable reason,
// each null when there is none.
type openAIError struct {
	Status  int     `json:"-"`
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

func (e *openAIError) Error() string { return e.Type + ": " + e.Message }

// newOpenAIError returns an error of OpenAI's shape; an empty param or
// code is null.
func newOpenAIError(status int, typ, code, param, message string) *openAIError {
	e := &openAIError{Status: status, Type: typ, Message: message}
	if param != "" {
		e.Param = &param
	}
	if code != "" {
		e.Code = &code
	}
	return e
}

// invalidParam is a 400 naming the request field at fault.
func invalidParam(param, message string) *openAIError {
	return newOpenAIError(http.StatusBadRequest, openAIInvalidRequest, "", param, message)
}

// modelNotFound is OpenAI's 404 for a model that is not there, or not
// reached by the token.
func modelNotFound(model string) *openAIError {
	return newOpenAIError(http.StatusNotFound, openAIInvalidRequest, "model_not_found", "model",
		"The model `"+model+"` does not exist or this token does not reach it: a model is \"agent:<name>\" of an agent with a model, as GET /v1/models lists them")
}

// failedTurn is the error of a turn that failed (the provider, a limit):
// a 502, since what the door stands in front of did not answer.
func failedTurn(res *runtime.TurnResult) *openAIError {
	return newOpenAIError(http.StatusBadGateway, openAIServerError, "turn_failed", "", "the agent's turn failed: "+res.Error)
}

// openAIErrorOf turns an error of the API's own shape (authentication,
// body decoding) into OpenAI's, keeping its status; any other error is a
// 500 whose message hides it.
func openAIErrorOf(err error) *openAIError {
	var ae *httpkit.Error
	if !errors.As(err, &ae) {
		return newOpenAIError(http.StatusInternalServerError, openAIServerError, "", "", "internal error; see the server log")
	}
	typ, code := openAIInvalidRequest, ae.Code
	switch {
	case ae.Status == http.StatusUnauthorized:
		code = "invalid_api_key"
	case ae.Status >= 500:
		typ = openAIServerError
	}
	param := ""
	if len(ae.Fields) > 0 {
		keys := make([]string, 0, len(ae.Fields))
		for k := range ae.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		param = keys[0]
	}
	return newOpenAIError(ae.Status, typ, code, param, ae.Message)
}

// writeOpenAIError writes e in OpenAI's shape, with the turn's outcome
// beside it when there is one.
func writeOpenAIError(w http.ResponseWriter, e *openAIError, outcome *chatOutcome) {
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="actiongate"`)
	}
	body := map[string]any{"error": e}
	if outcome != nil {
		body["actiongate"] = outcome
	}
	httpkit.WriteJSON(w, e.Status, body)
}
