// The example login page's own script: it logs the widget's events, and keeps a global of
// its own (the widget must not touch it).
window.contosoLogin = { version: "1.0" };
document.addEventListener("DOMContentLoaded", function () {
  document.getElementById("login").addEventListener("submit", function (event) {
    event.preventDefault();
  });
  var list = document.getElementById("events");
  ["sspr:ready", "sspr:step", "sspr:completed", "sspr:cancelled"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var item = document.createElement("li");
      var from = event.target.id || event.target.tagName.toLowerCase();
      item.textContent = name + (event.detail && event.detail.step ? " " + event.detail.step : "") + " (" + from + ")";
      item.setAttribute("data-event", name);
      list.appendChild(item);
    });
  });
});
