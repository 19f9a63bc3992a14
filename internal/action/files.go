package action

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// resourceExts are the file name extensions read from directories.
var resourceExts = []string{".yaml", ".yml", ".json"}

// DecodeFile reads and decodes one resource file.
func DecodeFile(path string) ([]Resource, Errors) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Errors{{File: path, Message: fmt.Sprintf("cannot read file: %v", unwrapPathError(err))}}
	}
	return Decode(path, data)
}

// ExpandPaths turns command-line arguments into resource files: a file is
// kept as given, a directory gives its *.yaml, *.yml and *.json files
// (not recursively) in name order. A file named twice is kept once.
func ExpandPaths(args []string) ([]string, error) {
	var (
		out  []string
		errs []error
	)
	for _, arg := range args {
		files, err := expandPath(arg)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, f := range files {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out, errors.Join(errs...)
}

func expandPath(arg string) ([]string, error) {
	info, err := os.Stat(arg)
	if err != nil {
		return nil, fmt.Errorf("action: reading %s: %w", arg, unwrapPathError(err))
	}
	if !info.IsDir() {
		return []string{arg}, nil
	}
	entries, err := os.ReadDir(arg)
	if err != nil {
		return nil, fmt.Errorf("action: reading directory %s: %w", arg, unwrapPathError(err))
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && slices.Contains(resourceExts, strings.ToLower(filepath.Ext(e.Name()))) {
			files = append(files, filepath.Join(arg, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("action: reading directory %s: no resource files (*.yaml, *.yml, *.json)", arg)
	}
	return files, nil
}

// unwrapPathError drops the path that os errors repeat.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// LoadFiles expands args (files and directories), decodes every file and
// validates the resources as one set: what `actiongate validate` and
// `actiongate apply` check. Errors are sorted by file and position; a
// validation finding at or below a field that failed to decode is left out,
// since it would only repeat the decoding error.
func LoadFiles(args []string) ([]Resource, Errors) {
	var (
		resources []Resource
		errs      Errors
	)
	for _, arg := range args {
		files, err := expandPath(arg)
		if err != nil {
			errs = append(errs, &FieldError{File: arg, Message: strings.TrimPrefix(err.Error(), "action: reading "+arg+": ")})
			continue
		}
		for _, f := range files {
			rs, es := DecodeFile(f)
			resources = append(resources, rs...)
			errs = append(errs, es...)
		}
	}
	return resources, withValidation(resources, errs)
}

// withValidation validates resources and merges the findings into the
// decoding errors, dropping those that repeat a decoding error, sorted by
// file and position.
func withValidation(resources []Resource, decodeErrs Errors) Errors {
	errs := slices.Clone(decodeErrs)
	for _, e := range Validate(resources) {
		if !coveredBy(e, decodeErrs) {
			errs = append(errs, e)
		}
	}
	errs.sortByPosition()
	return errs
}

// coveredBy reports whether e sits at or below the path of one of errs in
// the same file.
func coveredBy(e *FieldError, errs Errors) bool {
	for _, d := range errs {
		if d.File != e.File || d.Path == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(e.Path, d.Path); ok && (rest == "" || rest[0] == '.' || rest[0] == '[') {
			return true
		}
	}
	return false
}
