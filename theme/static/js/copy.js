// Copy buttons: <button data-copy-target="ID" hidden> copies the text of element ID, or,
// when ID is a link, its full address.  The buttons stay hidden without JavaScript,
// where they could not work; the text they copy is on the page either way.
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // http:// previews and file:// have no async clipboard; fall back to a selection.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  function statusFor(button) {
    for (var node = button.parentElement; node; node = node.parentElement) {
      var status = node.querySelector(".copy-status");
      if (status) { return status; }
    }
    return null;
  }

  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) { return; }
    var isLink = target instanceof HTMLAnchorElement;
    if (isLink) {
      // Local builds link with relative paths; show and copy the address a reader needs.
      target.textContent = target.href;
    }
    var status = statusFor(button);
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(isLink ? target.href : target.textContent).then(function () {
        if (status) { status.textContent = "Copied."; }
      }, function () {
        if (status) { status.textContent = "Could not copy; select the text and copy it by hand."; }
      });
    });
  });
})();
