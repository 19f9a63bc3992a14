// Drives actiongate's OpenAI-compatible door with the official openai
// package: lists the models, then asks the model named by --model once
// without a stream and once with one, and prints what the client saw as
// one JSON document. Usage: node client.mjs --base URL --key TOKEN --model agent:NAME
import OpenAI from "openai";

function arg(name) {
  const i = process.argv.indexOf(name);
  if (i < 0 || i + 1 >= process.argv.length) {
    throw new Error(`missing ${name}`);
  }
  return process.argv[i + 1];
}

const client = new OpenAI({ baseURL: arg("--base"), apiKey: arg("--key"), maxRetries: 0, timeout: 30000 });
const model = arg("--model");
const out = {};

const models = await client.models.list();
out.models = [];
for await (const m of models) {
  out.models.push({ id: m.id, object: m.object, owned_by: m.owned_by });
}

const completion = await client.chat.completions.create({
  model,
  user: "node-user",
  messages: [
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello!" },
    { role: "user", content: "Where is order A1?" },
  ],
});
out.completion = {
  id: completion.id,
  object: completion.object,
  model: completion.model,
  content: completion.choices[0].message.content,
  role: completion.choices[0].message.role,
  finish_reason: completion.choices[0].finish_reason,
  usage: completion.usage,
  actiongate: completion.actiongate,
};

const stream = await client.chat.completions.create({
  model,
  user: "node-user",
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: "user", content: "Thanks" }],
});
out.stream = { chunks: 0, roles: [], text: "", finish_reasons: [], usage: null };
for await (const chunk of stream) {
  out.stream.chunks++;
  for (const c of chunk.choices) {
    if (c.delta.role) out.stream.roles.push(c.delta.role);
    if (c.delta.content) out.stream.text += c.delta.content;
    if (c.finish_reason) out.stream.finish_reasons.push(c.finish_reason);
  }
  if (chunk.usage) out.stream.usage = chunk.usage;
}

try {
  await client.chat.completions.create({ model: "agent:nobody", messages: [{ role: "user", content: "Hi" }] });
  out.unknown = { status: 200 };
} catch (err) {
  out.unknown = { status: err.status, code: err.code, param: err.param, type: err.type };
}

process.stdout.write(JSON.stringify(out));
