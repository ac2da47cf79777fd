/** The options page: backend URL, token and published site, kept in storage.local. */
import { el, show } from "./dom.js";
import { MESSAGES } from "./messages.js";
import { checkBackendUrl, checkSiteUrl, loadSettings, saveSettings } from "./settings.js";

const form = document.getElementById("settings");
const backendUrl = document.getElementById("backend-url");
const token = document.getElementById("token");
const siteUrl = document.getElementById("site-url");
const message = document.getElementById("message");

function say(text, className) {
  show(message, el("p", { className, text }));
}

function values() {
  return { backendUrl: checkBackendUrl(backendUrl.value), token: token.value.trim(), siteUrl: checkSiteUrl(siteUrl.value) };
}

loadSettings().then((settings) => {
  backendUrl.value = settings.backendUrl;
  token.value = settings.token;
  siteUrl.value = settings.siteUrl;
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await saveSettings(values());
    say("Saved.", "status-ok");
  } catch (error) {
    say(error.message, "status-warn");
  }
});

document.getElementById("test").addEventListener("click", async () => {
  let settings;
  try {
    settings = values();
  } catch (error) {
    say(error.message, "status-warn");
    return;
  }
  say("Connecting…", "muted");
  const reply = await chrome.runtime.sendMessage({ type: MESSAGES.TEST_CONNECTION, ...settings });
  if (!reply.ok) {
    const hint = reply.error.kind === "offline" ? " Start it with `papershelf serve` in your shelf's folder." : "";
    say(reply.error.message + hint, "status-warn");
  } else if (reply.ping.token !== "valid") {
    say(`Papershelf ${reply.ping.version} is running, but the token is ${reply.ping.token}: run \`papershelf token\`.`, "status-warn");
  } else {
    say(`Connected to Papershelf ${reply.ping.version} (${reply.ping.papers} papers on the shelf).`, "status-ok");
  }
});
