// Sends a form in the background as the page's autosave (autosave=1) and hands the JSON
// answer on: onSaved(body) when the server saved it, else onFailed(). Used by the pages
// that save as the student types; without JavaScript their Save buttons do the same.
(function () {
  "use strict";
  window.saveForm = function (form, onSaved, onFailed) {
    var data = new URLSearchParams(new FormData(form));
    data.set("autosave", "1");
    // getAttribute: a control named "action" would shadow the form's own action property.
    fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok && body.saved) { onSaved(body); } else { onFailed(body); }
      });
    }).catch(function () { onFailed({}); });
  };

  // The time of a save, as the status line shows it.
  window.savedAt = function () {
    return new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  };
}());
