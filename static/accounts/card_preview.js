// Card form: show each chosen photo in the page before it is sent (nothing leaves the browser until submit).
(function () {
  "use strict";
  document.querySelectorAll("input[type=file][data-preview]").forEach(function (input) {
    var figure = document.querySelector('[data-preview-for="' + input.getAttribute("data-preview") + '"]');
    if (!figure) return;
    var img = figure.querySelector("img");
    var url = null;
    input.addEventListener("change", function () {
      if (url) URL.revokeObjectURL(url);
      var file = input.files && input.files[0];
      if (!file || !/^image\//.test(file.type)) {
        figure.hidden = true;
        img.removeAttribute("src");
        url = null;
        return;
      }
      url = URL.createObjectURL(file);
      img.src = url;
      figure.hidden = false;
    });
  });
})();
