/** The toolbar badge: on the shelf (✓), not yet (+), or unknown (?). */

/**
 * @param {{found: boolean|null, paper?: {title: string}}} lookup
 * @returns {{text: string, color: string, title: string}}
 */
export function badgeFor(lookup) {
  if (lookup.found === true) {
    return { text: "✓", color: "#1a7f37", title: `Papershelf: on your shelf — ${lookup.paper.title}` };
  }
  if (lookup.found === false) {
    return { text: "+", color: "#1f5f8b", title: "Papershelf: not on your shelf yet — click to clip it" };
  }
  return { text: "?", color: "#6e7781", title: "Papershelf: the backend is not running (click for how to start it)" };
}

/** @param {number} tabId @param {{found: boolean|null, paper?: {title: string}}} lookup */
export async function showLookup(tabId, lookup) {
  const { text, color, title } = badgeFor(lookup);
  try {
    await chrome.action.setBadgeBackgroundColor({ tabId, color });
    await chrome.action.setBadgeText({ tabId, text });
    await chrome.action.setTitle({ tabId, title });
  } catch {
    // The tab was closed meanwhile: nothing to show.
  }
}
