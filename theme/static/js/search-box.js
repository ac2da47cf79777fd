// "/" moves the focus to the search box (the page's own on /search/, else the header's),
// unless the reader is already typing somewhere.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (typing) { return; }
    var boxes = document.querySelectorAll("[data-search-shortcut]");
    var box = boxes[boxes.length - 1];
    if (!box) { return; }
    event.preventDefault();
    box.focus();
    box.select();
  });
})();
