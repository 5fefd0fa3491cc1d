/* The phone check-in page: typed code or camera scan (html5-qrcode), answered as JSON by the same URL.
   Messages come translated from the form's data-msg-* attributes. */
(function () {
  "use strict";
  var form = document.getElementById("checkin-form");
  if (!form) { return; }
  var input = document.getElementById("code");
  var box = document.getElementById("checkin-result");
  var busy = false, lastCode = "", lastAt = 0, scanner = null;
  function show(data) {
    box.className = "alert alert-" + data.level + " fs-5";
    box.textContent = data.message;
    if (data.attended !== undefined) {
      document.getElementById("count-attended").textContent = data.attended;
      document.getElementById("count-registered").textContent = data.registered;
    }
    if (navigator.vibrate) { navigator.vibrate(data.level === "success" ? 80 : [60, 60, 60]); }
  }
  function submit(code, confirmed) {
    if (busy) { return; }
    busy = true;
    var body = new FormData(form);
    body.set("code", code);
    body.set("confirm", confirmed ? "1" : "");
    fetch(form.action || window.location.href, {method: "POST", body: body, headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        show(data);
        if (data.confirm) {
          // Outside the event's day(s): the server asks before checking anyone in (after this request ends).
          window.setTimeout(function () { if (window.confirm(data.message)) { submit(code, true); } }, 0);
          return;
        }
        input.value = ""; input.focus();
      })
      .catch(function () { show({level: "danger", message: form.dataset.msgNetwork}); })
      .finally(function () { busy = false; });
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); if (input.value.trim()) { submit(input.value.trim()); } });
  document.getElementById("start-camera").addEventListener("click", function () {
    var reader = document.getElementById("reader");
    if (scanner) { scanner.stop().then(function () { reader.classList.add("d-none"); scanner = null; }); return; }
    if (typeof Html5Qrcode === "undefined") { show({level: "danger", message: form.dataset.msgNoScanner}); return; }
    reader.classList.remove("d-none");
    scanner = new Html5Qrcode("reader");
    scanner.start({facingMode: "environment"}, {fps: 10, qrbox: {width: 240, height: 240}}, function (text) {
      var now = Date.now();
      if (text === lastCode && now - lastAt < 3000) { return; }
      lastCode = text; lastAt = now;
      submit(text);
    }).catch(function () {
      reader.classList.add("d-none"); scanner = null;
      show({level: "danger", message: form.dataset.msgNoCamera});
    });
  });
})();
