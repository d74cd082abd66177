// Tells the widget bundle where its own files (icon fonts) are: next to it on
// this site, not on a CDN. Loaded after require.js and before embed-amd.js.
(function () {
  var dir = new URL("html-manager-1.0.15", document.currentScript.src).href;
  window.__jupyter_widgets_assets_path__ = dir + "/";
  // The bundle's AMD modules find their files relative to their module ids.
  window.require.config({
    paths: {
      "@jupyter-widgets/html-manager": dir + "/embed-amd",
      "@jupyter-widgets/html-manager/dist": dir,
    },
  });
})();
