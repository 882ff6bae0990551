// The media library's multi-file upload: drop files on the form or choose several; each is
// sent on its own (XMLHttpRequest, for upload progress), so one refused file does not stop
// the others. Without JavaScript the form posts all files at once and the page lists results.
(function () {
  "use strict";
  var form = document.getElementById("media-upload");
  if (!form) { return; }
  var input = form.querySelector("input[type=file]");
  var list = document.getElementById("upload-list");
  var url = form.getAttribute("data-upload-url");
  var maxFiles = parseInt(form.getAttribute("data-max-files"), 10) || 20;
  var token = form.querySelector("input[name=csrf_token]").value;

  function row(file) {
    var li = document.createElement("li");
    var name = document.createElement("span");
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    bar.setAttribute("aria-label", "Uploading " + file.name);
    var status = document.createElement("span");
    status.textContent = "waiting";
    li.appendChild(name); li.appendChild(bar); li.appendChild(status);
    list.appendChild(li);
    return { li: li, bar: bar, status: status };
  }

  function send(file, view) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("csrf_token", token);
      data.append("file", file);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          view.bar.value = Math.round(100 * event.loaded / event.total);
          view.status.textContent = view.bar.value + "%";
        }
      });
      xhr.addEventListener("load", function () {
        var answer = {};
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = {}; }
        if (xhr.status === 201) {
          view.bar.value = 100;
          view.status.textContent = "uploaded";
          view.status.className = "ok";
          view.li.setAttribute("data-uploaded", answer.id);
        } else {
          view.status.textContent = answer.message || ("refused (" + xhr.status + ")");
          view.status.className = "error";
          view.li.setAttribute("data-refused", "1");
        }
        resolve(xhr.status === 201);
      });
      xhr.addEventListener("error", function () {
        view.status.textContent = "the connection failed; try again";
        view.status.className = "error";
        resolve(false);
      });
      view.status.textContent = "0%";
      xhr.send(data);
    });
  }

  function upload(files) {
    files = Array.prototype.slice.call(files, 0, maxFiles);
    if (!files.length) { return; }
    list.textContent = "";
    var views = files.map(row);
    // Two at a time: quick on a good line, gentle on the server.
    var next = 0, good = 0, done = 0;
    function more() {
      if (next >= files.length) { return; }
      var i = next++;
      send(files[i], views[i]).then(function (ok) {
        good += ok ? 1 : 0; done += 1;
        if (done === files.length) { finished(good); } else { more(); }
      });
    }
    more(); more();
  }

  function finished(good) {
    form.setAttribute("data-finished", "1");
    if (good) {
      var link = document.createElement("a");
      link.href = window.location.pathname;
      link.textContent = "Show the new files and add their alt text";
      var li = document.createElement("li");
      li.appendChild(link);
      list.appendChild(li);
    }
  }

  form.addEventListener("submit", function (event) {
    if (!input.files.length) { return; }
    event.preventDefault();
    upload(input.files);
    input.value = "";
  });
  input.addEventListener("change", function () { upload(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach(function (type) {
    form.addEventListener(type, function (event) {
      event.preventDefault(); form.classList.add("dragging");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    form.addEventListener(type, function (event) {
      event.preventDefault(); form.classList.remove("dragging");
    });
  });
  form.addEventListener("drop", function (event) {
    if (event.dataTransfer && event.dataTransfer.files) { upload(event.dataTransfer.files); }
  });
}());
