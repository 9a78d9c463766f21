// Shows how much of an evidence upload has been sent. A form marked data-upload-progress is
// sent by XMLHttpRequest instead of the browser, so that its upload events fill a <progress>;
// the server's answer (the item's page, or the form again with its error) then replaces this
// page, with its address. Without this script the form is sent the ordinary way.
"use strict";
(function () {
  const lang = document.documentElement.lang;
  const digits = document.body.dataset.digits === "arabic-indic" ? "arab" : "latn";
  const percent = new Intl.NumberFormat(`${lang === "ar" ? "ar" : "en"}-u-nu-${digits}`, {
    style: "percent",
  });

  function show(answer, url) {
    const page = document.adoptNode(answer.documentElement);
    document.replaceChild(page, document.documentElement);
    window.history.replaceState(null, "", url);
    attach();
  }

  function send(form) {
    const box = form.querySelector(".upload-progress");
    const bar = box.querySelector("progress");
    const output = box.querySelector("[data-field='percent']");
    const storing = box.querySelector("[data-field='storing']");
    const failed = box.querySelector("[data-field='failed']");
    const button = form.querySelector("button[type='submit']");
    const request = new XMLHttpRequest();
    box.hidden = false;
    storing.hidden = true;
    failed.hidden = true;
    button.disabled = true;
    request.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      bar.value = (100 * event.loaded) / event.total;
      output.textContent = percent.format(event.loaded / event.total);
    });
    request.upload.addEventListener("load", () => {
      bar.value = 100;
      storing.hidden = false;
    });
    request.addEventListener("load", () => {
      if (request.response && request.response.documentElement) {
        show(request.response, request.responseURL);
      } else {
        failed.hidden = false;
        button.disabled = false;
      }
    });
    request.addEventListener("error", () => {
      failed.hidden = false;
      button.disabled = false;
    });
    request.responseType = "document";
    request.open("POST", form.action);
    request.send(new FormData(form));
  }

  function attach() {
    for (const form of document.querySelectorAll("form[data-upload-progress]")) {
      if (form.dataset.progressAttached) continue;
      form.dataset.progressAttached = "yes";
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        send(form);
      });
    }
  }

  attach();
})();
