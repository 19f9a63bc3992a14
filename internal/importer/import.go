package importer

import "fmt"

// Import reads source in format f.
func Import(f Format, source []byte, o Options) (*Result, error) {
	if len(source) > MaxSourceBytes {
		return nil, fmt.Errorf("importer: the source is %d bytes, over the %d MiB limit", len(source), MaxSourceBytes>>20)
	}
	switch f {
	case FormatOpenAPI:
		return OpenAPI(source, o)
	case FormatPostman:
		return Postman(source, o)
	case FormatCurl:
		return Curl(string(source), o)
	}
	return nil, fmt.Errorf("importer: %w %q: use openapi, postman or curl", ErrUnknownFormat, string(f))
}
