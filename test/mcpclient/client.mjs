// An MCP client built on the official TypeScript SDK, used to check that
// actiongate's MCP server works with a client written by someone else.
//
// It connects to one agent's tools, lists them, makes the requested calls
// and prints one JSON document on standard output:
//
//   {"server": {...}, "tools": [...], "calls": [{"name", "arguments", "result"}],
//    "elicitations": [{...}]}
//
// Tool results that are errors (isError) are results, not failures. The
// exit status is non-zero when connecting, listing or calling fails.
//
// Usage:
//
//   ACTIONGATE_TOKEN=... node client.mjs --url http://127.0.0.1:8080 --agent NAME [options]
//   node client.mjs --command /path/to/actiongate --agent NAME [options]
//
// With --url the client speaks streamable HTTP to URL/mcp/NAME, sending the
// token from ACTIONGATE_TOKEN as a bearer token. With --command it starts
// `COMMAND mcp --agent NAME` and speaks over its standard input and output;
// the ACTIONGATE_* environment variables are passed on to it.
//
// Options:
//
//   --call 'TOOL={"arg":1}'   call TOOL with these arguments (repeatable, in order)
//   --meta JSON               the _meta object sent with every call, e.g.
//                             {"actiongate/contact": {"email": "..."}}
//   --elicit accept|decline   declare the elicitation capability and answer
//                             every elicitation request so; the requests are
//                             listed under "elicitations"
//   --origin ORIGIN           send this Origin header (HTTP only)
import { parseArgs } from "node:util";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const usage =
  "usage: node client.mjs (--url URL | --command PATH) --agent NAME [--origin ORIGIN] [--elicit accept|decline] [--meta JSON] [--call 'TOOL=JSON' ...]";

function parseJSON(what, text) {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} is not JSON: ${err.message}`);
  }
}

function options() {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      command: { type: "string" },
      agent: { type: "string" },
      origin: { type: "string" },
      elicit: { type: "string" },
      meta: { type: "string" },
      call: { type: "string", multiple: true, default: [] },
    },
    strict: true,
  });
  const badElicit = values.elicit !== undefined && values.elicit !== "accept" && values.elicit !== "decline";
  if (!values.agent || Boolean(values.url) === Boolean(values.command) || badElicit) {
    throw new Error(usage);
  }
  const calls = values.call.map((spec) => {
    const eq = spec.indexOf("=");
    const name = eq < 0 ? spec : spec.slice(0, eq);
    const args = eq < 0 ? {} : parseJSON(`--call ${name}: the arguments`, spec.slice(eq + 1));
    return { name, arguments: args };
  });
  const meta = values.meta === undefined ? undefined : parseJSON("--meta", values.meta);
  return { ...values, calls, meta };
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
  const capabilities = opts.elicit ? { elicitation: { form: {} } } : {};
  const client = new Client({ name: "actiongate-interop", version: "1.0.0" }, { capabilities });
  const elicitations = [];
  if (opts.elicit) {
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      elicitations.push(request.params);
      return opts.elicit === "accept" ? { action: "accept", content: {} } : { action: "decline" };
    });
  }
  await client.connect(transport);
  try {
    const listed = await client.listTools();
    const calls = [];
    for (const c of opts.calls) {
      const result = await client.callTool({ name: c.name, arguments: c.arguments, _meta: opts.meta });
      calls.push({ name: c.name, arguments: c.arguments, result });
    }
    const out = { server: client.getServerVersion(), tools: listed.tools, calls, elicitations };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await client.close();
  }
}

main().catch((err) => {
  const status = err instanceof StreamableHTTPError ? ` (HTTP status ${err.code})` : "";
  process.stderr.write(`mcpclient: failed${status}: ${err?.stack ?? err}\n`);
  process.exit(1);
});
