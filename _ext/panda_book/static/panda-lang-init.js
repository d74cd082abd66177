(function () {
  // Reading mode: ?lang= in the address, else the reader's last choice, else 双语.
  var d = document.documentElement, ok = /^(zh|en|both)$/, m = null;
  try {
    m = new URLSearchParams(location.search).get("lang");
    if (m && ok.test(m)) localStorage.setItem("panda-lang", m);
    else m = localStorage.getItem("panda-lang");
  } catch (e) {}
  if (!m || !ok.test(m)) m = "both";
  d.dataset.lang = m;
  d.setAttribute("data-base-lang", d.lang);
  if (m !== "both") d.lang = m === "zh" ? "zh-CN" : "en";
})();
