// A form sent by htmx (an action's form on a case page) that the portal could not answer (a
// server error, an expired session, a lost connection) says so in the form, with the words
// the page gave it (data-failed), instead of leaving the button pressed with nothing to show.
(function () {
  "use strict";
  function failed(event) {
    var form = event.detail && event.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.dataset.failed) return;
    var note = form.querySelector("[data-inline-failed]");
    if (!note) {
      note = document.createElement("p");
      note.className = "alert alert-danger";
      note.setAttribute("role", "alert");
      note.setAttribute("data-inline-failed", "");
      form.insertBefore(note, form.firstChild);
    }
    note.textContent = form.dataset.failed;
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
})();
