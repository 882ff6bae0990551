// Keeps a page current without a reload by polling (every 4 s, while it is visible):
// - a shopper's request ([data-ask-request]): its state from data-state-url (JSON);
// - the associates' queue ([data-queue]): its list from data-fragment-url (HTML).
(function () {
  "use strict";
  var PERIOD = 4000;
  function poll(fn) {
    setInterval(function () { if (!document.hidden) { fn(); } }, PERIOD);
  }
  var ask = document.querySelector("[data-ask-request]");
  if (ask) {
    var state = ask.querySelector("[data-ask-state]");
    var offer = ask.querySelector("[data-ask-text]");
    poll(function () {
      fetch(ask.getAttribute("data-state-url"), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          if (state.textContent !== data.text) { state.textContent = data.text; }
          state.setAttribute("data-ask-state", data.state);
          if (offer) { offer.hidden = !data.offer_text; }
        })
        .catch(function () {});
    });
  }
  var queue = document.querySelector("[data-queue]");
  if (queue) {
    poll(function () {
      if (queue.contains(document.activeElement) && document.activeElement.tagName === "TEXTAREA") { return; }
      fetch(queue.getAttribute("data-fragment-url"), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null && queue.innerHTML !== html) { queue.innerHTML = html; } })
        .catch(function () {});
    });
  }
})();
