// Papershelf's embed widget.  Paste into any page:
//
//   <script src="https://user.github.io/shelf/embed.js" data-feed="topics/diffusion" data-limit="5" async></script>
//
// It shows the latest papers of that feed where the script tag stands, inside a shadow
// root so that neither page's CSS reaches the other.  It reads the feed's JSON Feed
// (feeds/<name>.json) from the site it was loaded from; the host page is on another
// origin, so the site must answer with Access-Control-Allow-Origin (GitHub Pages does).
// Text from the feed only ever becomes textContent, and only http(s) links are followed.
(function () {
  "use strict";

  var FEED_NAME = /^(?:all|(?:collections|topics)\/[a-z0-9]+(?:-[a-z0-9]+)*)$/;
  var PAPER_PATH = /^papers\/[a-z0-9]+(?:-[a-z0-9]+)*\/$/;
  var DAY = /^(\d{4})-(\d{2})-(\d{2})/;
  var DEFAULT_LIMIT = 5;
  var MAX_LIMIT = 50;
  var DONE = "data-papershelf-rendered";
  var STYLE = [
    ":host { all: initial; display: block; margin: 0.75rem 0; color: inherit; color-scheme: light dark;",
    "  font: 0.95rem/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif; }",
    ".box { border: 1px solid color-mix(in srgb, currentColor 22%, transparent); border-radius: 8px;",
    "  padding: 0.75rem 1rem; }",
    ".title { margin: 0 0 0.4rem; font-weight: 600; }",
    "ol { list-style: none; margin: 0; padding: 0; }",
    "li { padding: 0.45rem 0; border-top: 1px solid color-mix(in srgb, currentColor 12%, transparent); }",
    "li:first-child { border-top: 0; }",
    "a { color: inherit; text-decoration: underline; text-decoration-thickness: 1px;",
    "  text-underline-offset: 0.15em; }",
    "a:hover { text-decoration-thickness: 2px; }",
    "a:focus-visible { outline: 2px solid currentColor; outline-offset: 2px; border-radius: 2px; }",
    "time { display: block; font-size: 0.85em; opacity: 0.75; }",
    ".status { margin: 0; }"
  ].join("\n");

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function httpUrl(value) {
    try {
      var url = new URL(String(value));
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : "";
    } catch (error) {
      return "";
    }
  }

  // Link to the paper on the site this script came from: the feed's site-relative path
  // resolved against it, so mirrors and previews link to themselves.
  function paperUrl(item, base) {
    var extra = item && item._papershelf;
    if (extra && typeof extra.path === "string" && PAPER_PATH.test(extra.path)) {
      return new URL(extra.path, base).href;
    }
    return httpUrl(item && item.url);
  }

  function dayOf(value) {
    var match = DAY.exec(String(value || ""));
    if (!match) { return null; }
    var date = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
    return {
      iso: match[0],
      text: date.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" })
    };
  }

  function limitOf(script) {
    var limit = parseInt(script.getAttribute("data-limit") || "", 10);
    if (!(limit >= 1)) { return DEFAULT_LIMIT; }
    return Math.min(limit, MAX_LIMIT);
  }

  function renderItems(box, feed, pageUrl, base, limit) {
    var heading = element("p", "title");
    var home = element("a", "", typeof feed.title === "string" ? feed.title : "Latest papers");
    home.href = pageUrl;
    heading.appendChild(home);
    var list = element("ol");
    var items = Array.isArray(feed.items) ? feed.items : [];
    for (var i = 0; i < items.length && list.childElementCount < limit; i++) {
      var href = paperUrl(items[i], base);
      if (!href) { continue; }
      var row = element("li");
      var link = element("a", "", String(items[i].title || href));
      link.href = href;
      row.appendChild(link);
      var day = dayOf(items[i].date_published);
      if (day) {
        var time = element("time", "", day.text);
        time.dateTime = day.iso;
        row.appendChild(time);
      }
      list.appendChild(row);
    }
    box.replaceChildren(heading, list.childElementCount ? list : element("p", "status", "No papers yet."));
  }

  function renderError(box, pageUrl) {
    var status = element("p", "status", "Could not load the latest papers. ");
    var link = element("a", "", "See them on the site.");
    link.href = pageUrl;
    status.appendChild(link);
    box.replaceChildren(status);
  }

  function render(script) {
    script.setAttribute(DONE, "");
    var name = script.getAttribute("data-feed") || "all";
    var host = element("div", "papershelf-embed");
    script.parentNode.insertBefore(host, script.nextSibling);
    var root = host.attachShadow({ mode: "open" });
    var style = element("style", "", STYLE);
    var box = element("section", "box");
    box.setAttribute("aria-label", "Latest papers");
    root.append(style, box);
    if (!FEED_NAME.test(name)) {
      box.replaceChildren(element("p", "status", "Papershelf: data-feed must be all, collections/<name> or topics/<name>."));
      return;
    }
    var base = new URL(".", script.src).href;
    var pageUrl = new URL(name === "all" ? "./" : name + "/", base).href;
    box.replaceChildren(element("p", "status", "Loading the latest papers…"));
    fetch(new URL("feeds/" + name + ".json", base).href, { credentials: "omit" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (feed) { renderItems(box, feed, pageUrl, base, limitOf(script)); })
      .catch(function () { renderError(box, pageUrl); });
  }

  // document.currentScript is this tag while it runs; scripts inserted by other code may
  // run without it, so any of our tags not yet rendered are picked up too.
  var scripts = [];
  if (document.currentScript && document.currentScript.hasAttribute("data-feed")) {
    scripts.push(document.currentScript);
  }
  document.querySelectorAll("script[data-feed][src]").forEach(function (script) {
    if (/\/embed\.js(?:[?#].*)?$/.test(script.src) && scripts.indexOf(script) < 0) { scripts.push(script); }
  });
  scripts.forEach(function (script) {
    if (!script.hasAttribute(DONE)) { render(script); }
  });
})();
