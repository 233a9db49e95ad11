// Saves a self-review section as the student answers, so that nothing typed is lost, and
// shows the follow-up questions and explanation fields the answers call for.
// Without JavaScript the Save button does the same; the server decides what is valid.
(function () {
  "use strict";
  var form = document.querySelector("form.autosave");
  if (!form || !window.fetch || !window.saveForm) { return; }
  var status = form.querySelector(".save-status");
  var timer = null;

  function chosen(question) {
    return Array.prototype.map.call(
      question.querySelectorAll("input:checked"), function (input) { return input.value; });
  }

  // An explanation field shows when the answer asks for one, or when it already has text.
  function showExplanations() {
    form.querySelectorAll(".question[data-explain-when]").forEach(function (question) {
      var box = question.querySelector(".explanation");
      var wanted = question.dataset.explainWhen.split(" ").filter(Boolean);
      if (!box || !wanted.length) { return; }
      var text = box.querySelector("textarea");
      box.hidden = !(chosen(question).some(function (v) { return wanted.indexOf(v) >= 0; }) ||
                     (text && text.value.trim()));
    });
  }

  function showFollowUps(visible) {
    form.querySelectorAll(".question[data-follow-up]").forEach(function (question) {
      question.hidden = visible.indexOf(question.id.replace(/^q-/, "")) < 0;
    });
  }

  function save() {
    window.saveForm(form, function (body) {
      status.textContent = form.dataset.saved + " " + window.savedAt() + " (" + body.answered + "/" + body.total + ")";
      showFollowUps(body.visible || []);
    }, function () { status.textContent = form.dataset.failed; });
  }

  showExplanations();
  form.addEventListener("change", function () {
    showExplanations();
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
