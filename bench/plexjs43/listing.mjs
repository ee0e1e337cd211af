// bench/ls.sh's JavaScript rows: a whole section listing, by
//   node listing.mjs PMS_URL TOKEN sdk     plexjs 0.43's typed call (content.listContent)
//   node listing.mjs PMS_URL TOKEN fetch   a plain fetch + JSON.parse of the same listing
// Prints "items N".
import { PlexAPI } from "@lukehagar/plexjs";

const [, , url, token, mode] = process.argv;
if (mode === "fetch") {
  const r = await fetch(url + "/library/sections/1/all", {
    headers: { Accept: "application/json", "X-Plex-Token": token, "X-Plex-Client-Identifier": "bench" },
  });
  const j = JSON.parse(await r.text());
  console.log("items", j.MediaContainer.Metadata.length);
} else {
  const sdk = new PlexAPI({ serverURL: url, token, clientIdentifier: "bench", accepts: "application/json" });
  const res = await sdk.content.listContent({ sectionId: "1" });
  console.log("items", res.mediaContainerWithMetadata?.mediaContainer?.metadata?.length);
}
