// An MCP client built on the official TypeScript SDK, used to check that
// actiongate's MCP server works with a client written by someone else.
//
// It connects to one agent's tools, lists them, makes the requested calls
// and prints one JSON document on standard output:
//
//   {"server": {...}, "tools": [...], "calls": [{"name", "arguments", "result"}]}
//
// Tool results that are errors (isError) are results, not failures. The
// exit status is non-zero when connecting, listing or calling fails.
//
// Usage:
//
//   ACTIONGATE_TOKEN=... node client.mjs --url http://127.0.0.1:8080 --agent NAME [--origin ORIGIN] [--call 'TOOL={"arg":1}' ...]
//   node client.mjs --command /path/to/actiongate --agent NAME [--call ...]
//
// With --url the client speaks streamable HTTP to URL/mcp/NAME, sending the
// token from ACTIONGATE_TOKEN as a bearer token (and an Origin header when
// --origin is given). With --command it starts `COMMAND mcp --agent NAME`
// and speaks over its standard input and output; the ACTIONGATE_*
// environment variables are passed on to it.
import { parseArgs } from "node:util";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const usage =
  "usage: node client.mjs (--url URL | --command PATH) --agent NAME [--origin ORIGIN] [--call 'TOOL=JSON' ...]";

function options() {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      command: { type: "string" },
      agent: { type: "string" },
      origin: { type: "string" },
      call: { type: "string", multiple: true, default: [] },
    },
    strict: true,
  });
  if (!values.agent || Boolean(values.url) === Boolean(values.command)) {
    throw new Error(usage);
  }
  const calls = values.call.map((spec) => {
    const eq = spec.indexOf("=");
    const name = eq < 0 ? spec : spec.slice(0, eq);
    const json = eq < 0 ? "{}" : spec.slice(eq + 1);
    let args;
    try {
      args = JSON.parse(json);
    } catch (err) {
      throw new Error(`--call ${name}: the arguments are not JSON: ${err.message}`);
    }
    return { name, arguments: args };
  });
  return { ...values, calls };
}

function httpTransport(opts) {
  const token = process.env.ACTIONGATE_TOKEN;
  if (!token) {
    throw new Error("ACTIONGATE_TOKEN must hold the token for --url");
  }
  const headers = { Authorization: `Bearer ${token}` };
  if (opts.origin) {
    headers.Origin = opts.origin;
  }
  const endpoint = new URL(`mcp/${encodeURIComponent(opts.agent)}`, opts.url.endsWith("/") ? opts.url : `${opts.url}/`);
  return new StreamableHTTPClientTransport(endpoint, { requestInit: { headers } });
}

function stdioTransport(opts) {
  const env = getDefaultEnvironment();
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("ACTIONGATE_")) {
      env[key] = value;
    }
  }
  return new StdioClientTransport({
    command: opts.command,
    args: ["mcp", "--agent", opts.agent],
    env,
    stderr: "inherit",
  });
}

async function main() {
  const opts = options();
  const transport = opts.url ? httpTransport(opts) : stdioTransport(opts);
  const client = new Client({ name: "actiongate-interop", version: "1.0.0" });
  await client.connect(transport);
  try {
    const listed = await client.listTools();
    const calls = [];
    for (const c of opts.calls) {
      const result = await client.callTool({ name: c.name, arguments: c.arguments });
      calls.push({ name: c.name, arguments: c.arguments, result });
    }
    const out = { server: client.getServerVersion(), tools: listed.tools, calls };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await client.close();
  }
}

main().catch((err) => {
  process.stderr.write(`mcpclient: ${err?.stack ?? err}\n`);
  process.exit(1);
});
