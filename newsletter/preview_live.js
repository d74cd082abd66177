// The preview's own script (python -m newsletter preview); never part of a published page.
// It follows the preview server's events (through one stream shared by all open pages, preview_live_worker.js):
// a good build reloads the page, a failed one shows its error over the last good page. The server serves it from the page's origin, which the page's CSP admits.
(function () {
  "use strict";
  var script = document.currentScript;
  var shown = Number(script && script.dataset.built);
  var banner = null;

  function bannerFor(message) {
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "panda-preview-error";
      banner.setAttribute("role", "alert");
      var s = banner.style; // CSSOM, not a style attribute: the page's CSP allows it
      s.position = "fixed"; s.left = "0"; s.right = "0"; s.top = "0"; s.zIndex = "10000";
      s.maxHeight = "50vh"; s.overflow = "auto"; s.padding = "0.75rem 1rem";
      s.background = "#7f1d1d"; s.color = "#fff"; s.font = "15px/1.5 system-ui, sans-serif";
      s.boxShadow = "0 2px 8px rgba(0,0,0,.4)";
      var title = document.createElement("strong");
      var zh = document.createElement("span"); zh.lang = "zh-CN"; zh.textContent = "预览构建失败";
      var en = document.createElement("span"); en.lang = "en";
      en.textContent = "Preview build failed: the page below is the last good build";
      title.append(zh, " · ", en);
      var pre = document.createElement("pre");
      pre.lang = "en";
      pre.style.whiteSpace = "pre-wrap"; pre.style.margin = "0.5rem 0 0"; pre.style.font = "14px/1.45 monospace";
      pre.style.background = "transparent"; pre.style.color = "#fff"; pre.style.border = "0"; pre.style.padding = "0";
      banner.append(title, pre);
      document.body.prepend(banner);
    }
    banner.querySelector("pre").textContent = message;
  }

  function follow(state) {
    if (state.built !== shown) {
      location.reload();
      return;
    }
    if (state.error) {
      bannerFor(state.error);
    } else if (banner) {
      banner.remove();
      banner = null;
    }
  }

  function receive(data) {
    document.documentElement.dataset.pandaPreview = "following"; // the preview is following this page
    var state = JSON.parse(data);
    if (document.body) follow(state);
    else document.addEventListener("DOMContentLoaded", function () { follow(state); });
  }

  // one stream for all the preview's pages (preview_live_worker.js); a page of its own where there are no
  // shared workers
  if (window.SharedWorker) {
    var worker = new SharedWorker("/__panda_preview__/live-worker.js", { name: "panda-preview" });
    worker.port.onmessage = function (event) { receive(event.data); };
    worker.port.start();
  } else {
    var events = new EventSource("/__panda_preview__/events");
    events.addEventListener("state", function (event) { receive(event.data); });
  }
})();
