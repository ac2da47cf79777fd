/**
 * Every message the extension's parts send one another, in one table.
 *
 * The content script cannot import modules (content scripts are classic scripts), so it
 * repeats the one type it sends, PAGE_FOUND; a test holds the two spellings together.
 *
 * | type            | from            | payload                    | reply                          |
 * |-----------------|-----------------|----------------------------|--------------------------------|
 * | page-found      | content script  | {page}                     | none                           |
 * | tab-state       | popup           | {tabId}                    | {page, lookup, backend, ...}   |
 * | clip            | popup           | {tabId, collections}       | {ok, result} or {ok:false, error} |
 * | test-connection | options page    | {backendUrl, token}        | {ok, ping} or {ok:false, error}   |
 */
export const MESSAGES = Object.freeze({
  PAGE_FOUND: "page-found",
  TAB_STATE: "tab-state",
  CLIP: "clip",
  TEST_CONNECTION: "test-connection",
});

/** Messages only the extension's own pages may send (never a content script). */
export const FROM_EXTENSION_PAGES = Object.freeze(new Set([MESSAGES.TAB_STATE, MESSAGES.CLIP, MESSAGES.TEST_CONNECTION]));
