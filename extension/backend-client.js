/**
 * Talking to `papershelf serve`.  Only the service worker imports this: requests from it
 * carry no page origin, which is what the backend's guards let through.
 */
import { BackendError } from "./errors.js";

export const API_VERSION = 1;
const TIMEOUT_MS = 8000;

/**
 * @param {{backendUrl: string, token: string}} settings
 * @param {string} method
 * @param {string} path  under /api/v1, such as "/ping"
 * @param {{query?: Record<string, string>, body?: unknown}} [options]
 * @returns {Promise<{status: number, data: any}>}
 */
export async function callBackend(settings, method, path, { query, body } = {}) {
  const url = new URL(`/api/v${API_VERSION}${path}`, settings.backendUrl);
  for (const [name, value] of Object.entries(query || {})) {
    if (value) url.searchParams.set(name, value);
  }
  const headers = { "X-Papershelf-Api-Version": String(API_VERSION) };
  if (settings.token) headers["X-Papershelf-Token"] = settings.token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (cause) {
    throw new BackendError(`The Papershelf backend is not running at ${settings.backendUrl}.`, { kind: "offline", cause });
  }
  // As Zotero's connector does: a reply without our header is some other program.
  if (!response.headers.get("X-Papershelf-Version")) {
    throw new BackendError(`Something other than Papershelf answers at ${settings.backendUrl}.`, {
      kind: "not-papershelf",
      status: response.status,
    });
  }
  const data = await response.json().catch(() => ({}));
  if (response.ok) return { status: response.status, data };
  const message = typeof data.message === "string" ? data.message : `The backend answered ${response.status}.`;
  const kind = { 401: "unauthorised", 412: "incompatible", 422: "not-a-paper" }[response.status] || "refused";
  throw new BackendError(message, { kind, status: response.status });
}

/** @param {{backendUrl: string, token: string}} settings */
export async function ping(settings) {
  return (await callBackend(settings, "GET", "/ping")).data;
}

/**
 * @param {{backendUrl: string, token: string}} settings
 * @param {{arxiv?: string, doi?: string, url?: string, title?: string}} keys
 */
export async function lookup(settings, keys) {
  return (await callBackend(settings, "GET", "/lookup", { query: keys })).data;
}

/** @param {{backendUrl: string, token: string}} settings */
export async function collections(settings) {
  return (await callBackend(settings, "GET", "/collections")).data.collections;
}

/**
 * @param {{backendUrl: string, token: string}} settings
 * @param {object} page  the raw metadata the content script collected
 * @param {string[]} chosen  collection names
 */
export async function clip(settings, page, chosen) {
  const { status, data } = await callBackend(settings, "POST", "/clip", { body: { page, collections: chosen } });
  return { ...data, created: status === 201 };
}
