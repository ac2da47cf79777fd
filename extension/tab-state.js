/**
 * What the extension knows about each tab (the page's metadata, the last lookup), kept in
 * storage.session: it survives the service worker being stopped, not the browser closing,
 * and content scripts cannot read it.
 */
const key = (tabId) => `tab:${tabId}`;

/** @param {number} tabId */
export async function readTab(tabId) {
  return (await chrome.storage.session.get(key(tabId)))[key(tabId)] || null;
}

/** @param {number} tabId @param {object} changes */
export async function writeTab(tabId, changes) {
  const current = (await readTab(tabId)) || {};
  await chrome.storage.session.set({ [key(tabId)]: { ...current, ...changes } });
}

/** @param {number} tabId */
export async function forgetTab(tabId) {
  await chrome.storage.session.remove(key(tabId));
}
