// sphinx-togglebutton's settings, which it writes inline (the Content-Security-Policy runs no inline
// code): the values of its defaults, in a file the site ships (csp.py, SCRIPTS).
var toggleHintShow = "显示 · Show";
var toggleHintHide = "隐藏 · Hide";
var toggleOpenOnPrint = "true";
var togglebuttonSelector = ".toggle, .admonition.dropdown";
