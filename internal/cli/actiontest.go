package cli

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/actiongate/actiongate/internal/action"
	"github.com/actiongate/actiongate/internal/invoke"
	"github.com/actiongate/actiongate/internal/jsonlimit"
	"github.com/actiongate/actiongate/internal/runlog"
)

func newActionCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "action", Short: "Work with actions"}
	cmd.AddCommand(newActionTestCmd(e))
	return cmd
}

// testFlags are the flags of `action test`.
type testFlags struct {
	files    []string
	args     []string
	argsJSON string
	contact  []string
	vars     []string
	dryRun   bool
	yes      bool
	json     bool
	suggest  bool
}

func newActionTestCmd(e *env) *cobra.Command {
	var f testFlags
	cmd := &cobra.Command{
		Use:   "test NAME",
		Short: "Call an action and show the rendered request, the raw size and exactly what a model would receive",
		Long: `Call an action and show the rendered request (secrets masked), the status,
latency, raw size and tokens, and the filtered output a model would receive.

Write actions (POST, PUT, PATCH, DELETE) are sent only with --yes; --dry-run
sends nothing. Exit code 0 when the call succeeded (2xx), 1 otherwise.

--suggest-filter then proposes a response section for the JSON answer it
just got (identifiers, names, statuses, amounts, dates and short text kept;
links, node ids and bulk left out), with its token counts before and after.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runActionTest(cmd, e, args[0], &f)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.files, "file", "f", nil, "resource file or directory (repeatable); without it the stored resources are used")
	fl.StringArrayVar(&f.args, "arg", nil, "model argument k=v, typed by the param (repeatable)")
	fl.StringVar(&f.argsJSON, "args-json", "", "model arguments as a JSON object (merged before --arg)")
	fl.StringArrayVar(&f.contact, "contact", nil, "contact attribute k=v (repeatable)")
	fl.StringArrayVar(&f.vars, "var", nil, "conversation variable k=v (repeatable)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "render the request and send nothing")
	fl.BoolVar(&f.yes, "yes", false, "send write actions (POST, PUT, PATCH, DELETE) without asking")
	fl.BoolVar(&f.json, "json", false, "print one machine-readable run record")
	fl.BoolVar(&f.suggest, "suggest-filter", false, "propose a response filter for the JSON answer, with its token counts")
	cmd.MarkFlagsMutuallyExclusive("json", "suggest-filter")
	return cmd
}

func runActionTest(cmd *cobra.Command, e *env, name string, f *testFlags) error {
	ctx := cmd.Context()
	if len(f.files) == 0 {
		return runStoredActionTest(cmd, e, name, f)
	}
	rs, errs := loadFiles(f.files)
	if len(errs) > 0 {
		for _, fe := range errs {
			fmt.Fprintln(e.stderr, fe.Error())
		}
		return &exitError{code: 1}
	}
	a, cred, err := findAction(rs, name)
	if err != nil {
		return err
	}
	call, err := buildCall(a, f)
	if err != nil {
		return err
	}
	call.Credential = cred
	call.KeepBody = f.suggest
	eng, err := newFileEngine(e)
	if err != nil {
		return err
	}
	res := eng.Invoke(ctx, call)
	err = reportRun(e, a, res.Run, f)
	if f.suggest {
		suggestFilter(ctx, e.stdout, a, res, eng.Filter().Apply)
	}
	return err
}

// findAction picks the named action and its credential out of a validated set.
func findAction(rs []action.Resource, name string) (*action.Action, *action.Credential, error) {
	var a *action.Action
	creds := map[string]*action.Credential{}
	var names []string
	for _, r := range rs {
		switch {
		case r.Action != nil:
			names = append(names, r.Action.Name)
			if r.Action.Name == name {
				a = r.Action
			}
		case r.Credential != nil:
			creds[r.Credential.Name] = r.Credential
		}
	}
	if a == nil {
		sort.Strings(names)
		return nil, nil, fmt.Errorf("no action named %q; the files declare: %s", name, strings.Join(names, ", "))
	}
	var cred *action.Credential
	if a.Auth != "" {
		cred = creds[a.Auth]
	}
	return a, cred, nil
}

// buildCall turns the command-line flags into a call of a.
func buildCall(a *action.Action, f *testFlags) (*invoke.Call, error) {
	args, err := parseArgs(a, f.argsJSON, f.args)
	if err != nil {
		return nil, err
	}
	contact, err := parsePairs("--contact", f.contact)
	if err != nil {
		return nil, err
	}
	vars, err := parsePairs("--var", f.vars)
	if err != nil {
		return nil, err
	}
	return &invoke.Call{
		Action:    a,
		Caller:    runlog.CallerCLI,
		Args:      args,
		Contact:   contact,
		Vars:      vars,
		DryRun:    f.dryRun || (a.NeedsConfirmation() && !f.yes),
		Confirmed: f.yes,
	}, nil
}

// parseArgs merges --args-json and --arg k=v, typing each --arg value by
// the param it names.
func parseArgs(a *action.Action, argsJSON string, pairs []string) (map[string]any, error) {
	args := map[string]any{}
	if argsJSON != "" {
		dec := json.NewDecoder(strings.NewReader(argsJSON))
		dec.UseNumber()
		if err := dec.Decode(&args); err != nil {
			return nil, fmt.Errorf("--args-json: must be a JSON object: %w", err)
		}
	}
	for _, kv := range pairs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--arg %q: expected name=value", kv)
		}
		p := a.Params.Get(k)
		if p == nil {
			return nil, fmt.Errorf("--arg %s: the action has no param %q (params: %s)", k, k, strings.Join(a.Params.Names(), ", "))
		}
		val, err := typedValue(p, v)
		if err != nil {
			return nil, fmt.Errorf("--arg %s: %w", k, err)
		}
		args[k] = val
	}
	if err := jsonlimit.CheckValue(args, jsonlimit.MaxDepth); err != nil {
		return nil, fmt.Errorf("arguments: %w", err)
	}
	return args, nil
}

// typedValue converts a command-line string to the param's JSON type.
func typedValue(p *action.Param, v string) (any, error) {
	switch p.Type {
	case "integer":
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return nil, fmt.Errorf("%q is not an integer", v)
		}
		return json.Number(v), nil
	case "number":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return nil, fmt.Errorf("%q is not a number", v)
		}
		return json.Number(v), nil
	case "boolean":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("%q is not true or false", v)
		}
		return b, nil
	case "array", "object":
		dec := json.NewDecoder(strings.NewReader(v))
		dec.UseNumber()
		var out any
		if err := dec.Decode(&out); err != nil {
			if p.Type == "array" {
				return splitList(p, v)
			}
			return nil, fmt.Errorf("must be a JSON object: %w", err)
		}
		return out, nil
	}
	return v, nil
}

// parsePairs parses repeated k=v flags into a map.
func parsePairs(flag string, pairs []string) (map[string]any, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	m := make(map[string]any, len(pairs))
	for _, kv := range pairs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%s %q: expected name=value", flag, kv)
		}
		m[k] = v
	}
	return m, nil
}

// splitList reads a comma-separated list, typing each item by p.Items.
func splitList(p *action.Param, v string) (any, error) {
	parts := strings.Split(v, ",")
	out := make([]any, len(parts))
	for i, part := range parts {
		item := any(part)
		if p.Items != nil {
			var err error
			if item, err = typedValue(p.Items, strings.TrimSpace(part)); err != nil {
				return nil, fmt.Errorf("item %d: %w", i, err)
			}
		}
		out[i] = item
	}
	return out, nil
}
