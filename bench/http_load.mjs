// HTTP load generator for the benchmarks: N concurrent clients, each with its own keep-alive connection,
// sending requests back to back for a fixed time. Node's http module costs far less CPU per request than a
// Python client, which matters when the clients and the server share the same cores.
//
// Input (JSON on stdin): {"base": "http://127.0.0.1:8000", "clients": 16, "seconds": 15,
//   "method": "GET" | "POST", "path": "/open311/...", "form": {...}}  (POST sends form fields,
//   with "{client}" and "{seq}" replaced so that each request is distinct; the path too, and "{now}" (epoch
//   seconds) and "{jitter}" (six random digits)). Optional "points": [[lat, lon], ...] with "point_fields":
//   ["lat", "long"]: request n of client c sends point (c + n) % length in those fields, moved by n * 1e-7 degree
//   (POSTs spread over several places).
// Output (JSON on stdout): {"requests", "seconds", "errors", "latencies_ms": [...]}.

import http from "node:http";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const spec = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const url = new URL(spec.base);
const stopAt = performance.now() + spec.seconds * 1000;
const latencies = [];
let errors = 0;
const statuses = {};

function fill(template, client, seq) {
  return template.replaceAll("{client}", String(client)).replaceAll("{seq}", String(seq))
    .replaceAll("{now}", String(Math.floor(Date.now() / 1000)))
    .replaceAll("{jitter}", String(Math.floor(Math.random() * 1e6)).padStart(6, "0"));
}

function body(client, seq) {
  if (!spec.form) return null;
  const fields = {};
  for (const [key, value] of Object.entries(spec.form)) {
    fields[key] = fill(String(value), client, seq);
  }
  if (spec.form_numbers) {
    for (const [key, [start, step_client, step_seq]] of Object.entries(spec.form_numbers)) {
      fields[key] = (start + client * step_client + seq * step_seq).toFixed(7);
    }
  }
  if (spec.points && spec.points.length) {
    const point = spec.points[(client + seq) % spec.points.length];
    spec.point_fields.forEach((key, index) => { fields[key] = (point[index] + seq * 1e-7).toFixed(7); });
  }
  return new URLSearchParams(fields).toString();
}

function once(agent, client, seq) {
  return new Promise((resolve) => {
    const payload = body(client, seq);
    const headers = payload ? { "content-type": "application/x-www-form-urlencoded",
                                "content-length": Buffer.byteLength(payload) } : {};
    const started = performance.now();
    const request = http.request({ host: url.hostname, port: url.port, path: fill(spec.path, client, seq),
                                   method: spec.method,
                                   agent, headers }, (response) => {
      response.on("data", () => {});
      response.on("end", () => {
        latencies.push(performance.now() - started);
        statuses[response.statusCode] = (statuses[response.statusCode] || 0) + 1;
        if (response.statusCode >= 400) errors += 1;
        resolve();
      });
    });
    request.on("error", () => { errors += 1; latencies.push(performance.now() - started); resolve(); });
    if (payload) request.write(payload);
    request.end();
  });
}

async function client(number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let seq = 0;
  while (performance.now() < stopAt) {
    seq += 1;
    await once(agent, number, seq);
  }
  agent.destroy();
}

const began = performance.now();
await Promise.all(Array.from({ length: spec.clients }, (_, n) => client(n)));
const seconds = (performance.now() - began) / 1000;
process.stdout.write(JSON.stringify({ requests: latencies.length, seconds, errors, statuses,
                                      latencies_ms: latencies }));
