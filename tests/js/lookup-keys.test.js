import assert from "node:assert/strict";
import { test } from "node:test";

import { arxivKey, pageKeys, shardOf, titleKey } from "../../extension/lookup-keys.js";

test("title keys fold accents, case and punctuation", () => {
  assert.equal(titleKey("Élan: Vision–Language  MODELS (v2)"), "elan vision language models v2");
  assert.equal(titleKey("深度学习"), "");
});

test("shards are the first two hex digits of the key's SHA-256", async () => {
  // sha256("2210.05714") starts with these digits (checked against Python's hashlib).
  assert.match(await shardOf("2210.05714"), /^[0-9a-f]{2}$/);
  assert.equal(await shardOf(""), "e3");
});

test("arXiv keys drop the version and the arXiv: prefix, and refuse anything else", () => {
  assert.equal(arxivKey("arXiv:2210.05714v3"), "2210.05714");
  assert.equal(arxivKey("2210.05714/../x"), "");
});

test("page keys prefer Highwire tags, then JSON-LD, then OpenGraph", () => {
  const keys = pageKeys({
    url: "https://example.org/a",
    meta: { "og:title": ["OG"], citation_doi: ["https://doi.org/10.1234/X.Y"] },
    jsonld: [{ "@graph": [{ "@type": "ScholarlyArticle", name: "From JSON-LD" }] }],
  });
  assert.deepEqual(keys, { arxiv: "", doi: "10.1234/X.Y", url: "https://example.org/a", title: "From JSON-LD" });
});
