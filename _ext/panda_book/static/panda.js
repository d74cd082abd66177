// PANDA微短剧: the reader's side of the book.
//
// - The 中文 / English / 双语 switch. The mode lives in <html data-lang>, set in
//   <head> before the page is drawn (static/panda-lang-init.js); CSS does
//   the hiding. The choice is kept in localStorage; ?lang=zh|en|both sets it.
// - Switching keeps the story in view where it was on screen.
// - In 双语 the reader chooses which language comes first (<html data-first>), kept too.
// - A story with no text in the chosen language offers the other language.
// - Interactive views (ipywidgets) load their 3.6 MB bundle on request only.
// - A page opened from a search result highlights the terms that matched it (?hl=).
// - The print button works by data-panda-click: the Content-Security-Policy
//   runs no inline onclick (csp.py).
(function () {
  "use strict";
  var root = document.documentElement;
  var MODES = { zh: "zh-CN", en: "en", both: null };

  function anchor() {
    // The story (or heading, or figure) the reader is at: the first that starts
    // inside the window, else the one running through its top edge.
    var candidates = document.querySelectorAll(
      "article .story, article section > h2, article section > h3, article figure, article > section > .bl-pair");
    var through = null;
    for (var i = 0; i < candidates.length; i++) {
      var rect = candidates[i].getBoundingClientRect();
      if (!rect.height) continue;
      if (rect.top >= 0 && rect.top < window.innerHeight) return { el: candidates[i], top: rect.top };
      if (rect.top < 0 && rect.bottom > 0) through = { el: candidates[i], top: rect.top };
    }
    return through;
  }

  function keepingPlace(change) {
    // change the page's layout, keeping the story the reader is at where it was on screen
    var place = anchor();
    change();
    if (place && place.el.getClientRects().length) {
      // set, not animated: the theme's scroll-behavior: smooth would animate
      // (and a later layout pass could cancel) a relative scrollBy
      var scroller = document.scrollingElement || root;
      var target = scroller.scrollTop + place.el.getBoundingClientRect().top - place.top;
      root.style.scrollBehavior = "auto";
      scroller.scrollTop = target;
      root.style.scrollBehavior = "";
    }
  }

  function applyMode(mode) {
    root.dataset.lang = mode;
    root.lang = MODES[mode] || MODES[root.dataset.first === "en" ? "en" : "zh"];
    try { localStorage.setItem("panda-lang", mode); } catch (e) { /* private mode */ }
    var url = new URL(location.href);
    if (url.searchParams.has("lang")) {
      url.searchParams.set("lang", mode);
      history.replaceState(history.state, "", url);
    }
    document.querySelectorAll('.bl-switch input[name="bl-lang"]').forEach(function (input) {
      input.checked = input.value === mode;
    });
  }

  function setMode(mode, keepPlace) {
    if (!(mode in MODES)) return;
    if (keepPlace) keepingPlace(function () { applyMode(mode); });
    else applyMode(mode);
  }

  function initSwitch() {
    setMode(root.dataset.lang || "both", false);
    document.querySelectorAll(".bl-switch").forEach(function (group) {
      group.addEventListener("change", function (event) {
        if (event.target.name === "bl-lang") setMode(event.target.value, true);
      });
    });
  }

  function initOrder() {
    // 英文在前 · English first: a toggle, shown in 双语 only (panda.css)
    document.querySelectorAll(".bl-order").forEach(function (button) {
      button.setAttribute("aria-pressed", String(root.dataset.first === "en"));
      button.addEventListener("click", function () {
        keepingPlace(function () {
          var first = root.dataset.first === "en" ? "zh" : "en";
          root.dataset.first = first;
          try { localStorage.setItem("panda-first", first); } catch (e) { /* private mode */ }
          document.querySelectorAll(".bl-order").forEach(function (b) { b.setAttribute("aria-pressed", String(first === "en")); });
          applyMode(root.dataset.lang);  // <html lang> follows the language put first
        });
      });
    });
  }

  function initSidebarToggle() {
    // The themes' scripts serve the first ☰ of the page only (document.querySelector), which is the top
    // bar's, hidden where the article's header shows its own: the visible one passes its click on.
    var toggles = document.querySelectorAll(".primary-toggle");
    for (var i = 1; i < toggles.length; i++) {
      toggles[i].addEventListener("click", function (event) {
        event.preventDefault();
        event.stopImmediatePropagation();
        toggles[0].click();
      }, true);
    }
  }

  function initReveal() {
    document.querySelectorAll(".bl-reveal").forEach(function (button) {
      var scope = button.closest(".story") || button.closest(".bl-pair");
      if (!scope) return;
      var label = { show: button.textContent, hide: button.lang === "en" ? "Hide the Chinese" : "隐藏英文" };
      button.addEventListener("click", function () {
        var on = !scope.classList.contains("bl-revealed");
        scope.classList.toggle("bl-revealed", on);
        button.setAttribute("aria-pressed", String(on));
        button.textContent = on ? label.hide : label.show;
      });
    });
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("could not load " + src)); };
      document.body.appendChild(s);
    });
  }

  function initWidgets() {
    var meta = document.querySelector('meta[name="panda-widgets"]');
    var views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
    if (!meta || !views.length) return;
    var urls = meta.content.split(" ");
    var buttons = [];
    views.forEach(function (view) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "bl-widget-load btn btn-sm";
      button.innerHTML = '<span lang="zh-CN" class="bl-zh">加载交互视图</span><span class="bl-sep" aria-hidden="true"> · </span>' +
        '<span lang="en" class="bl-en">Load the interactive view</span>';
      view.parentNode.insertBefore(button, view);
      buttons.push(button);
      // the view's rows of buttons, one per language (charts.chart_switcher), get their lang when drawn
      new MutationObserver(function () {
        view.parentNode.querySelectorAll(".bl-zh:not([lang]), .bl-en:not([lang])").forEach(function (el) {
          el.lang = el.classList.contains("bl-zh") ? "zh-CN" : "en";
        });
      }).observe(view.parentNode, { childList: true, subtree: true });
    });
    var loading = null;
    function load() {
      if (loading) return loading;
      buttons.forEach(function (b) { b.disabled = true; b.setAttribute("aria-busy", "true"); });
      loading = fetch(urls[0]).then(function (r) {
        if (!r.ok) throw new Error("widget state: HTTP " + r.status);
        return r.text();
      }).then(function (state) {
        var s = document.createElement("script");
        s.type = "application/vnd.jupyter.widget-state+json";
        s.textContent = state;
        document.body.appendChild(s);
        return urls.slice(1).reduce(function (p, src) {
          return p.then(function () { return loadScript(src); });
        }, Promise.resolve());
      }).then(function () {
        buttons.forEach(function (b) { b.remove(); });
      }).catch(function (err) {
        loading = null;
        buttons.forEach(function (b) { b.disabled = false; b.removeAttribute("aria-busy"); });
        console.warn(err);
      });
      return loading;
    }
    buttons.forEach(function (b) { b.addEventListener("click", load); });
  }

  function initBackToTop() {
    var b = document.getElementById("pst-back-to-top");
    if (b) {
      b.innerHTML = '<i class="fa-solid fa-arrow-up" aria-hidden="true"></i><span lang="zh-CN" class="bl-zh">回到顶部</span>' +
        '<span class="bl-sep" aria-hidden="true"> · </span><span lang="en" class="bl-en">Back to top</span>';
    }
  }

  // Search: a result link carries the terms that matched its page (?hl=, static/panda-search.js);
  // they are highlighted in the article, outside interface text (site/search.py's INTERFACE_CLASSES).
  // Sphinx's highlighter would show every term of the last search on whatever page opens next.
  var INTERFACE = ["bl-gap", "bl-gap-note", "bl-fill-note", "bl-reveal", "bl-sep", "bl-switch", "bl-tags",
    "bl-reading-time", "headerlink", "visually-hidden", "pst-js-only", "d-print-none", "onlyprint", "bl-closing",
    "bl-pdf-links"];
  try { localStorage.removeItem("sphinx_highlight_terms"); } catch (e) { /* private mode */ }

  function highlightTerm(scope, term) {
    var skip = INTERFACE.map(function (c) { return "." + c; }).concat(["button", "script", "style", ".highlighted"]).join(", ");
    var walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        return node.parentElement.closest(skip) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      },
    });
    var found = [];
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.data.toLowerCase().indexOf(term) !== -1) found.push(node);
    }
    found.forEach(function (node) {
      var at;
      while (node && (at = node.data.toLowerCase().indexOf(term)) !== -1) {
        var hit = node.splitText(at);
        node = hit.splitText(term.length);
        var mark = document.createElement("span");
        mark.className = "highlighted";
        hit.parentNode.replaceChild(mark, hit);
        mark.appendChild(hit);
      }
    });
  }

  function initHighlight() {
    var url = new URL(location.href);
    if (!url.searchParams.has("hl")) return;
    var terms = url.searchParams.getAll("hl").map(function (t) { return t.trim().toLowerCase(); }).filter(Boolean);
    url.searchParams.delete("hl");
    history.replaceState(history.state, "", url);
    var scope = document.querySelector('[role="main"] article') || document.querySelector('[role="main"]');
    if (scope) terms.forEach(function (term) { highlightTerm(scope, term); });
  }

  function initFilters() {
    // 数据 / Data: show only the rows whose text holds what the reader types
    document.querySelectorAll("input[data-filter]").forEach(function (input) {
      var table = document.querySelector("table." + input.dataset.filter);
      var output = input.closest("p").querySelector("output");
      if (!table) return;
      var rows = Array.prototype.slice.call(table.tBodies[0].rows);
      // each row's text in both languages, whatever the mode: headlines, topics, metric, value, source...;
      // not the column names a phone shows in each cell, nor the screen readers' "Topics:"
      var texts = rows.map(function (row) {
        var copy = row.cloneNode(true);
        copy.querySelectorAll(".bl-cell-label, .visually-hidden").forEach(function (e) { e.remove(); });
        return copy.textContent.toLowerCase();
      });
      input.addEventListener("input", function () {
        var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
        var shown = 0;
        rows.forEach(function (row, i) {
          var text = texts[i];
          var keep = words.every(function (w) { return text.indexOf(w) >= 0; });
          row.hidden = !keep;
          shown += keep ? 1 : 0;
        });
        if (output) output.textContent = shown + " / " + rows.length;
      });
    });
  }

  function copyLink(event) {
    // An issue's share block (site/closing.py): the page's address to the clipboard, with a
    // confirmation; where the clipboard is refused, the address shown, selected, to copy by hand.
    var block = event.currentTarget.closest(".bl-share");
    if (!block) return;
    var status = block.querySelector(".bl-copy-status");
    var field = block.querySelector(".bl-share-url");
    function say(zh, en) {
      status.innerHTML = '<span lang="zh-CN" class="bl-zh"></span><span class="bl-sep" aria-hidden="true"> · </span>' +
        '<span lang="en" class="bl-en"></span>';
      status.children[0].textContent = zh;
      status.children[2].textContent = en;
    }
    function byHand() {
      field.hidden = false;
      var input = field.querySelector("input");
      input.focus();
      input.select();
      say("请复制上面的地址", "Copy the address above");
    }
    if (!navigator.clipboard || !window.isSecureContext) { byHand(); return; }
    navigator.clipboard.writeText(block.dataset.url).then(function () {
      field.hidden = true;
      say("链接已复制", "Link copied");
    }, byHand);
  }

  function initClicks() {
    var actions = {
      print: function () { window.print(); },
      "copy-link": copyLink,
    };
    document.querySelectorAll("[data-panda-click]").forEach(function (el) {
      var action = actions[el.getAttribute("data-panda-click")];
      if (action) el.addEventListener("click", action);
    });
  }

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    initHighlight();
    initSwitch();
    initOrder();
    initSidebarToggle();
    initReveal();
    initWidgets();
    initBackToTop();
    initFilters();
    initClicks();
  });
})();
