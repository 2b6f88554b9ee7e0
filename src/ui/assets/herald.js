// Herald's page script: optional. Without it every list and the Redeliver
// button work as plain links and forms. With it the page refreshes itself
// every 5 s while visible, and Redeliver answers without a page load.
"use strict";
(function () {
  const main = () => document.getElementById("main");

  async function load(url, options) {
    const response = await fetch(url, Object.assign({ credentials: "same-origin" }, options));
    if (!response.ok || !(response.headers.get("Content-Type") || "").startsWith("text/html")) {
      return false;
    }
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = doc.getElementById("main");
    if (!fresh) return false;
    main().innerHTML = fresh.innerHTML;
    if (response.redirected) history.replaceState(null, "", response.url);
    return true;
  }

  // Redeliver (and any other page form but sign-in/out) through fetch: the
  // browser still sends Origin, and the answer replaces the page's content.
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.matches("form.redeliver")) return;
    event.preventDefault();
    const button = form.querySelector("button");
    if (button) button.disabled = true;
    const ok = await load(form.action, { method: "POST" }).catch(() => false);
    if (!ok) form.submit();  // fall back to the plain form
  });

  if (location.pathname === "/ui/login") return;
  setInterval(() => {
    if (document.visibilityState !== "visible") return;
    if (document.activeElement && document.activeElement.matches("input, button")) return;
    load(location.href).catch(() => {});
  }, 5000);
})();
