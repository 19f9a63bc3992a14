// Package openaiclient checks actiongate's OpenAI-compatible door against
// a client it does not share code with: the official openai npm package,
// driven by client.mjs in this directory, calling chat.completions.create
// (with and without stream) and models.list on a real server whose agent
// talks through a scripted Chat Completions server. The test runs when
// ACTIONGATE_TEST_NODE names a Node.js binary and `npm ci` has installed
// the package here (.ci/run does both); otherwise it is skipped.
package openaiclient
