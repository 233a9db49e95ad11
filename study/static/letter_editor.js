// Saves the letter as the student writes and swaps in the checks the server made of it, so
// that a missing point or a pressing word shows while the section is being written.
// Without JavaScript the Save button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form.autosave-letter");
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
          // The changed checks are not announced one by one: the summary says what is left.
          status.textContent = form.dataset.saved + " " + time + ". " + (body.summary || "");
          Object.keys(body.checks || {}).forEach(function (id) {
            var panel = document.getElementById(id);
            // The server rendered and escaped these fragments from the saved text.
            if (panel) { panel.innerHTML = body.checks[id]; }
          });
        } else {
          status.textContent = form.dataset.failed;
        }
      });
    }).catch(function () { status.textContent = form.dataset.failed; });
  }

  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 1200);
  });
}());
