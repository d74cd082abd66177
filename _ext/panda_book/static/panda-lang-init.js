(function () {
  // Colour mode, as the theme's inline script did (the page runs no inline code): the reader's
  // choice, else the book's default; and the page options the theme's inline scripts set.
  var self = document.currentScript, fallback = (self && self.dataset.defaultMode) || "auto";
  try {
    document.documentElement.dataset.mode = localStorage.getItem("mode") || fallback;
    document.documentElement.dataset.theme = localStorage.getItem("theme") || fallback;
  } catch (e) {
    document.documentElement.dataset.mode = document.documentElement.dataset.theme = fallback;
  }
  if (window.DOCUMENTATION_OPTIONS && self) {
    DOCUMENTATION_OPTIONS.pagename = self.dataset.pagename;
    DOCUMENTATION_OPTIONS.search_as_you_type = false;
  }
})();
(function () {
  // Reading mode: ?lang= in the address, else the reader's last choice, else 双语; in 双语, the
  // language the reader put first (Chinese unless they chose English), which <html lang> follows.
  var d = document.documentElement, ok = /^(zh|en|both)$/, m = null, first = null;
  try {
    m = new URLSearchParams(location.search).get("lang");
    if (m && ok.test(m)) localStorage.setItem("panda-lang", m);
    else m = localStorage.getItem("panda-lang");
    first = localStorage.getItem("panda-first");
  } catch (e) {}
  if (!m || !ok.test(m)) m = "both";
  if (first !== "en") first = "zh";
  d.dataset.lang = m;
  d.dataset.first = first;
  d.lang = (m === "both" ? first : m) === "zh" ? "zh-CN" : "en";
})();
