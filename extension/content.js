/**
 * The content script: collects a paper page's raw metadata and hands it to the service
 * worker.  It judges nothing (the backend normalises, in Python) and talks to no server.
 *
 * It runs on every page, does nothing on pages that are not papers, and on a paper page
 * (an arXiv abs page, a huggingface.co/papers/<id> page, a page with citation_* tags or a
 * JSON-LD ScholarlyArticle) sends one "page-found" message.
 */
(() => {
  const PAGE_FOUND = "page-found"; // MESSAGES.PAGE_FOUND in messages.js
  const TEXT_MAX = 200000;
  const META_PREFIXES = ["citation_", "dc.", "dcterms.", "prism.", "og:", "twitter:", "article:"];
  const ABSTRACT_SELECTORS = ["blockquote.abstract", "section.abstract", "div.abstract", "#abstract", ".paper-abstract"];
  const ARXIV_ID = String.raw`(\d{4}\.\d{4,5}(?:v\d+)?)`;
  const SITE_RULES = [
    { host: /^(?:www\.|export\.)?arxiv\.org$/, path: new RegExp(String.raw`^/abs/${ARXIV_ID}/?$`) },
    { host: /^(?:www\.)?huggingface\.co$/, path: new RegExp(String.raw`^/papers/${ARXIV_ID}/?$`) },
  ];

  /** The arXiv id in this page's URL, on the sites whose URLs carry one. */
  function arxivIdFromLocation() {
    for (const rule of SITE_RULES) {
      const match = rule.host.test(location.hostname) && rule.path.exec(location.pathname);
      if (match) return match[1];
    }
    return "";
  }

  function metaTags() {
    const meta = {};
    for (const element of document.querySelectorAll("meta[name], meta[property]")) {
      const name = (element.getAttribute("name") || element.getAttribute("property") || "").trim().toLowerCase();
      if (name !== "description" && !META_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
      const content = (element.getAttribute("content") || "").slice(0, TEXT_MAX);
      if (!meta[name]) meta[name] = [];
      if (meta[name].length < 2000) meta[name].push(content);
    }
    return meta;
  }

  function jsonLd() {
    const blocks = [];
    for (const script of document.querySelectorAll('script[type="application/ld+json"]')) {
      if (blocks.length >= 32) break;
      try {
        blocks.push(JSON.parse(script.textContent));
      } catch {
        // A broken block on the page: skip it.
      }
    }
    return blocks;
  }

  function abstractText() {
    for (const selector of ABSTRACT_SELECTORS) {
      const element = document.querySelector(selector);
      if (element && element.textContent.trim()) return clean(element.textContent);
    }
    // "Abstract" as a heading, followed by the text (as on Hugging Face paper pages).
    for (const heading of document.querySelectorAll("h1, h2, h3, h4")) {
      if (heading.textContent.trim().toLowerCase() === "abstract" && heading.nextElementSibling) {
        return clean(heading.nextElementSibling.textContent);
      }
    }
    return "";
  }

  function clean(text) {
    return text.replace(/^\s*abstract:?\s*/i, "").trim().slice(0, TEXT_MAX);
  }

  function isScholarly(blocks) {
    const types = JSON.stringify(blocks).match(/"@type"\s*:\s*(?:"[^"]*"|\[[^\]]*\])/g) || [];
    return types.some((t) => /ScholarlyArticle|"Article"|Report|Thesis/.test(t));
  }

  const arxivId = arxivIdFromLocation();
  const meta = metaTags();
  const jsonld = jsonLd();
  const hasHighwire = Object.keys(meta).some((name) => name.startsWith("citation_"));
  if (!arxivId && !hasHighwire && !isScholarly(jsonld)) return;

  const canonical = document.querySelector('link[rel="canonical"]');
  const page = {
    url: location.href,
    canonical: canonical ? canonical.href : "",
    title: document.title.slice(0, TEXT_MAX),
    arxiv_id: arxivId,
    abstract: abstractText(),
    meta,
    jsonld,
  };
  chrome.runtime.sendMessage({ type: PAGE_FOUND, page }).catch(() => {
    // The extension was reloaded or updated under this page: nothing to tell.
  });
})();
