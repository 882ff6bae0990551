// Landing page, progressively enhanced: save and send feedback without leaving the page;
// share with the phone's own share sheet where there is one. Without JS the forms still post.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute("data-enhance") || !window.fetch) return;
  event.preventDefault();
  fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                      headers: {Accept: "application/json"}})
    .then(function (response) { if (!response.ok) throw response; return response.json(); })
    .then(function (answer) {
      if (answer.thanks) { form.outerHTML = "<p role=status>Thank you for your feedback!</p>"; return; }
      var button = form.querySelector("[data-save]");
      form.elements.action.value = answer.saved ? "remove" : "save";
      button.textContent = answer.saved ? "\u2665 Saved" : "\u2661 Save";
      button.setAttribute("aria-pressed", String(answer.saved));
    })
    .catch(function () { form.submit(); });
});
var share = document.querySelector("[data-share]");
if (share && navigator.share) {
  share.hidden = false;
  share.addEventListener("click", function () {
    navigator.share({title: document.title, url: share.getAttribute("data-share")})
      .catch(function () {});
  });
}
