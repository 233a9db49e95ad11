// Saves a self-review section as the student answers, so that nothing typed is lost.
// Without JavaScript the Save button does the same; the server decides what is valid.
(function () {
  "use strict";
  var form = document.querySelector("form.autosave");
  if (!form || !window.fetch) { return; }
  var status = form.querySelector(".save-status");
  var timer = null;

  function save() {
    var data = new URLSearchParams(new FormData(form));
    data.set("autosave", "1");
    fetch(form.action || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok && body.saved) {
          var time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
          status.textContent = form.dataset.saved + " " + time + " (" + body.answered + "/" + body.total + ")";
        } else {
          status.textContent = form.dataset.failed;
        }
      });
    }).catch(function () { status.textContent = form.dataset.failed; });
  }

  form.addEventListener("change", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 300);
  });
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA") {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 1500);
    }
  });
}());
