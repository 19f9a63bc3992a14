// Load driver for MCP servers, built on the official TypeScript SDK
// client: CONCURRENCY clients, each with its own session kept across its
// calls, call one tool back to back, first for the warm-up, then, after
// the harness writes "go" on standard input, for the measured phase.
//
//   DRIVER_TOKEN=... node driver.mjs '{"url": ..., "tool": ..., "cut": false,
//     "concurrency": 1, "warmup_ms": 1000, "duration_ms": 5000, "prefix": "ts1-"}'
//
// It prints "warm" when the warm-up is done and then one JSON line:
// {"calls", "elapsed_ms", "p50_ms", "p99_ms"}, or {"error"} when a call
// failed or its result is not the payload of that call.
import { createInterface } from "node:readline";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const opts = JSON.parse(process.argv[2]);
const headers = process.env.DRIVER_TOKEN ? { Authorization: `Bearer ${process.env.DRIVER_TOKEN}` } : {};

// connect opens the session of worker i. Its JSON-RPC request ids start at
// a distinct offset: @ivotoby/openapi-mcp-server 1.16.1 matches answers to
// requests by id across all sessions, so two sessions numbering from 0 get
// each other's results (the checks below catch it). Distinct ids change
// nothing for a server that keeps sessions apart.
async function connect(i) {
  const client = new Client({ name: "actiongate-load", version: "1.0.0" });
  client._requestMessageId = i * 1_000_000_000;
  const transport = new StreamableHTTPClientTransport(new URL(opts.url), { requestInit: { headers } });
  await client.connect(transport);
  return client;
}

function check(res, id) {
  const text = res.content?.[0]?.type === "text" ? res.content[0].text : undefined;
  if (text === undefined || res.content.length !== 1) {
    throw new Error(`call ${id}: the result is not one text item: ${JSON.stringify(res).slice(0, 300)}`);
  }
  if (res.isError) {
    throw new Error(`call ${id}: isError: ${text.slice(0, 300)}`);
  }
  if (!text.includes(`"${id}"`)) {
    throw new Error(`call ${id}: the result does not hold the payload of this call: ${JSON.stringify(text.slice(0, 300))}`);
  }
  if (opts.cut && !text.includes("more_results")) {
    throw new Error(`call ${id}: the result is cut but names no more_results handle: ${text.slice(0, 300)}`);
  }
}

let next = 0;

async function worker(client, until, latencies) {
  while (performance.now() < until) {
    const id = opts.prefix + next++;
    const t0 = performance.now();
    const res = await client.callTool({ name: opts.tool, arguments: { id } });
    check(res, id);
    if (latencies) latencies.push(performance.now() - t0);
  }
}

function waitForGo() {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: process.stdin });
    rl.on("line", (line) => {
      if (line.trim() === "go") {
        resolve();
        rl.close();
      }
    });
    rl.on("close", () => reject(new Error("standard input closed before go")));
  });
}

async function main() {
  const clients = [];
  for (let i = 0; i < opts.concurrency; i++) clients.push(await connect(i));
  const { tools } = await clients[0].listTools();
  if (!tools.some((t) => t.name === opts.tool)) {
    throw new Error(`the server has no tool ${opts.tool}; it has ${tools.map((t) => t.name).join(", ")}`);
  }
  const warmUntil = performance.now() + opts.warmup_ms;
  await Promise.all(clients.map((c) => worker(c, warmUntil, null)));
  const go = waitForGo();
  process.stdout.write("warm\n");
  await go;
  const latencies = [];
  const start = performance.now();
  await Promise.all(clients.map((c) => worker(c, start + opts.duration_ms, latencies)));
  const elapsed = performance.now() - start;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0;
  process.stdout.write(JSON.stringify({ calls: latencies.length, elapsed_ms: elapsed, p50_ms: at(0.5), p99_ms: at(0.99) }) + "\n");
  await Promise.all(clients.map((c) => c.close()));
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stdout.write(JSON.stringify({ error: String(err?.stack ?? err) }) + "\n");
    process.exit(1);
  },
);
