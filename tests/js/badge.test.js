import assert from "node:assert/strict";
import { test } from "node:test";

import { badgeFor } from "../../extension/badge.js";
import { BackendError } from "../../extension/errors.js";
import { checkBackendUrl, checkSiteUrl } from "../../extension/settings.js";

test("the badge says on the shelf, not yet, or unknown", () => {
  assert.equal(badgeFor({ found: true, paper: { title: "T" } }).text, "✓");
  assert.equal(badgeFor({ found: false }).text, "+");
  assert.equal(badgeFor({ found: null }).text, "?");
});

test("backend errors keep their kind and status through JSON", () => {
  const error = new BackendError("no", { kind: "unauthorised", status: 401 });
  assert.ok(error instanceof Error);
  assert.deepEqual(JSON.parse(JSON.stringify(error)), { name: "BackendError", kind: "unauthorised", status: 401, message: "no" });
});

test("the backend URL must be loopback http", () => {
  assert.equal(checkBackendUrl(" http://127.0.0.1:8642/ "), "http://127.0.0.1:8642");
  assert.throws(() => checkBackendUrl("http://evil.example:8642"));
  assert.throws(() => checkBackendUrl("https://127.0.0.1:8642"));
  assert.equal(checkSiteUrl("https://you.github.io/shelf/"), "https://you.github.io/shelf");
  assert.throws(() => checkSiteUrl("javascript:alert(1)"));
});
