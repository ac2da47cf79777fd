// The iframe version of the embed: every paper is in the page; ?limit=N shows the first N.
(function () {
  "use strict";
  var limit = parseInt(new URLSearchParams(window.location.search).get("limit") || "", 10);
  if (!(limit >= 1)) { return; }
  document.querySelectorAll("[data-limit-list] > li").forEach(function (item, index) {
    item.hidden = index >= limit;
  });
})();
