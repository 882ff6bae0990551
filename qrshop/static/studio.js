// The vendor studio (vendor pages only; never loaded by shopper pages). Without this script
// the form still works: the description is an HTML textarea, lists have blank rows, and the
// preview links open the saved revision. With it:
// - the description is edited in Trix (static/vendor/trix), configured to write only what
//   the sanitizer keeps (headings as h3/h4, no strike, code or attachments);
// - character counters follow the text fields;
// - highlight and spec rows can be added, removed and moved;
// - a live preview of the landing page, as the chosen retailer's shoppers see it, follows the
//   form after a short pause in typing (the unsaved form is posted to the preview endpoint,
//   the answer shown in a sandboxed iframe: no script runs there; it is same-origin only so
//   that the studio can keep the vendor's scroll position across updates).
(function () {
  "use strict";

  var PAUSE_MS = 400;

  var TOOLBAR =
    '<div class="trix-button-row">' +
    '<span class="trix-button-group trix-button-group--text-tools" data-trix-button-group="text-tools">' +
    button("bold", "Bold", "bold", "b") + button("italic", "Italic", "italic", "i") +
    '<button type="button" class="trix-button trix-button--icon trix-button--icon-link" data-trix-attribute="href" data-trix-action="link" data-trix-key="k" title="Link" tabindex="-1">Link</button>' +
    '</span>' +
    '<span class="trix-button-group trix-button-group--block-tools" data-trix-button-group="block-tools">' +
    '<button type="button" class="trix-button studio-text-button" data-trix-attribute="heading1" title="Heading" tabindex="-1">H3</button>' +
    '<button type="button" class="trix-button studio-text-button" data-trix-attribute="heading2" title="Subheading" tabindex="-1">H4</button>' +
    button("quote", "Quote", "quote") + button("bullet-list", "Bullets", "bullet") +
    button("number-list", "Numbers", "number") +
    '<button type="button" class="trix-button trix-button--icon trix-button--icon-decrease-nesting-level" data-trix-action="decreaseNestingLevel" title="Outdent" tabindex="-1">Outdent</button>' +
    '<button type="button" class="trix-button trix-button--icon trix-button--icon-increase-nesting-level" data-trix-action="increaseNestingLevel" title="Indent" tabindex="-1">Indent</button>' +
    '</span>' +
    '<span class="trix-button-group-spacer"></span>' +
    '<span class="trix-button-group trix-button-group--history-tools" data-trix-button-group="history-tools">' +
    '<button type="button" class="trix-button trix-button--icon trix-button--icon-undo" data-trix-action="undo" data-trix-key="z" title="Undo" tabindex="-1">Undo</button>' +
    '<button type="button" class="trix-button trix-button--icon trix-button--icon-redo" data-trix-action="redo" data-trix-key="shift+z" title="Redo" tabindex="-1">Redo</button>' +
    '</span></div>' +
    '<div class="trix-dialogs" data-trix-dialogs>' +
    '<div class="trix-dialog trix-dialog--link" data-trix-dialog="href" data-trix-dialog-attribute="href">' +
    '<div class="trix-dialog__link-fields">' +
    '<input type="url" name="href" class="trix-input trix-input--dialog" placeholder="https://…" aria-label="Link address" data-trix-validate-href required data-trix-input>' +
    '<div class="trix-button-group">' +
    '<input type="button" class="trix-button trix-button--dialog" value="Link" data-trix-method="setAttribute">' +
    '<input type="button" class="trix-button trix-button--dialog" value="Unlink" data-trix-method="removeAttribute">' +
    '</div></div></div></div>';

  function button(icon, title, attribute, key) {
    return '<button type="button" class="trix-button trix-button--icon trix-button--icon-' + icon +
      '" data-trix-attribute="' + attribute + '"' + (key ? ' data-trix-key="' + key + '"' : "") +
      ' title="' + title + '" tabindex="-1">' + title + "</button>";
  }

  function configureTrix() {
    var config = window.Trix.config;
    // Headings are the landing page's h3 and h4 (its h1 and h2 are the product's).
    config.blockAttributes.heading1.tagName = "h3";
    config.blockAttributes.heading2 = {tagName: "h4", terminal: true, breakOnReturn: true,
                                       group: false};
    config.toolbar.getDefaultHTML = function () { return TOOLBAR; };
  }

  function richText(form) {
    if (!window.Trix) return;
    configureTrix();
    form.querySelectorAll("textarea[data-rich-text]").forEach(function (textarea) {
      var editor = document.createElement("trix-editor");
      editor.id = textarea.id + "-editor";
      editor.setAttribute("input", textarea.id);
      editor.className = "studio-editor";
      var label = form.querySelector('label[for="' + textarea.id + '"]');
      if (label) {
        label.setAttribute("for", editor.id);
        label.id = label.id || textarea.id + "-label";
        editor.setAttribute("aria-labelledby", label.id);
      }
      if (textarea.disabled || textarea.closest("fieldset[disabled]")) {
        editor.setAttribute("disabled", "");
      }
      textarea.hidden = true;
      textarea.insertAdjacentElement("afterend", editor);
      var hint = textarea.parentNode.querySelector("[data-without-editor]");
      if (hint) hint.hidden = true;
    });
    // Files belong in the media library, not inside the text.
    document.addEventListener("trix-file-accept", function (event) { event.preventDefault(); });
    document.addEventListener("trix-attachment-add", function (event) {
      event.attachment.remove();
    });
  }

  function counters(form) {
    form.querySelectorAll("[data-count]").forEach(function (input) {
      var output = form.querySelector('[data-counter-for="' + input.id + '"]');
      if (!output) return;
      var limit = parseInt(input.getAttribute("data-count"), 10);
      function update() {
        var used = input.value.length;
        output.textContent = used + " / " + limit;
        output.classList.toggle("near-limit", used > limit * 0.9);
      }
      input.addEventListener("input", update);
      update();
    });
  }

  function rows(form, changed) {
    form.querySelectorAll("fieldset[data-rows]").forEach(function (fieldset) {
      var list = fieldset.querySelector(".row-list");
      var add = fieldset.querySelector("[data-add-row]");
      var max = parseInt(fieldset.getAttribute("data-max"), 10);
      var blank = list.firstElementChild.cloneNode(true);
      blank.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      fieldset.querySelectorAll(".row-tools, [data-add-row]").forEach(function (element) {
        element.hidden = false;
      });

      function renumber() {
        Array.prototype.forEach.call(list.children, function (row, index) {
          row.querySelectorAll("input").forEach(function (input) {
            var label = input.getAttribute("aria-label");
            input.setAttribute("aria-label", label.replace(/\d+/, String(index + 1)));
          });
        });
        add.disabled = list.children.length >= max;
        changed();
      }

      add.addEventListener("click", function () {
        if (list.children.length >= max) return;
        var row = blank.cloneNode(true);
        list.appendChild(row);
        renumber();
        row.querySelector("input").focus();
      });
      list.addEventListener("click", function (event) {
        var tool = event.target.closest("[data-row]");
        if (!tool) return;
        var row = tool.closest(".row");
        var action = tool.getAttribute("data-row");
        if (action === "up" && row.previousElementSibling) {
          list.insertBefore(row, row.previousElementSibling);
        } else if (action === "down" && row.nextElementSibling) {
          list.insertBefore(row.nextElementSibling, row);
        } else if (action === "remove") {
          if (list.children.length > 1) {
            var next = row.nextElementSibling || row.previousElementSibling;
            row.remove();
            next.querySelector("button[data-row=remove]").focus();
          } else {
            row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
          }
        }
        tool.focus();
        renumber();
      });
      renumber();
    });
  }

  function preview(form, aside) {
    var frame = aside.querySelector("[data-preview-frame]");
    var select = aside.querySelector("[data-preview-retailer]");
    var status = aside.querySelector("[data-preview-status]");
    var timer = null;
    var latest = 0;
    var scrollY = 0;
    aside.hidden = false;
    frame.addEventListener("load", function () {
      if (scrollY && frame.contentWindow) frame.contentWindow.scrollTo(0, scrollY);
    });

    function refresh() {
      var option = select.options[select.selectedIndex];
      var saved = option.getAttribute("data-saved");
      var number = ++latest;
      status.textContent = "Updating…";
      var request = saved ? fetch(saved, {credentials: "same-origin"})
        : fetch(option.value, {method: "POST", body: new FormData(form),
                               credentials: "same-origin"});
      request.then(function (response) {
        return response.text().then(function (body) {
          if (number !== latest) return;
          if (response.ok) {
            // Keep the vendor's place in the preview across updates.
            var view = frame.contentWindow;
            scrollY = view && view.document.body ? view.scrollY : 0;
            // No script may run in the sandbox: leave the saved page's out, not blocked.
            frame.srcdoc = body.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, "");
            status.textContent = "Up to date: " + new Date().toLocaleTimeString();
            aside.classList.remove("is-refused");
          } else {
            var message = new DOMParser().parseFromString(body, "text/html").body.textContent;
            status.textContent = "Not updated: " + message.trim();
            aside.classList.add("is-refused");
          }
        });
      }).catch(function () {
        if (number === latest) status.textContent = "Not updated: the server did not answer.";
      });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(refresh, PAUSE_MS);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("trix-change", later);
    select.addEventListener("change", refresh);
    refresh();
    return later;
  }

  function start() {
    var form = document.querySelector("[data-studio-form]");
    if (!form) return;
    var aside = document.querySelector("[data-studio-preview]");
    var changed = aside ? preview(form, aside) : function () {};
    richText(form);
    counters(form);
    rows(form, changed);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
