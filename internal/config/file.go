package config

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// loadFile applies the settings in the YAML file at path and returns every
// problem found, each placed at its line and column. Messages never quote
// the file's text, which may hold the master key.
func (c *Config) loadFile(path string) []error {
	data, err := os.ReadFile(path)
	if err != nil {
		return []error{fmt.Errorf("config: reading config file: %w", err)}
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		var yerr yaml.Error
		if errors.As(err, &yerr) && yerr.GetToken() != nil {
			return []error{settingError(position(path, yerr.GetToken().Position.Line, yerr.GetToken().Position.Column), errors.New(yerr.GetMessage()))}
		}
		return []error{fmt.Errorf("config: %s: not valid YAML", path)}
	}
	if len(f.Docs) > 1 {
		return []error{fmt.Errorf("config: %s: holds %d YAML documents, want one", path, len(f.Docs))}
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return nil
	}
	m, ok := f.Docs[0].Body.(*ast.MappingNode)
	if !ok {
		return []error{settingError(nodePosition(path, f.Docs[0].Body), errors.New("must be a mapping of settings (like `addr: 127.0.0.1:8080`)"))}
	}
	var errs []error
	for _, mv := range m.Values {
		key := mv.Key.GetToken().Value
		s, known := lookupSetting(key)
		if !known {
			errs = append(errs, settingError(nodePosition(path, mv.Key), fmt.Errorf("unknown setting %q%s", key, suggestKey(key))))
			continue
		}
		// A value's problems are placed at the value; a missing value at its key.
		at := mv.Value
		if _, isNull := unwrap(at).(*ast.NullNode); isNull {
			at = mv.Key
		}
		where := nodePosition(path, at) + ": " + key
		c.sources[key] = where
		if err := applyNode(c, s, mv.Value); err != nil {
			errs = append(errs, settingError(where, err))
			continue
		}
		if key == "master_key" {
			if err := checkPrivate(path); err != nil {
				errs = append(errs, settingError(where, err))
			}
		}
	}
	return errs
}

// applyNode converts a YAML value to text and hands it to the setting.
func applyNode(c *Config, s setting, n ast.Node) error {
	n = unwrap(n)
	if seq, ok := n.(*ast.SequenceNode); ok {
		if s.list == nil {
			return errors.New("must be a single value, not a list")
		}
		items := make([]string, 0, len(seq.Values))
		for _, v := range seq.Values {
			text, err := scalarText(v)
			if err != nil {
				return fmt.Errorf("list item at %d:%d %w", v.GetToken().Position.Line, v.GetToken().Position.Column, err)
			}
			items = append(items, text)
		}
		return s.list(c, items)
	}
	text, err := scalarText(n)
	if err != nil {
		return err
	}
	if s.list != nil {
		return s.list(c, splitList(text))
	}
	return s.scalar(c, text)
}

// scalarText returns a scalar's text as written (unquoted).
func scalarText(n ast.Node) (string, error) {
	switch n := unwrap(n).(type) {
	case *ast.NullNode:
		return "", errors.New("has no value: remove it to use the default")
	case *ast.StringNode:
		return n.Value, nil
	case *ast.AliasNode:
		return "", errors.New("uses an alias; write the value itself")
	case ast.ScalarNode:
		return n.GetToken().Value, nil
	}
	return "", errors.New("must be a single value")
}

// unwrap strips tags and anchors from a value node.
func unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.TagNode:
			n = v.Value
		case *ast.AnchorNode:
			n = v.Value
		default:
			return n
		}
	}
}

// checkPrivate refuses a config file holding the master key that other
// users may read.
func checkPrivate(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("checking file mode: %w", err)
	}
	if perm := info.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return fmt.Errorf("the file has mode %04o, so other users can read the master key; run `chmod 600 %s` or set ACTIONGATE_MASTER_KEY instead", perm, path)
	}
	return nil
}

func nodePosition(path string, n ast.Node) string {
	tk := n.GetToken()
	return position(path, tk.Position.Line, tk.Position.Column)
}

func position(path string, line, col int) string {
	return fmt.Sprintf("%s:%d:%d", path, line, col)
}
