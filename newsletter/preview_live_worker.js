// The preview's one event stream (python -m newsletter preview), shared by every open page of the preview:
// a browser opens six connections to a host at most, and a stream per page would take one each.
// Each page (preview_live.js) gets the preview's state as it changes, and the last state when it connects.
"use strict";
var ports = [];
var last = null;
var events = new EventSource("/__panda_preview__/events");
events.addEventListener("state", function (event) {
  last = event.data;
  ports.forEach(function (port) { port.postMessage(last); });
});
onconnect = function (event) {
  var port = event.ports[0];
  ports.push(port);
  port.start();
  if (last !== null) port.postMessage(last);
};
