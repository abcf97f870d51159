// KYC document upload with a progress bar: the form is sent by XMLHttpRequest (Accept: application/json); the
// server answers {message, redirect} or {message, errors}. Without JavaScript the form posts normally. The texts
// of a failure come from the form's data-failed / data-offline (translated by the page), English otherwise.
(function () {
  document.querySelectorAll("form[data-upload-progress]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var bar = form.querySelector("progress");
      var error = form.querySelector("[data-upload-error]");
      var button = form.querySelector("button[type=submit]");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action"));
      xhr.setRequestHeader("Accept", "application/json");
      bar.hidden = false;
      bar.value = 0;
      error.hidden = true;
      button.disabled = true;
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300 && body.redirect) {
          bar.value = 100;
          window.location.assign(body.redirect);
          return;
        }
        var details = Object.values(body.errors || {}).flat();
        error.textContent = [body.message || form.getAttribute("data-failed") || "Upload failed."].concat(details).join(" ");
        error.hidden = false;
        button.disabled = false;
      });
      xhr.addEventListener("error", function () {
        error.textContent = form.getAttribute("data-offline") || "Upload failed. Check your connection and try again.";
        error.hidden = false;
        button.disabled = false;
      });
      xhr.send(new FormData(form));
    });
  });
})();
