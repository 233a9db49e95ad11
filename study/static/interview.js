// Interview mode: one part of the guide at a time (Previous/Next, or the arrow keys when no
// field has the focus), ticks for the questions covered, and a clock against the estimate.
// Nothing is sent anywhere and nothing is stored: the page works without a network.
(function () {
  "use strict";
  var parts = Array.prototype.slice.call(document.querySelectorAll(".interview-section"));
  var position = document.getElementById("position");
  var current = 0;

  function show(index) {
    current = Math.max(0, Math.min(parts.length - 1, index));
    parts.forEach(function (part, i) { part.hidden = i !== current; });
    document.getElementById("previous").disabled = current === 0;
    document.getElementById("next").disabled = current === parts.length - 1;
    position.textContent = position.dataset.template
      .replace("%(n)s", String(current + 1)).replace("%(total)s", String(parts.length));
    var heading = parts[current] && parts[current].querySelector("h1");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  document.getElementById("previous").addEventListener("click", function () { show(current - 1); });
  document.getElementById("next").addEventListener("click", function () { show(current + 1); });
  document.addEventListener("keydown", function (event) {
    if (event.target.tagName === "INPUT" || event.target.tagName === "BUTTON") { return; }
    if (event.key === "ArrowRight") { show(current + 1); }
    if (event.key === "ArrowLeft") { show(current - 1); }
  });

  var elapsed = document.getElementById("elapsed");
  var toggle = document.getElementById("clock-toggle");
  var estimate = Number(document.getElementById("estimate").dataset.minutes) * 60;
  var started = null;
  var before = 0;
  var timer = null;

  function seconds() { return before + (started ? (Date.now() - started) / 1000 : 0); }
  function tick() {
    var s = Math.floor(seconds());
    elapsed.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    var over = estimate > 0 && s > estimate;
    elapsed.classList.toggle("over", over);
    document.getElementById("over").hidden = !over;
  }
  toggle.addEventListener("click", function () {
    if (started) {
      before = seconds();
      started = null;
      window.clearInterval(timer);
      toggle.textContent = toggle.dataset.start;
    } else {
      started = Date.now();
      timer = window.setInterval(tick, 1000);
      toggle.textContent = toggle.dataset.pause;
    }
    tick();
  });

  if (parts.length) { show(0); }
}());
