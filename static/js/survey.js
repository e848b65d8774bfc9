// Survey pages: a question that depends on an answer on the same page is hidden until that
// answer is chosen. Without this script it is shown with its condition spelt out, and the
// server ignores it unless the condition holds.
(function () {
  "use strict";
  function update(form) {
    form.querySelectorAll("[data-show-if-name]").forEach(function (fieldset) {
      var name = fieldset.getAttribute("data-show-if-name");
      var value = fieldset.getAttribute("data-show-if-value");
      var inputs = form.querySelectorAll("input[name='" + name + "']");
      var chosen = Array.prototype.some.call(inputs, function (input) {
        return input.checked && input.value === value;
      });
      fieldset.hidden = !chosen;
      fieldset.disabled = !chosen;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.survey-form").forEach(function (form) {
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
  });
})();
