// Landing page, progressively enhanced: save and send feedback without leaving the page (a
// refusal shows its message next to the field); share with the phone's own share sheet where
// there is one, else copy the link or pick an app. Without JS the forms post and the page
// comes back with the message, and Share opens the list of links.
function showError(form, answer) {
  var shown = form.querySelector("[data-error-for='" + answer.field + "']") ||
              form.querySelector("[data-error-for]");
  shown.textContent = answer.message;
  shown.hidden = false;
}
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute("data-enhance") || !window.fetch) return;
  event.preventDefault();
  // form.action would be the input named "action" of the save form: read the attribute.
  fetch(form.getAttribute("action"), {method: "POST", body: new FormData(form),
                                      credentials: "same-origin",
                                      headers: {Accept: "application/json"}})
    .then(function (response) {
      return response.json().then(function (answer) { return [response.ok, answer]; });
    })
    .then(function (result) {
      var answer = result[1];
      form.querySelectorAll("[data-error-for]").forEach(function (p) { p.hidden = true; });
      if (!result[0]) { showError(form, answer); return; }
      if (answer.thanks) {
        var thanks = document.createElement("p");
        thanks.setAttribute("role", "status");
        thanks.textContent = form.getAttribute("data-thanks");
        form.replaceWith(thanks);
        return;
      }
      var button = form.querySelector("[data-save]");
      form.elements.action.value = answer.saved ? "remove" : "save";
      button.textContent = button.getAttribute(answer.saved ? "data-saved-text" : "data-save-text");
      button.setAttribute("aria-pressed", String(answer.saved));
    })
    .catch(function () { form.submit(); });  // not an answer of ours: post it the plain way
});
var share = document.querySelector("[data-share]");
if (share) {
  var link = share.getAttribute("data-share");
  var copy = share.querySelector("[data-copy]"), copied = share.querySelector("[data-copied]");
  if (navigator.share) {
    share.querySelector("summary").addEventListener("click", function (event) {
      event.preventDefault();
      navigator.share({title: document.title, url: link}).catch(function () {});
    });
  }
  share.querySelector("[data-copy-row]").hidden = false;
  copy.addEventListener("click", function () {
    var done = function () { copied.textContent = copied.getAttribute("data-done-text"); };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(link).then(done, function () { copied.textContent = link; });
    } else {
      copied.textContent = link;  // no clipboard here: show it to copy by hand
    }
  });
}
