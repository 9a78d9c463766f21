// Follows the uploads being ingested on the sources page: every second it asks the server how
// many rows each running upload has read, and reloads the page once one of them has finished,
// so that the finished import's counts are the server's own.
"use strict";
(function () {
  const lang = document.documentElement.lang;
  const digits = document.body.dataset.digits === "arabic-indic" ? "arab" : "latn";
  const numbers = new Intl.NumberFormat(`${lang === "ar" ? "ar" : "en"}-u-nu-${digits}`);
  function running() {
    return document.querySelectorAll("#jobs tr[data-state='running']");
  }
  async function poll() {
    if (running().length === 0) return;
    try {
      const response = await fetch("/sources/jobs", {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) {
        const { jobs } = await response.json();
        for (const job of jobs) {
          const row = document.querySelector(`#jobs tr[data-job='${CSS.escape(job.id)}']`);
          if (!row || row.dataset.state !== "running") continue;
          if (job.state !== "running") {
            window.location.reload();
            return;
          }
          row.querySelector("[data-field='rows']").textContent = numbers.format(job.rows);
        }
      }
    } catch (error) {
      // The server may be restarting; try again at the next tick.
    }
    window.setTimeout(poll, 1000);
  }
  window.setTimeout(poll, 500);
})();
