// Keyboard shortcuts on the review page: a accept, r reject, s skip, u undo. They follow the
// key's place on the keyboard (event.code), so they work with an Arabic layout too, and they
// are off while typing a note.
"use strict";
(function () {
  const keys = { KeyA: "accept", KeyR: "reject", KeyS: "skip", KeyU: "undo" };
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    const target = event.target;
    if (target instanceof Element && target.closest("input, textarea, select, [contenteditable]")) {
      return;
    }
    const action = keys[event.code];
    const button = action && document.querySelector(`button[data-action='${action}']`);
    if (!button || button.disabled) return;
    event.preventDefault();
    button.click();
  });
  for (const form of document.querySelectorAll("form.review-action")) {
    form.addEventListener("submit", function () {
      for (const button of document.querySelectorAll("form.review-action button")) {
        button.disabled = true;
      }
    });
  }
})();
