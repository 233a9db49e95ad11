// Saves the guide's texts as the student types and keeps the length and the research
// questions no section answers up to date. The buttons (add, copy, move, remove) send the
// form, so they work without JavaScript; after a move the page opens at the part moved.
(function () {
  "use strict";
  var form = document.querySelector("form.autosave-guide");
  if (form && window.fetch && window.saveForm) {
    var status = form.querySelector(".save-status");
    var timer = null;
    var save = function () {
      window.saveForm(form, function (body) {
        status.textContent = form.dataset.saved + " " + window.savedAt();
        var overview = document.getElementById("guide-overview");
        // The server rendered and escaped this fragment: the length and what is uncovered.
        if (overview && body.overview) { overview.innerHTML = body.overview; }
      }, function () { status.textContent = form.dataset.failed; });
    };
    form.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 1200);
    });
  }
  // Drag and drop with the mouse or a finger: a handle beside each question and section. The
  // drop sends the form with a move action, as the Move buttons (the keyboard's way) do.
  var dragged = null;
  document.querySelectorAll(".drag-handle").forEach(function (handle) {
    handle.addEventListener("dragstart", function (event) {
      dragged = handle.dataset;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", handle.dataset.question || handle.dataset.section);
    });
  });
  function targetOf(element) {
    if (!dragged) { return null; }
    if (dragged.question) { return element.closest(".guide-question") || element.closest(".guide-part"); }
    return element.closest(".guide-part");
  }
  function siblings(element, selector) {
    return Array.prototype.filter.call(element.parentNode.children, function (e) { return e.matches(selector); });
  }
  if (form) {
    form.addEventListener("dragover", function (event) {
      if (targetOf(event.target)) { event.preventDefault(); }
    });
    form.addEventListener("drop", function (event) {
      var target = targetOf(event.target);
      if (!target) { return; }
      event.preventDefault();
      var to;
      if (dragged.question) {
        var part = target.closest(".guide-part");
        var position = target.classList.contains("guide-question")
          ? siblings(target, ".guide-question").indexOf(target)
          : part.querySelectorAll(".guide-question").length;
        to = "move_question:" + dragged.section + ":" + dragged.question + ":" + part.id + "/" + position;
      } else {
        to = "move_section:" + dragged.section + "::" + siblings(target, ".guide-part").indexOf(target);
      }
      var input = document.createElement("input");
      input.type = "hidden";
      input.className = "drag-action";
      input.name = "action";
      input.value = to;
      form.appendChild(input);
      form.submit();
    });
  }

  // A page brought back with the browser's Back button must not carry a drop's move along.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("input.drag-action").forEach(function (input) { input.remove(); });
  });

  // After an action the address names the field of the part acted on: give it the focus
  // once the page has loaded, so that a keyboard user moving a question goes on from there.
  window.addEventListener("load", function () {
    var field = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (field && field.focus) { field.focus(); }
  });
}());
