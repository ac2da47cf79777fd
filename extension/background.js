/**
 * The service worker: the only part of the extension that talks to the backend.
 *
 * It keeps no state in globals (the browser stops it when idle): settings live in
 * storage.local and what it knows of each tab in storage.session.  Listeners are
 * registered at the top level so that a message wakes it up.
 */
import * as backend from "./backend-client.js";
import { showLookup } from "./badge.js";
import { BackendError } from "./errors.js";
import { pageKeys } from "./lookup-keys.js";
import { FROM_EXTENSION_PAGES, MESSAGES } from "./messages.js";
import { checkBackendUrl, loadSettings } from "./settings.js";
import { staticLookup } from "./static-lookup.js";
import { forgetTab, readTab, writeTab } from "./tab-state.js";

const HANDLERS = {
  [MESSAGES.PAGE_FOUND]: pageFound,
  [MESSAGES.TAB_STATE]: tabState,
  [MESSAGES.CLIP]: clipTab,
  [MESSAGES.TEST_CONNECTION]: testConnection,
};

chrome.runtime.onMessage.addListener((message, sender, reply) => {
  const handler = message && HANDLERS[message.type];
  if (!handler || !trustedSender(message.type, sender)) return false;
  handler(message, sender).then(
    (result) => reply({ ok: true, ...result }),
    (error) => reply({ ok: false, error: plainError(error) }),
  );
  return true; // the reply comes asynchronously
});

chrome.tabs.onRemoved.addListener((tabId) => {
  forgetTab(tabId);
});

/** Content scripts may only report pages; everything else comes from our own pages. */
function trustedSender(type, sender) {
  if (sender.id !== chrome.runtime.id) return false;
  const fromOwnPage = typeof sender.url === "string" && sender.url.startsWith(chrome.runtime.getURL(""));
  if (FROM_EXTENSION_PAGES.has(type)) return fromOwnPage && !sender.tab?.url?.startsWith("http");
  return Boolean(sender.tab) && !fromOwnPage;
}

async function pageFound({ page }, sender) {
  const tabId = sender.tab.id;
  await writeTab(tabId, { page, lookup: null });
  const lookup = await lookupPage(await loadSettings(), page);
  await writeTab(tabId, { lookup });
  await showLookup(tabId, lookup);
  return {};
}

async function tabState({ tabId }) {
  const settings = await loadSettings();
  const state = (await readTab(tabId)) || {};
  let status = { running: false, error: null, ping: null };
  let shelfCollections = [];
  try {
    status = { running: true, error: null, ping: await backend.ping(settings) };
    shelfCollections = await backend.collections(settings);
  } catch (error) {
    status = { running: false, error: plainError(error), ping: null };
  }
  let lookup = state.lookup || null;
  if (state.page) {
    lookup = await lookupPage(settings, state.page);
    await writeTab(tabId, { lookup });
    await showLookup(tabId, lookup);
  }
  // Once the paper is on the shelf, its title there (normalised by the backend) reads best.
  const title = (lookup && lookup.found && lookup.paper.title) || (state.page && (pageKeys(state.page).title || state.page.title));
  return {
    page: state.page ? { url: state.page.url, title: title || state.page.url } : null,
    lookup,
    backend: status,
    collections: shelfCollections,
    backendUrl: settings.backendUrl,
    siteUrl: settings.siteUrl,
  };
}

async function clipTab({ tabId, collections }) {
  const settings = await loadSettings();
  const state = await readTab(tabId);
  if (!state || !state.page) throw new BackendError("No paper was found on this page.", { kind: "no-paper" });
  const result = await backend.clip(settings, state.page, collections);
  const lookup = await lookupPage(settings, state.page);
  await writeTab(tabId, { lookup });
  await showLookup(tabId, lookup);
  return { result, previewUrl: `${settings.backendUrl}/${result.page}` };
}

async function testConnection({ backendUrl, token }) {
  const ping = await backend.ping({ backendUrl: checkBackendUrl(backendUrl), token });
  return { ping };
}

/**
 * Ask the backend; when it is not running, ask the published site's static JSON.
 * @returns {Promise<{found: boolean|null, source: string, paper?: object, error?: object}>}
 */
async function lookupPage(settings, page) {
  const keys = pageKeys(page);
  try {
    const answer = await backend.lookup(settings, { ...keys, title: keys.title.slice(0, 2000) });
    return { source: "backend", ...answer };
  } catch (error) {
    if (!(error instanceof BackendError)) throw error;
    if (!settings.siteUrl) return { source: "none", found: null, error: plainError(error) };
    const answer = await staticLookup(settings.siteUrl, keys);
    return { source: "site", ...answer, error: plainError(error) };
  }
}

function plainError(error) {
  if (error instanceof BackendError) return error.toJSON();
  return { name: "Error", kind: "internal", status: 0, message: String((error && error.message) || error) };
}
