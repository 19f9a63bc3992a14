// Package mcpclient checks actiongate's MCP server against a client it does
// not share code with: the official TypeScript MCP SDK, driven by
// client.mjs in this directory. The tests run when ACTIONGATE_TEST_NODE
// names a Node.js binary and `npm ci` has installed the SDK here (.ci/run
// does both); otherwise they are skipped. TestConformance also runs the
// server scenarios of the MCP conformance suite that apply to a tools-only
// server; the suite needs Node.js 22 or later and is skipped on older
// ones.
package mcpclient
