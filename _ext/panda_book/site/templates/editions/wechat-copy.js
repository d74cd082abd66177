// The WeChat editor page (_build/wechat/<issue>.editor.html, site/editions.py): 复制 · Copy selects one
// article and copies it as the browser copies a selection (HTML with its inline styles, and plain text), which
// WeChat's editor takes when pasted. Shipped by the project; no inline script.
"use strict";
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const article = document.getElementById(button.dataset.copy);
  const status = document.getElementById(`${button.dataset.copy}-status`);
  const range = document.createRange();
  range.selectNodeContents(article);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch (error) {
    copied = false;
  }
  status.textContent = copied
    ? "已复制，可粘贴到公众号编辑器 · Copied: paste it into the WeChat editor"
    : "未能复制：请按 Ctrl+C（⌘C）· Not copied: press Ctrl+C (⌘C), the article is selected";
});
