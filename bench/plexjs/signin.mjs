// bench/plexjs/signin.mjs URL: one whole sign-in against plexsim with
// @lukehagar/plexjs 0.39.0 (issue 7, `make bench`), the counterpart of
// bench/bench_signin.c: the same requests, nothing else,
//
//   POST URL/api/v2/pins              plexAPI.plex.getPin()
//   GET  URL/api/v2/pins/{id}         plexAPI.plex.getTokenByPinId(), again
//                                     at once (interval 0) until authToken
//
// through the SDK class the plexjs README shows (PlexAPI), with its default
// HTTP client (Node's fetch). plexjs sends these plex.tv operations to their
// own server list (https://plex.tv/api/v2), not to the SDK's serverURL, so
// each call gets the per-request option serverURL: URL + "/api/v2".
// bench_signin does no GET /api/v2/user, so neither does this.
// Prints "requests R" (what the SDK sent); bench/signin.sh counts requests
// and connections on plexsim's side. Exit status 0 signed in, 1 failed,
// 2 usage.
import { PlexAPI } from "@lukehagar/plexjs";

const url = process.argv[2];
if (!url) {
    process.stderr.write("usage: node signin.mjs URL   (a plexsim started with --approve-after N)\n");
    process.exit(2);
}
const opts = { serverURL: url + "/api/v2", timeoutMs: 30000 };
const who = { clientID: "plexjs-bench-signin", clientName: "libplex-bench" };

try {
    const plexAPI = new PlexAPI();
    const created = await plexAPI.plex.getPin(who, opts);
    const id = created.authPinContainer?.id;
    if (!id) throw new Error("no pin id in the answer to POST /pins");
    let requests = 1;
    let token = null;
    for (let polls = 0; polls < 1000 && !token; polls++) {
        const got = await plexAPI.plex.getTokenByPinId({ pinID: id, ...who }, opts);
        requests++;
        token = got.authPinContainer?.authToken ?? null;
    }
    if (!token) throw new Error("not approved after 1000 polls");
    process.stdout.write(`requests ${requests}\n`);
} catch (e) {
    process.stderr.write(`plexjs signin: ${e?.stack ?? e}\n`);
    process.exitCode = 1;
}
