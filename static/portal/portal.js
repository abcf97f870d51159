// CCPro portal: small progressive enhancements, no library. Every page works without it.
(function () {
  "use strict";
  // Forms carrying data-confirm ask before they are sent (revoking a token, closing the account).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  // Verification and reset codes are upper case; typing them in lower case still works.
  document.querySelectorAll('input[autocomplete="one-time-code"]').forEach(function (input) {
    input.addEventListener("input", function () {
      var start = input.selectionStart;
      input.value = input.value.toUpperCase();
      input.setSelectionRange(start, start);
    });
  });
})();
