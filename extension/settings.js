/**
 * The user's settings, kept in storage.local (never in service-worker globals: the worker
 * is stopped when idle).
 */
export const DEFAULTS = Object.freeze({
  backendUrl: "http://127.0.0.1:8642",
  token: "",
  siteUrl: "", // the published site, for read-only lookups while the backend is down
});

/** @returns {Promise<{backendUrl: string, token: string, siteUrl: string}>} */
export async function loadSettings() {
  const stored = await chrome.storage.local.get(Object.keys(DEFAULTS));
  return { ...DEFAULTS, ...stored };
}

/** @param {Partial<typeof DEFAULTS>} changes */
export async function saveSettings(changes) {
  await chrome.storage.local.set(changes);
}

/**
 * Check a backend URL: the backend only ever listens on loopback, and the manifest only
 * lets the extension reach 127.0.0.1 and localhost.
 * @param {string} value
 * @returns {string} the URL without a trailing slash
 */
export function checkBackendUrl(value) {
  const url = new URL(value.trim());
  if (url.protocol !== "http:" || !["127.0.0.1", "localhost"].includes(url.hostname)) {
    throw new Error("The backend URL must be http://127.0.0.1:PORT or http://localhost:PORT");
  }
  return url.origin;
}

/**
 * @param {string} value
 * @returns {string} "" or an http(s) URL without a trailing slash
 */
export function checkSiteUrl(value) {
  if (!value.trim()) return "";
  const url = new URL(value.trim());
  if (!["http:", "https:"].includes(url.protocol)) throw new Error("The site URL must start with https://");
  return url.href.replace(/\/+$/, "");
}
