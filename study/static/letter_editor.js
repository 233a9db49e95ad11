// Saves the letter as the student writes and swaps in the checks the server made of it, so
// that a missing point or a pressing word shows while the section is being written.
// Without JavaScript the Save button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form.autosave-letter");
  if (!form || !window.fetch || !window.saveForm) { return; }
  var status = form.querySelector(".save-status");
  var timer = null;

  function save() {
    window.saveForm(form, function (body) {
      // The changed checks are not announced one by one: the summary says what is left.
      status.textContent = form.dataset.saved + " " + window.savedAt() + ". " + (body.summary || "");
      Object.keys(body.checks || {}).forEach(function (id) {
        var panel = document.getElementById(id);
        // The server rendered and escaped these fragments from the saved text.
        if (panel) { panel.innerHTML = body.checks[id]; }
      });
    }, function () { status.textContent = form.dataset.failed; });
  }

  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 1200);
  });
}());
