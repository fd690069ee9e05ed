// Evidence uploads with a progress bar: the form is sent by XMLHttpRequest so the bar can
// follow the bytes; the portal answers with the case page's address, where its messages say
// what became of each file. Without scripts the form posts as usual. The form may arrive after
// the page (its panel asks for it when opened): the listener is on the document.
(function () {
  "use strict";
  if (!window.FormData) return;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("form[data-upload-progress]")) return;
    var bar = form.querySelector("progress");
    var failed = form.querySelector("[data-upload-failed]");
    var button = form.querySelector('button[type="submit"]');
    if (!bar) return;
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Upload-Progress", "1");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener("load", function () {
      var next = null;
      try { next = JSON.parse(xhr.responseText).next; } catch (err) { next = null; }
      if (xhr.status === 200 && next) { window.location.assign(next); return; }
      // A page instead (the session ended and sign-in answered): reload and let it say.
      if (xhr.status < 400) { window.location.reload(); return; }
      fail();
    });
    xhr.addEventListener("error", fail);
    function fail() {
      bar.hidden = true;
      failed.hidden = false;
      button.disabled = false;
    }
    bar.value = 0;
    bar.hidden = false;
    failed.hidden = true;
    button.disabled = true;
    xhr.send(new FormData(form));
  });
})();
