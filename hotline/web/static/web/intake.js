// hotline intake form: autosave (issue 16 — intake never loses a call).
// What the agent types is sent to the server every few seconds while it changes and each
// time a field is left; the server keeps one draft per agent and form and offers it back
// after a lost session, on any machine.  When the server cannot be reached (the session
// expired, the network dropped) the status line says so in red and the page keeps trying:
// what was saved before stays on the server.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form || !form.getAttribute("data-autosave-url")) return;
  var url = form.getAttribute("data-autosave-url");
  var number = form.getAttribute("data-autosave-number") || "";
  var status = form.querySelector("[data-autosave-status]");
  var INTERVAL = 4000;
  var dirty = false, busy = false, submitted = false, last = "";

  function payload() {
    var data = new FormData(form);
    data.delete("attachments");
    data.set("number", number);
    return data;
  }
  function snapshot(data) {
    var parts = [];
    data.forEach(function (v, k) { if (k !== "csrfmiddlewaretoken") parts.push(k + "=" + v); });
    return parts.join("&");
  }
  function show(text, failed) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("wb-autosave-failed", !!failed);
  }
  function save() {
    if (submitted || busy) return;
    var data = payload();
    var snap = snapshot(data);
    if (snap === last) { dirty = false; return; }
    busy = true;
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-Autosave": "1", "X-CSRFToken": data.get("csrfmiddlewaretoken") || "" },
    }).then(function (r) {
      busy = false;
      if (r.ok) {
        last = snap; dirty = false;
        return r.json().then(function (j) { show("已自动保存 " + j.saved_at); });
      }
      if (r.status === 409) { submitted = true; return; }
      show("自动保存失败（登录可能已失效）：请重新登录，已填写内容不会丢失", true);
    }).catch(function () {
      busy = false;
      show("自动保存失败（网络中断）：内容暂留在本页，恢复后自动保存", true);
    });
  }
  function changed(e) {
    if (e.target && e.target.form === form && e.target.type !== "file") dirty = true;
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // leaving a field saves at once
  form.addEventListener("focusout", function (e) { if (dirty) save(); });
  setInterval(function () { if (dirty) save(); }, INTERVAL);
  form.addEventListener("submit", function () { submitted = true; });
  last = snapshot(payload());
})();
