// bench/plexjs/decode.mjs FILE [ROUNDS] [ROUND_MS]: ns per typed decode of a
// PIN container by @lukehagar/plexjs 0.39.0 (issue 7, `make bench`), the
// counterpart of libplex's plex_pin_parse + plex_pin_free in bench_decode.
//
// One decode is getPinAuthPinContainerFromJSON(text), the SDK's exported
// "from JSON" for the PIN container: JSON.parse of the bytes, then the Zod
// inbound schema GetPinAuthPinContainer$inboundSchema (types, defaults, the
// two ISO dates into Date objects, snake_case keys of location renamed), in
// safeParse's try/catch, which is what the SDK does to a response body.
// getPin and getTokenByPinId validate the same container through the same
// schema (wrapped in GetPinResponse$inboundSchema with the HTTP fields).
//
// Method, as bench_decode --only: warm-up (the JIT tiers up) for 1 s of CPU
// time, the iteration count calibrated so that one round takes ROUND_MS
// (default 20), then ROUNDS rounds (default 21); the median ns/decode of the
// rounds, in CPU time (see cpuNs).
// Prints "ns_per_decode N min MIN max MAX". Exit status 0, 1 when plexjs
// rejects the document, 2 usage.
import { readFileSync } from "node:fs";
import ops from "@lukehagar/plexjs/sdk/models/operations/index.js";

const [file, roundsArg, roundMsArg] = process.argv.slice(2);
if (!file) {
    process.stderr.write("usage: node decode.mjs FILE [ROUNDS] [ROUND_MS]\n");
    process.exit(2);
}
const rounds = Number(roundsArg ?? 21);
const roundMs = Number(roundMsArg ?? 20);
const text = readFileSync(file, "utf8");
const decode = ops.getPinAuthPinContainerFromJSON;

const first = decode(text);
if (!first.ok) {
    process.stderr.write(`plexjs rejects ${file}: ${first.error}\n`);
    process.exit(1);
}
const pin = first.value;
if (pin.id !== 308667304 || pin.code !== "7RQZ" || pin.location.postalCode !== "802" ||
    pin.authToken !== "gcgzw5rz2xovp84b4vha3a40" || !(pin.createdAt instanceof Date)) {
    process.stderr.write(`plexjs: ${file} is not the seed example container\n`);
    process.exit(1);
}

// ns of CPU time (user + system) of the process; bench_decode --only times
// libplex in CPU time too, so that neither counts time spent waiting for a
// CPU while other work shares the machine. The process's CPU time holds
// node's helper threads (garbage collector, JIT) working for the loop.
function cpuNs() {
    const u = process.cpuUsage();
    return (u.user + u.system) * 1000;
}

let sink = 0;
function batch(n) {
    const t0 = cpuNs();
    for (let i = 0; i < n; i++)
        sink ^= decode(text).ok ? 1 : 2;
    return cpuNs() - t0;
}

// warm-up, then calibrate
let n = 16;
const warmEnd = cpuNs() + 1e9;
while (cpuNs() < warmEnd)
    batch(n);
for (;;) {
    const t = batch(n);
    if (t >= 5e6 || n >= 2 ** 30) {
        n = Math.max(1, Math.round((n * roundMs * 1e6) / t));
        break;
    }
    n *= 2;
}
const ns = [];
for (let r = 0; r < rounds; r++)
    ns.push(batch(n) / n);
ns.sort((a, b) => a - b);
if (sink === -1)
    process.stdout.write("\n"); // keep the results alive
process.stdout.write(`ns_per_decode ${ns[rounds >> 1].toFixed(0)} min ${ns[0].toFixed(0)} max ${ns[rounds - 1].toFixed(0)}\n`);
