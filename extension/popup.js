/** The toolbar popup: is this page's paper on the shelf, and clip it into a collection. */
import { el, show } from "./dom.js";
import { MESSAGES } from "./messages.js";

const NEW_COLLECTION = "__new__";
const statusBox = document.getElementById("status");
const form = document.getElementById("clip-form");
const select = document.getElementById("collection");
const newRow = document.getElementById("new-collection-row");
const newName = document.getElementById("new-collection");
const resultBox = document.getElementById("result");

/** The tab this popup is about: the active tab, or ?tab=<id> when opened in a tab of its own. */
async function targetTab() {
  const fromUrl = Number(new URLSearchParams(location.search).get("tab"));
  if (Number.isInteger(fromUrl) && fromUrl > 0) return fromUrl;
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab ? tab.id : 0;
}

async function send(message) {
  const reply = await chrome.runtime.sendMessage(message);
  if (!reply) throw new Error("The extension did not answer; reload it from the browser's extensions page.");
  return reply;
}

function backendDown(state) {
  const error = state.backend.error || {};
  if (error.kind === "unauthorised") {
    return [el("p", { className: "status-warn", text: error.message }), el("p", { text: "Open Settings and paste the token." })];
  }
  if (error.kind === "incompatible") {
    return [el("p", { className: "status-warn", text: error.message })];
  }
  return [
    el("p", { className: "status-warn", text: `The Papershelf backend is not running at ${state.backendUrl}.` }),
    el("p", { text: "Start it in your shelf's folder with " }, el("code", { text: "papershelf serve" })),
  ];
}

function lookupLine(state) {
  const lookup = state.lookup || { found: null };
  const where = lookup.source === "site" ? "published shelf" : "shelf";
  if (lookup.found === true) {
    const names = lookup.paper.collections || [];
    const inWhat = names.length ? ` (in ${names.join(", ")})` : "";
    return el("p", { className: "status-ok", text: `On your ${where}${inWhat}.` });
  }
  if (lookup.found === false) return el("p", { text: `Not on your ${where} yet.` });
  if (lookup.source === "site") return el("p", { className: "muted", text: "The published site did not answer either." });
  return el("p", { className: "muted", text: "Whether it is on your shelf is not known while the backend is down." });
}

function fillCollections(collections, current) {
  const options = collections.map((c) => el("option", { text: `${c.slug} (${c.papers})`, attrs: { value: c.slug } }));
  options.push(el("option", { text: "New collection…", attrs: { value: NEW_COLLECTION } }));
  show(select, ...options);
  const preferred = (current || []).find((slug) => collections.some((c) => c.slug === slug));
  select.value = preferred || (collections[0] ? collections[0].slug : NEW_COLLECTION);
  newRow.hidden = select.value !== NEW_COLLECTION;
}

async function render(tabId) {
  const reply = await send({ type: MESSAGES.TAB_STATE, tabId });
  if (!reply.ok) throw new Error(reply.error.message);
  const parts = [];
  if (!reply.page) {
    parts.push(el("p", { text: "No paper found on this page." }));
    parts.push(el("p", { className: "muted", text: "Papershelf recognises arXiv and Hugging Face paper pages and pages with citation metadata." }));
  } else {
    parts.push(el("p", { className: "paper-title", text: reply.page.title }));
    parts.push(lookupLine(reply));
  }
  if (!reply.backend.running) parts.push(...backendDown(reply));
  show(statusBox, ...parts);
  form.hidden = !(reply.page && reply.backend.running);
  if (!form.hidden) fillCollections(reply.collections, reply.lookup && reply.lookup.paper && reply.lookup.paper.collections);
  document.body.dataset.state = reply.backend.running ? (reply.lookup && reply.lookup.found ? "on-shelf" : "ready") : "backend-down";
}

async function clip(tabId) {
  const chosen = select.value === NEW_COLLECTION ? newName.value.trim() : select.value;
  if (!chosen) {
    show(resultBox, el("p", { className: "status-warn", text: "Name the new collection first." }));
    newName.focus();
    return;
  }
  form.querySelector("button").disabled = true;
  show(resultBox, el("p", { className: "muted", text: "Clipping…" }));
  const reply = await send({ type: MESSAGES.CLIP, tabId, collections: [chosen] });
  form.querySelector("button").disabled = false;
  if (!reply.ok) {
    show(resultBox, el("p", { className: "status-warn", text: reply.error.message }));
    return;
  }
  const word = { created: "Clipped", merged: "Merged into the copy on your shelf", unchanged: "Already on your shelf" };
  const link = el("a", { text: "Open it in the preview", attrs: { href: reply.previewUrl, target: "_blank", id: "preview-link" } });
  show(resultBox, el("p", { className: "status-ok", text: `${word[reply.result.status]}: ${reply.result.title}. ` }, link));
  document.body.dataset.clipped = reply.result.slug;
  await render(tabId);
}

select.addEventListener("change", () => {
  newRow.hidden = select.value !== NEW_COLLECTION;
  if (!newRow.hidden) newName.focus();
});

targetTab().then(async (tabId) => {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clip(tabId).catch((error) => show(resultBox, el("p", { className: "status-warn", text: error.message })));
  });
  try {
    await render(tabId);
  } catch (error) {
    show(statusBox, el("p", { className: "status-warn", text: error.message }));
  }
});
